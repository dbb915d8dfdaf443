/**
 * The protocol's names as the fuzzer needs them, taken from the definitions themselves
 * (src/control/protocol/messages.ts, message-schemas.ts) so a new message or code is fuzzed and checked at once.
 */
import { typedMessageSchemas } from '../../src/control/protocol/message-schemas.js';
import {
  ACCESSORIES, ERROR_CODES, MAX_RACE_LAPS, MAX_SDP_CHARS, NOTICE_CODES, SEED_COMMANDS, type ServerMessage,
} from '../../src/control/protocol/messages.js';
import { TALK_PEER } from '../../src/control/video/camera-relay.js';
import { SFU_PEER } from '../../src/control/video/sfu/sfu-route.js';

export { ACCESSORIES, ERROR_CODES, MAX_RACE_LAPS, MAX_SDP_CHARS, NOTICE_CODES, SEED_COMMANDS };

/** The signal targets that are no client's id: the SFU's end (a camera's offer with --sfu) and push-to-talk's. */
export const NAMED_PEERS = [SFU_PEER, TALK_PEER] as const;

export function typedMessageTypes(): string[] {
  return Object.keys(typedMessageSchemas);
}

/** Every `type` a server message may have. */
export const SERVER_TYPES = [
  'welcome', 'state', 'telemetry', 'role', 'pong', 'error', 'notice', 'video', 'viewing', 'viewer', 'signal',
  'arena', 'poses', 'laps', 'race', 'ice-servers', 'queue', 'channel', 'ghosts', 'best-lap',
] as const satisfies ReadonlyArray<ServerMessage['type']>;
// A server message type missing above fails the type-check here.
type Missing = Exclude<ServerMessage['type'], (typeof SERVER_TYPES)[number]>;
export const serverTypesComplete: [Missing] extends [never] ? true : never = true;

/** Every name a client message may carry as its `type` or seed `command`: all a refusal's `ref` may be. */
export function messageNames(): Set<string> {
  return new Set([...typedMessageTypes(), ...SEED_COMMANDS]);
}
