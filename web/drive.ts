// One place that turns the analog inputs (joystick, keyboard, gamepad) into drive messages.
//
// The server stops the car when drive input goes quiet for longer than its watchdog (limits.watchdogMs),
// so while any input is held the latest position is re-sent at a steady rate even if it did not change.
// When the last held input lets go, one explicit stop is sent at once rather than waiting for the watchdog.

import { wireAxis, type Vector } from './demand.js';
import type { ClientMessage } from './messages.js';

export type InputSource = 'joystick' | 'keyboard' | 'gamepad';

export interface DriveLoopOptions {
  /** `droppable`: a refresh that may be skipped when the network is congested (the next one follows). */
  send(message: ClientMessage, droppable?: boolean): boolean;
  /** False for a spectator or while disconnected: nothing is sent (the server would refuse it). */
  canDrive(): boolean;
  rateHz?: number;
  /** Milliseconds, monotonic (tests inject a fake clock). */
  now?: () => number;
}

/** Position changes faster than this are coalesced, keeping a twitchy mouse under the server's rate limit. */
const MIN_GAP_MS = 25;

export class DriveLoop {
  private readonly held = new Map<InputSource, Vector>();
  /** The source that moved last wins while several are held. */
  private latest: InputSource | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = -Infinity;
  private periodMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: DriveLoopOptions) {
    this.periodMs = 1000 / (opts.rateHz ?? 20);
    this.now = opts.now ?? (() => performance.now());
  }

  /** Keeps the refresh well inside the server's watchdog (at least three sends per watchdog period). */
  fitWatchdog(watchdogMs: number): void {
    this.periodMs = Math.max(MIN_GAP_MS, Math.min(1000 / (this.opts.rateHz ?? 20), watchdogMs / 3));
  }

  /** An input moved (vector) or let go (null). */
  set(source: InputSource, vector: Vector | null): void {
    if (vector) {
      this.held.set(source, vector);
      this.latest = source;
      this.changed();
      return;
    }
    if (!this.held.delete(source)) return;
    if (this.held.size === 0) {
      this.stop();
      return;
    }
    if (this.latest === source) this.latest = [...this.held.keys()].pop() ?? null;
    this.changed();
  }

  /** Stop now, whatever is held (the stop button, the space bar, the page losing focus). */
  stop(): void {
    this.reset();
    if (this.opts.canDrive()) this.opts.send({ type: 'stop' });
  }

  /** Forgets held inputs without sending anything (the seat was lost, or the socket closed). */
  reset(): void {
    this.held.clear();
    this.latest = null;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get active(): boolean {
    return this.held.size > 0;
  }

  private changed(): void {
    const since = this.now() - this.lastSentAt;
    if (since >= MIN_GAP_MS) this.flush();
    else this.schedule(MIN_GAP_MS - since);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delayMs);
  }

  /** Sends the current position and arranges the next refresh. */
  private flush(): void {
    this.timer = undefined;
    const source = this.latest;
    const v = source ? this.held.get(source) : undefined;
    if (!source || !v || !this.opts.canDrive()) return;
    const x = wireAxis(v.x);
    const y = wireAxis(v.y);
    this.opts.send({ type: 'drive', x, y }, true);
    this.lastSentAt = this.now();
    this.schedule(this.periodMs);
  }
}
