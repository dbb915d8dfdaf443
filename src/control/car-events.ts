/**
 * What happens in one car's world, as plain values, for whoever listens without being part of it: the
 * session recorder, the race marshal, a test. Listeners are called synchronously on the command path,
 * so they must be quick (copy and queue, never wait), and one that throws is reported and skipped: a
 * bug in a listener must never stop a command reaching the car, nor the car from stopping.
 */
import type { Demand, Pose } from '../vehicle/index.js';
import type { ClientMessage, ErrorCode, LinkState } from './messages.js';

export type CarEvent =
  /** A message a client of this car sent, as received once it passed validation. */
  | { kind: 'message'; client: string; message: ClientMessage }
  /** A message refused with an error reply (nothing changed). */
  | { kind: 'refusal'; client: string; code: ErrorCode; ref?: string }
  /** A demand handed to the Driver; `client` is null when the server gave it (a stop when a driver left). */
  | { kind: 'demand'; client: string | null; demand: Demand }
  /** The seat changed: its driver (null when empty), and whether it is held for a resume. */
  | { kind: 'seat'; driver: string | null; reserved: boolean }
  | { kind: 'link'; state: LinkState }
  /** The Driver stopped the car because analog input went quiet. */
  | { kind: 'watchdog' }
  /** A timed command's hold ended; the Driver stopped the car. */
  | { kind: 'hold-expired' }
  /** Bytes the Driver wrote to the car's link (whatever caused them: a demand, a stop, a refresh). */
  | { kind: 'write'; bytes: Uint8Array }
  /** The simulated car's pose (as often as the simulator steps; a listener throttles for itself). */
  | { kind: 'pose'; pose: Pose }
  /** A client connected (after its `welcome`: a listener may greet it) or its connection ended. */
  | { kind: 'client'; client: string; joined: boolean };

export type CarEventListener = (event: CarEvent) => void;

export class CarEvents {
  private readonly listeners = new Set<CarEventListener>();

  constructor(private readonly report: (err: Error) => void) {}

  /** True when anyone listens: emitters skip building events nobody would read. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: CarEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: CarEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.report(err as Error);
      }
    }
  }
}
