/**
 * The one table of what a car's client may send: every client message type (protocol/messages.ts) and
 * the seed commands, each with exactly one handler. The table's type names every type, so a message
 * added to the protocol that nobody handles does not compile. handlers.ts fills it for CarWorld; race
 * and name messages go on from there to the raceway (RaceDesk).
 */
import type { ClientSession } from '../connection/client-session.js';
import {
  isSeedCommand,
  type ClientMessage, type ClientMessageType, type LapMarkMessage, type RaceEndMessage, type RaceStartMessage, type SeedCommand,
  type TypedClientMessage,
} from '../protocol/messages.js';

export type MessageOf<K extends ClientMessageType> = Extract<TypedClientMessage, { type: K }>;
export type Handler<M> = (session: ClientSession, msg: M) => void;

/** A handler for every message type, and one for the seed commands. */
export type Handlers = { readonly [K in ClientMessageType]: Handler<MessageOf<K>> } & { readonly seedCommand: Handler<SeedCommand> };

export function dispatch(handlers: Handlers, session: ClientSession, msg: ClientMessage): void {
  if (isSeedCommand(msg)) return handlers.seedCommand(session, msg);
  // TypeScript cannot pair handlers[msg.type] with msg's own type through the union; the table's type did.
  (handlers[msg.type] as Handler<TypedClientMessage>)(session, msg);
}

export type RaceRequest = RaceStartMessage | RaceEndMessage | LapMarkMessage;

/**
 * Where a car's race and name messages go: the server's raceway (race/raceway.ts), shared by all its
 * cars. A car no raceway took (a world on its own, in tests) leaves them unanswered.
 */
export interface RaceDesk {
  race(car: string, session: ClientSession, request: RaceRequest): void;
  name(session: ClientSession, name: string): void;
  /** `race-best-lap`: a ghost drives this client's best lap on `car` (race/best-lap-ghosts.ts). */
  bestLap(car: string, session: ClientSession): void;
  /** The name a client set, or its default ("Driver 3"). */
  nameOf(id: string): string;
}
