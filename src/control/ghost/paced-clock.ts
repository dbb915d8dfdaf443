/**
 * A ghost's own time (ghost.ts): a VirtualClock that keeps pace with the server's clock, but never moves
 * more than MAX_LATE_MS past the timer it woke for. When the process stalls (a busy machine holds the event
 * loop 250 ms and more) the ghost's time pauses instead, and goes on from where it was: every timer of the
 * ghost fires at its own due time, so its script stays on its timeline and is never ended for falling
 * behind (the replay's 250 ms rule protects a real car: src/recording/replay.ts).
 *
 * Bounded: a wake fires at most MAX_FIRES_PER_WAKE timers, and the VirtualClock's own guard stops a timer
 * re-arming itself as time stands still. Such a wake, or a ghost's timer that throws, stops this clock
 * and goes to `onFault`, which ends the ghost: a bug in a ghost's world ends that ghost, never holds the
 * server's event loop. Only the ghost's own simulator, Driver and script run on it; the yard, the pages and
 * every car of the fleet keep the server's clock.
 */
import { VirtualClock, type Clock, type ClockTimer } from '../../vehicle/index.js';

/** How late a wake may be and still move the ghost's time by all of it; beyond, the rest is a pause. */
export const MAX_LATE_MS = 100;
/**
 * Timers one wake may fire. A wake covers MAX_LATE_MS of the ghost's time at most past its own timer, in
 * which a ghost's world has a few (a simulator step every 50 ms, a refresh, the script's next step).
 */
export const MAX_FIRES_PER_WAKE = 1_000;

export class PacedClock implements Clock {
  readonly #inner: VirtualClock;
  /** How far the ghost's time is behind the server's: the stalls it sat out. */
  #behind = 0;
  #wake: ClockTimer | null = null;
  /** The ghost's time the wake is set for. */
  #wakeAt = Infinity;
  /** Inside a wake: the ghost's time is where its timers put it. */
  #ticking = false;
  #stopped = false;

  constructor(private readonly base: Clock, private readonly onFault: (err: Error) => void) {
    this.#inner = new VirtualClock(base.now());
  }

  now(): number {
    this.#catchUp();
    return this.#inner.now();
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    this.#catchUp();
    const timer = this.#inner.setTimeout(fn, ms);
    this.#schedule();
    return timer;
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    this.#catchUp();
    const timer = this.#inner.setInterval(fn, ms);
    this.#schedule();
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#inner.clearTimeout(timer);
  }

  /** The ghost is gone (or its world went wrong): no more wakes, its time stands still. */
  stop(): void {
    this.#stopped = true;
    if (this.#wake !== null) this.base.clearTimeout(this.#wake);
    this.#wake = null;
  }

  /** The ghost's time were it to keep pace with the server's now. */
  #paced(): number {
    return this.base.now() - this.#behind;
  }

  /** Outside a wake, the ghost's time moves with the server's up to, never onto, its next timer. */
  #catchUp(): void {
    if (this.#ticking || this.#stopped) return;
    const to = this.#paced();
    const next = this.#inner.nextAt;
    if (to > this.#inner.now() && (next === null || to < next)) this.#inner.runUntil(to); // fires nothing
  }

  readonly #tick = (): void => {
    this.#wake = null;
    this.#wakeAt = Infinity;
    if (this.#stopped) return;
    let to = this.#paced();
    const due = this.#inner.nextAt ?? to;
    if (to - due > MAX_LATE_MS) { // the process stalled: the ghost sits the rest out
      this.#behind += to - due - MAX_LATE_MS;
      to = due + MAX_LATE_MS;
    }
    this.#ticking = true;
    try {
      this.#inner.runUntil(to, MAX_FIRES_PER_WAKE);
    } catch (err) {
      this.stop();
      this.onFault(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      this.#ticking = false;
    }
    this.#schedule();
  };

  /** Wakes when the ghost's next timer is due (sooner than a wake already set, if it is). */
  #schedule(): void {
    if (this.#stopped || this.#ticking) return; // a wake schedules the next once its timers are done
    const next = this.#inner.nextAt;
    if (next === null || next >= this.#wakeAt) return;
    if (this.#wake !== null) this.base.clearTimeout(this.#wake);
    this.#wakeAt = next;
    this.#wake = this.base.setTimeout(this.#tick, Math.max(0, next - this.#paced()), { unref: true });
  }
}
