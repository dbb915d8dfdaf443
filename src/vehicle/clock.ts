// The time the Driver's timers and the simulator run on. Live, that is the process's monotonic clock and
// its timers (SYSTEM_CLOCK). A replay that needs no real car runs the same Driver and simulator on a
// VirtualClock instead: time jumps from one timer to the next, so a whole session replays at once and
// exactly the same way every time.

export type ClockTimer = object;

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** `unref`: the timer alone must not keep the process alive. */
  setTimeout(fn: () => void, ms: number, options?: { unref?: boolean }): ClockTimer;
  /** Every `ms`, on the grid of its first call (a late call does not shift the next). */
  setInterval(fn: () => void, ms: number, options?: { unref?: boolean }): ClockTimer;
  /** Cancels a timeout or an interval. */
  clearTimeout(timer: ClockTimer): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms, options) {
    const timer = setTimeout(fn, ms);
    if (options?.unref) timer.unref();
    return timer;
  },
  setInterval(fn, ms, options) {
    const timer = setInterval(fn, ms);
    if (options?.unref) timer.unref();
    return timer;
  },
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout), // Node's clears intervals too
};

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  /** An interval's period. */
  every?: number;
  /** When the timer is due, it fires at firingTime(due) instead (once). */
  firingTime?: (due: number) => number;
}

/**
 * More timers than this fired within one millisecond of virtual time is a timer re-arming itself (at once,
 * or a rounding later): runUntil throws ClockRunaway instead of spinning for ever, since time would never
 * reach its end (a live timer waits 1 ms at least, so the same bug only wastes a little time there).
 */
export const MAX_FIRES_PER_MS = 10_000;

/** A VirtualClock's run that would never end, or outgrew its budget; the clock is as it was before that timer. */
export class ClockRunaway extends Error {
  override readonly name = 'ClockRunaway';
}

/** Time that moves only when asked to, firing due timers in order (ties in the order they were set). */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: VirtualTimer[] = []; // sorted by (at, seq)
  /** The runaway guard's window: where its millisecond began, and how many timers fired in it. */
  #windowAt = -Infinity;
  #windowFires = 0;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** When the next timer is due; null when none is set (a paced clock wakes then: src/control/ghost/paced-clock.ts). */
  get nextAt(): number | null {
    return this.#timers.find((timer) => !timer.cancelled)?.at ?? null;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.#add({ at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false });
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    const every = Math.max(1, ms);
    return this.#add({ at: this.#now + every, seq: this.#seq++, fn, cancelled: false, every });
  }

  clearTimeout(timer: ClockTimer): void {
    (timer as VirtualTimer).cancelled = true;
  }

  /** A view of this clock whose timers fire at `firingTime(due)` rather than when due (never earlier). */
  withTimerLateness(firingTime: (due: number) => number): Clock {
    return {
      now: () => this.#now,
      setTimeout: (fn, ms) => this.#add({
        at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false, firingTime,
      }),
      setInterval: (fn, ms) => this.setInterval(fn, ms),
      clearTimeout: (timer) => this.clearTimeout(timer),
    };
  }

  /**
   * Fires every timer due up to `t` (and those they set, if due by then), then sets the time to `t`. Throws
   * ClockRunaway, leaving the timer about to fire in place, past `maxFires` timers in this call or
   * MAX_FIRES_PER_MS within a millisecond of virtual time.
   */
  runUntil(t: number, maxFires = Infinity): void {
    let fired = 0;
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.at > t) break;
      this.#timers.shift();
      if (next.cancelled) continue;
      if (next.firingTime !== undefined) {
        const at = Math.max(next.at, next.firingTime(next.at));
        next.firingTime = undefined;
        if (at > next.at) {
          next.at = at;
          this.#add(next);
          continue;
        }
      }
      this.#guard(next, ++fired, maxFires);
      this.#now = Math.max(this.#now, next.at);
      const fn = next.fn;
      if (next.every !== undefined) {
        // The same object goes back in, so the handle the caller holds still cancels it.
        next.at += next.every;
        next.seq = this.#seq++;
        this.#add(next);
      }
      fn();
    }
    this.#now = Math.max(this.#now, t);
  }

  /** Throws ClockRunaway (the timer back in its place) when firing `timer` would be one too many. */
  #guard(timer: VirtualTimer, fired: number, maxFires: number): void {
    if (timer.at >= this.#windowAt + 1) {
      this.#windowAt = timer.at;
      this.#windowFires = 0;
    }
    let why: string | null = null;
    if (++this.#windowFires > MAX_FIRES_PER_MS) why = `${MAX_FIRES_PER_MS} timers fired within 1 ms of virtual time`;
    else if (fired > maxFires) why = `more than ${maxFires} timers fired in one run`;
    if (why === null) return;
    this.#windowFires--;
    this.#add(timer);
    throw new ClockRunaway(`${why} at ${timer.at} ms: a timer re-arming itself as time stands still`);
  }

  /** Fires timers until none is left, or until `limit` (a runaway guard); returns the time reached. */
  runAll(limit = Infinity): number {
    for (;;) {
      const next = this.#timers.find((timer) => !timer.cancelled);
      if (next === undefined || next.at > limit) return this.#now;
      this.runUntil(next.at);
    }
  }

  #add(timer: VirtualTimer): VirtualTimer {
    let i = this.#timers.length;
    while (i > 0 && (this.#timers[i - 1].at > timer.at || (this.#timers[i - 1].at === timer.at && this.#timers[i - 1].seq > timer.seq))) i--;
    this.#timers.splice(i, 0, timer);
    return timer;
  }
}
