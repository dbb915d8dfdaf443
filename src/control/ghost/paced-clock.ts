/**
 * A ghost's own time: a VirtualClock that follows the server's clock, but never by more than a step's delay
 * plus MAX_LATE_MS at once. A ghost's world (its simulator, Driver and script) is its own, so when the
 * process stalls (a busy machine: the event loop held up by other work for 250 ms and more) the ghost's time
 * simply pauses, and goes on where it was: every timer of the ghost fires at its own due time, so its replay
 * stays exactly on its timeline and is never ended for falling behind (the replay's 250 ms rule, which
 * protects a real car, src/recording/replay.ts). Nothing outside the ghost runs on it.
 */
import { VirtualClock, type Clock, type ClockTimer } from '../../vehicle/index.js';

/** How late a wake may be and still move the ghost's time by all of it; beyond, the rest is a pause. */
export const MAX_LATE_MS = 100;

export class PacedClock implements Clock {
  readonly #inner: VirtualClock;
  /** The server's time when the ghost's time last moved. */
  #lastBase: number;
  #wake: ClockTimer | null = null;
  /** The ghost's time the wake is set for, and the delay it was set with. */
  #wakeAt = Infinity;
  #wakeDelay = 0;
  #stopped = false;
  /** Inside a wake: the ghost's time is where its timers say, and must not jump to the server's. */
  #ticking = false;

  constructor(private readonly base: Clock) {
    this.#lastBase = base.now();
    this.#inner = new VirtualClock(this.#lastBase);
  }

  now(): number {
    this.#idle();
    return this.#inner.now();
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    this.#idle();
    const timer = this.#inner.setTimeout(fn, ms);
    this.#schedule();
    return timer;
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    this.#idle();
    const timer = this.#inner.setInterval(fn, ms);
    this.#schedule();
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#inner.clearTimeout(timer);
  }

  /** The ghost is gone: no more wakes. */
  stop(): void {
    this.#stopped = true;
    if (this.#wake !== null) this.base.clearTimeout(this.#wake);
    this.#wake = null;
  }

  /** With nothing due and outside a wake, the ghost's time catches up with the server's: nothing can fire. */
  #idle(): void {
    if (!this.#ticking && this.#inner.nextAt === null) this.#follow(Infinity);
  }

  /** Moves the ghost's time on by the server's elapsed time, at most `cap`, firing what falls due. */
  #follow(cap: number): void {
    const base = this.base.now();
    const step = Math.min(base - this.#lastBase, cap);
    this.#lastBase = base;
    this.#inner.runUntil(this.#inner.now() + Math.max(0, step));
  }

  readonly #tick = (): void => {
    this.#wake = null;
    this.#wakeAt = Infinity;
    this.#ticking = true;
    try {
      this.#follow(this.#wakeDelay + MAX_LATE_MS);
    } finally {
      this.#ticking = false;
    }
    this.#schedule();
  };

  /** Wakes when the ghost's next timer is due (sooner than a wake already set, if it is). */
  #schedule(): void {
    const next = this.#inner.nextAt;
    if (this.#stopped || next === null || next >= this.#wakeAt) return;
    if (this.#wake !== null) this.base.clearTimeout(this.#wake);
    this.#wakeAt = next;
    this.#wakeDelay = Math.max(0, next - this.#inner.now());
    this.#wake = this.base.setTimeout(this.#tick, this.#wakeDelay, { unref: true });
  }
}
