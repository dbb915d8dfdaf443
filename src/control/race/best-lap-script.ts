/**
 * A best lap as a ghost's script (ghost/ghost.ts): its demands handed to the ghost's own Driver at their
 * times from the lap's start, on the ghost's own simulated car, which starts where the lap did. With the
 * live car's codec and limits (watchdog, refresh, speed ceiling), the same Driver code makes the same bytes
 * at the same times, so the ghost drives the lap again (as exactly as the machine's timers: docs/races.md).
 * Like a replay (src/recording/replay.ts, docs/safety.md "Replay"), it stops its car at the lap's end, when
 * it is stopped, and when it falls MAX_LAG_MS behind its timeline.
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

  /** Plays every step due by now, then waits for the next (or the end). */
  private readonly due = (): void => {
    this.timer = null;
    const { steps, durationMs } = this.lap.trace;
    const elapsed = this.clock.now() - this.startedAt;
    const nextAt = this.next < steps.length ? steps[this.next].t : durationMs;
    if (elapsed - nextAt > MAX_LAG_MS) return this.end('behind');
    while (this.next < steps.length && steps[this.next].t <= elapsed) this.driver.drive(steps[this.next++].demand);
    if (this.next >= steps.length && elapsed >= durationMs) return this.end('done');
    const wait = (this.next < steps.length ? steps[this.next].t : durationMs) - elapsed;
    this.timer = this.clock.setTimeout(this.due, Math.max(0, wait));
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
