// One place that turns the analog inputs (joystick, keyboard, gamepad) into drive messages, at a
// bounded rate.
//
// The server stops the car when drive input goes quiet for longer than its watchdog (limits.watchdogMs),
// so while an input is held its position is re-sent at a steady rate even if it did not change. When
// the last held input lets go, one explicit stop is sent at once rather than waiting for the watchdog.
// Which input drives, and whether it may after a stop, is arming.ts.
//
// Pacing: one timer for every source, and every send at least MIN_GAP_MS after the previous one. So the
// page never sends more than 1000 / MIN_GAP_MS drive messages a second however fast and however many
// inputs move, far below the server's limit (limits.driveRatePerSecond, 60 by default), and a position
// is sent twice in a row only as the steady refresh.

import { Inputs, type InputSource } from './arming.js';
import { wireAxis, type Vector } from './demand.js';
import type { ClientMessage } from './messages.js';

export type { InputSource } from './arming.js';

export interface DriveLoopOptions {
  /** `droppable`: a drive message that may be skipped when the network is congested (the next follows). */
  send(message: ClientMessage, droppable?: boolean): boolean;
  /** False for a spectator or while disconnected: nothing is sent (the server would refuse it). */
  canDrive(): boolean;
  rateHz?: number;
  /** Milliseconds, monotonic (tests inject a fake clock). */
  now?: () => number;
}

/** The least time between two drive messages: at most 33 a second, under the page's budget of 40. */
export const MIN_GAP_MS = 30;

export class DriveLoop {
  private readonly inputs = new Inputs();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The position last sent, null when the last thing sent (or owed) was a stop. */
  private lastSent: { x: number; y: number } | null = null;
  private lastSentAt = -Infinity;
  private periodMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: DriveLoopOptions) {
    this.periodMs = Math.max(MIN_GAP_MS, 1000 / (opts.rateHz ?? 20));
    this.now = opts.now ?? (() => performance.now());
  }

  /** Keeps the refresh well inside the server's watchdog (at least three sends per watchdog period). */
  fitWatchdog(watchdogMs: number): void {
    this.periodMs = Math.max(MIN_GAP_MS, Math.min(1000 / (this.opts.rateHz ?? 20), watchdogMs / 3));
  }

  /** An input moved (vector) or let go (null). Reported whether or not the page may drive just now. */
  set(source: InputSource, vector: Vector | null): void {
    this.inputs.report(source, vector);
    this.pump();
  }

  /**
   * A stop, for any reason: sends nothing, disarms every held input (arming.ts) and forgets the running
   * drive. True when a drive message went out since the last stop, i.e. the car may be moving because
   * of this loop and the caller owes the server a stop.
   */
  halt(): boolean {
    this.inputs.disarm();
    this.cancel();
    const owed = this.lastSent !== null;
    this.lastSent = null;
    return owed;
  }

  /** A drive message went out since the last stop. */
  get driving(): boolean {
    return this.lastSent !== null;
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends what is due now (a new position, the refresh, or the stop on letting go) and arranges the next. */
  private pump(): void {
    this.cancel();
    const demand = this.opts.canDrive() ? this.inputs.demand() : null;
    if (!demand) {
      if (this.lastSent !== null && this.opts.canDrive()) this.opts.send({ type: 'stop' });
      this.lastSent = null;
      return;
    }
    const x = wireAxis(demand.x);
    const y = wireAxis(demand.y);
    const changed = this.lastSent === null || this.lastSent.x !== x || this.lastSent.y !== y;
    const wait = this.lastSentAt + (changed ? MIN_GAP_MS : this.periodMs) - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.pump(), wait);
      return;
    }
    this.opts.send({ type: 'drive', x, y }, true);
    this.lastSent = { x, y };
    this.lastSentAt = this.now();
    this.timer = setTimeout(() => this.pump(), this.periodMs);
  }
}
