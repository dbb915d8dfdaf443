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
//
// Arming on the server: after any stop this page did not send itself (the watchdog, a seat change, ...)
// the server refuses a push until it has seen the driver at neutral (src/control/car/rearm-gate.ts). The
// page's own arming has checked every input by then, so the first push after a halt goes right after a
// stop of the page's own, which re-arms the server: a fresh press drives at once, and a page that missed
// the stop (frozen, old) cannot restart the car by repeating its last push.
//
// A frozen page: while driving, the loop sends every periodMs. If its refresh runs late by more than
// LATE_SHARE of the watchdog (a stopped renderer, a long task, a phone that paused the tab), the page was
// frozen and the server's watchdog may have stopped the car meanwhile: it disarms every input and sends
// a stop instead of the held position, and the held inputs drive again only once let go or centred.

import { Inputs, type InputSource } from './arming.js';
import { wireAxis, type Vector } from './demand.js';
import type { ClientMessage } from './messages.js';

export type { InputSource } from './arming.js';

/** The server's watchdog until its welcome says otherwise (limits.watchdogMs). */
const DEFAULT_WATCHDOG_MS = 500;

export interface DriveLoopOptions {
  /** `droppable`: a drive message that may be skipped when the network is congested (the next follows). */
  send(message: ClientMessage, droppable?: boolean): boolean;
  /** False for a spectator or while disconnected: nothing is sent (the server would refuse it). */
  canDrive(): boolean;
  rateHz?: number;
  /** Milliseconds, monotonic (tests inject a fake clock). */
  now?: () => number;
  /** Wall-clock milliseconds (Date.now): the second witness of a freeze, since some browsers stop the
   *  monotonic clock while the device sleeps. */
  wallNow?: () => number;
  /** The page was frozen for `gapMs` while driving: the loop has disarmed every input and sent the stop;
   *  the page lets go of the rest (main.ts). */
  stalled?(gapMs: number): void;
}

/** The least time between two drive messages: at most 33 a second, under the page's budget of 40. */
export const MIN_GAP_MS = 30;

/**
 * The refresh running late by more than this share of the server's watchdog means the page was frozen:
 * 250 ms by default, five missed refreshes at 20 Hz, so nothing is sent for 300 ms. That is more than a busy
 * page's timers slip (tens of ms; a major GC pause is about 100 ms; 170 ms at worst was measured in Chromium
 * on a machine with a load average of 35), and well before the server's watchdog (500 ms), so a freeze long
 * enough for the watchdog to have fired is always seen on waking, with 200 ms to spare for the network
 * delaying the next message more than the last.
 */
export const LATE_SHARE = 0.5;

export class DriveLoop {
  private readonly inputs = new Inputs();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The position last sent, null when the last thing sent (or owed) was a stop. */
  private lastSent: { x: number; y: number } | null = null;
  private lastSentAt = -Infinity;
  private lastSentWall = -Infinity;
  /** A halt happened since this page's last stop: the server may hold its pushes until it sees one. */
  private owesArming = true;
  private periodMs: number;
  private stallMs: number;
  private readonly now: () => number;
  private readonly wallNow: () => number;

  constructor(private readonly opts: DriveLoopOptions) {
    this.periodMs = Math.max(MIN_GAP_MS, 1000 / (opts.rateHz ?? 20));
    this.stallMs = this.stallFor(DEFAULT_WATCHDOG_MS);
    this.now = opts.now ?? (() => performance.now());
    this.wallNow = opts.wallNow ?? (() => Date.now());
  }

  /** Keeps the refresh well inside the server's watchdog (at least three sends per watchdog period). */
  fitWatchdog(watchdogMs: number): void {
    this.periodMs = Math.max(MIN_GAP_MS, Math.min(1000 / (this.opts.rateHz ?? 20), watchdogMs / 3));
    this.stallMs = this.stallFor(watchdogMs);
  }

  /** Nothing sent for this long while driving: the refresh, due after periodMs, ran late by LATE_SHARE of the watchdog. */
  private stallFor(watchdogMs: number): number {
    return this.periodMs + watchdogMs * LATE_SHARE;
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
    this.owesArming = true;
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
    if (this.lastSent !== null) {
      const gap = Math.max(this.now() - this.lastSentAt, this.wallNow() - this.lastSentWall);
      if (gap > this.stallMs) return this.woke(gap);
    }
    const demand = this.opts.canDrive() ? this.inputs.demand() : null;
    if (!demand) {
      if (this.lastSent !== null && this.opts.canDrive()) this.stop();
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
    if (this.owesArming) this.stop(); // re-arms the server for this fresh push
    this.opts.send({ type: 'drive', x, y }, true);
    this.lastSent = { x, y };
    this.lastSentAt = this.now();
    this.lastSentWall = this.wallNow();
    this.timer = setTimeout(() => this.pump(), this.periodMs);
  }

  private stop(): void {
    this.opts.send({ type: 'stop' });
    this.owesArming = false;
  }

  /** The page was frozen while driving: the held position is stale, and the car may have been stopped. */
  private woke(gapMs: number): void {
    const owed = this.halt();
    if (owed && this.opts.canDrive()) this.stop();
    this.opts.stalled?.(gapMs);
  }
}
