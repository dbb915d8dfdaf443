/**
 * A best lap as a ghost's script (ghost/ghost.ts): its demands handed to the ghost's own Driver at their
 * times from the lap's start, on the ghost's own simulated car, which starts where the lap did. With the
 * live car's codec and limits (watchdog, refresh, speed ceiling), the same Driver code makes the same bytes
 * at the same times, so the ghost drives the lap again (docs/races.md "Exactness"). Like a replay
 * (src/recording/replay.ts, docs/safety.md "Replay"), it stops its car at the lap's end, when it is
 * stopped, and when it falls MAX_LAG_MS behind its timeline (which on a ghost's own time, paused through a
 * stall, it does not: ghost/paced-clock.ts).
 */
import type { Clock, ClockTimer, CodecName, Driver } from '../../vehicle/index.js';
import type { GhostRun, GhostScript } from '../ghost/ghost-yard.js';
import type { BestLap } from './best-laps.js';

/** Falling this far behind the lap's timeline ends the ghost, as a replay's does. */
export const MAX_LAG_MS = 250;

export interface CarDriving {
  codec: CodecName;
  limits: GhostScript['limits'];
}

export function bestLapScript(lap: BestLap, car: CarDriving): GhostScript {
  return {
    label: `ghost · ${lap.driver}'s best lap`,
    codec: car.codec,
    limits: car.limits,
    start: lap.trace.start,
    durationMs: lap.trace.durationMs,
    play: (driver, clock) => new TracePlayer(lap, driver, clock).run(),
  };
}

export type TraceOutcome = 'done' | 'stopped' | 'behind';

class TracePlayer {
  private next = 0;
  private timer: ClockTimer | null = null;
  private readonly startedAt: number;
  private finish: ((outcome: TraceOutcome) => void) | null = null;

  constructor(private readonly lap: BestLap, private readonly driver: Driver, private readonly clock: Clock) {
    this.startedAt = clock.now();
  }

  run(): GhostRun {
    const done = new Promise<TraceOutcome>((resolve) => {
      this.finish = resolve;
    });
    this.due();
    return { done, stop: () => this.end('stopped') };
  }

  /**
   * The clock's time a step (or the end) `t` from the lap's start is due: always this one sum, as a replay's
   * (src/recording/replay.ts). A timer set for `at(t) - now` then fires at `at(t)` itself, or one rounding
   * short of it and once more exactly. Comparing `now - startedAt` with `t` instead left the wait, at a
   * server's fractional times, below the clock's precision: the timer fired at the same instant, found the
   * step not yet due, and re-armed itself there for ever on a virtual clock (a ghost's own time).
   */
  private at(t: number): number {
    return this.startedAt + t;
  }

  /** Plays every step due by now, then waits for the next (or the end). */
  private readonly due = (): void => {
    this.timer = null;
    const { steps, durationMs } = this.lap.trace;
    const now = this.clock.now();
    const nextAt = () => this.at(this.next < steps.length ? steps[this.next].t : durationMs);
    if (now - nextAt() > MAX_LAG_MS) return this.end('behind');
    while (this.next < steps.length && this.at(steps[this.next].t) <= now) this.driver.drive(steps[this.next++].demand);
    if (this.next >= steps.length && this.at(durationMs) <= now) return this.end('done');
    this.timer = this.clock.setTimeout(this.due, Math.max(0, nextAt() - now));
  };

  private end(outcome: TraceOutcome): void {
    const finish = this.finish;
    if (finish === null) return;
    this.finish = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.driver.stop(); // whatever ended it, the ghost's car ends stopped
    finish(outcome);
  }
}
