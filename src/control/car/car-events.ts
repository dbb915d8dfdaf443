/**
 * What happens in one car's world, as plain values, for whoever listens without being part of it: the
 * session recorder, the race marshal, a test. Listeners are called synchronously on the command path,
 * so they must be quick (copy and queue, never wait), and one that throws is reported and skipped: a
 * bug in a listener must never stop a command reaching the car, nor the car from stopping.
 */
import type { Demand, Pose } from '../../vehicle/index.js';
import type { ClientMessage, ErrorCode, LinkState } from '../protocol/messages.js';

export type CarEvent =
  /** A message a client of this car sent, once the car took it (see CarEvents.receive): only the fields its
   *  schema names. A message refused with an error reply is a `refusal` instead. */
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
  /** Bytes the Driver wrote to the car's link (whatever caused them: a demand, a stop, a refresh); `at`:
   *  when the link took them, on the car's clock (a listener may hear of it later: the pose a simulated car
   *  reports inside the write, and whoever listens to that, come first). */
  | { kind: 'write'; bytes: Uint8Array; at: number }
  /** The simulated car's pose (as often as the simulator steps; a listener throttles for itself), and the
   *  simulator's time of it, on the car's clock. */
  | { kind: 'pose'; pose: Pose; at: number }
  /** A race holds the car for its countdown: drive demands are refused (`held`), a moving car is stopped. */
  | { kind: 'hold'; reason: string }
  /** The hold lifted: the race went (or was called off). */
  | { kind: 'release' }
  /** The server put the simulated car at `pose`, at rest (a race lining the cars up on the grid). */
  | { kind: 'place'; pose: Pose }
  /** A client connected (after its `welcome`: a listener may greet it) or its connection ended. */
  | { kind: 'client'; client: string; joined: boolean };

export type CarEventListener = (event: CarEvent) => void;
type MessageEvent = Extract<CarEvent, { kind: 'message' }>;

export class CarEvents {
  private readonly listeners = new Set<CarEventListener>();
  /** The message being handled, told once it is known not to be refused (receive()). */
  private pending: MessageEvent | null = null;

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

  /**
   * Runs `handle` for a client's message and tells listeners of the message only if it was taken: just
   * before the first event its handling causes (so they hear the message, then its demand and bytes), or
   * once `handle` returns. A refusal of that client's meanwhile (an error reply: no token, not the
   * driver, a wrong token) is told instead of the message, so what a client was refused never reaches a
   * listener as if it had been done.
   */
  receive(message: MessageEvent, handle: () => void): void {
    this.pending = message;
    try {
      handle();
    } finally {
      this.tellPending();
    }
  }

  emit(event: CarEvent): void {
    if (this.pending !== null) {
      if (event.kind === 'refusal' && event.client === this.pending.client) this.pending = null;
      else this.tellPending();
    }
    this.tell(event);
  }

  private tellPending(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) this.tell(pending);
  }

  private tell(event: CarEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.report(err as Error);
      }
    }
  }
}
