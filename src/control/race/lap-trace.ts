/**
 * The input of each simulated car's lap in progress, so a ghost can drive it again (best-lap-ghosts.ts):
 * every demand the car's Driver was handed (what a recorder sees: the driver's, another client's stop, the
 * server's own stop) and the Driver's own stops (watchdog, a hold's end), at their times from the lap's
 * start, with the pose it started from. The simulator is a function of its bytes and their times (sim-car.ts),
 * so the same demands at the same times from the same pose drive the same lap.
 *
 * - A lap starts on a step of the simulator (its pose's time), but a demand whose event came before that
 *   pose's may be later than it (the step's timer was late): the last few demands are kept, and at a start
 *   the one in force then opens the trace at t = 0 (a timed command with what is left of its hold), the
 *   later ones follow at their own times.
 * - Bounded: a lap in progress past MAX_TRACE_STEPS, MAX_TRACE_BYTES or the longest ghost is dropped (not
 *   kept, whatever its time). Being put somewhere (a race's grid) or the link going down voids it.
 */
import type { Demand, Pose } from '../../vehicle/index.js';
import { MAX_GHOST_MS } from '../ghost/ghost-yard.js';

/** Steps of one lap: a driver at the full message rate for minutes is far below this. */
export const MAX_TRACE_STEPS = 20_000;
/** Bytes of one lap's steps, as counted by stepBytes. */
export const MAX_TRACE_BYTES = 512 * 1024;
/** Demands kept from before a lap's start, to find the one in force then. */
const RECENT = 8;
const STOP: Demand = { kind: 'command', name: 'stop' };

export interface TraceStep {
  /** Milliseconds from the lap's start. */
  t: number;
  demand: Demand;
}

export interface LapTrace {
  car: string;
  /** Where the lap started (a step of the simulator, or the grid at a race's go). */
  start: Pose;
  /** Where it ended: the step over the line. */
  end: Pose;
  durationMs: number;
  steps: TraceStep[];
  /** The steps' size (stepBytes), for the keeper's bounds. */
  bytes: number;
}

interface Progress {
  start: Pose;
  startAt: number;
  steps: TraceStep[];
  bytes: number;
}

/** About what a step holds in memory: its demand as JSON and its time. */
export function stepBytes(step: TraceStep): number {
  return JSON.stringify(step.demand).length + 16;
}

export class LapTraces {
  /** The last few demands of each car, at their absolute times. */
  private readonly recent = new Map<string, TraceStep[]>();
  private readonly laps = new Map<string, Progress>();

  /** A demand handed to the car's Driver at `t`, or a stop the Driver made itself (demand null). */
  input(car: string, demand: Demand | null, t: number): void {
    const step = { t, demand: demand ?? STOP };
    const recent = this.recent.get(car) ?? [];
    recent.push(step);
    if (recent.length > RECENT) recent.shift();
    this.recent.set(car, recent);
    const lap = this.laps.get(car);
    if (lap !== undefined) this.add(car, lap, { t: t - lap.startAt, demand: step.demand });
  }

  /** A lap of `car` started at `pose`, the simulator's step at `at`. */
  started(car: string, pose: Pose, at: number): void {
    const recent = this.recent.get(car) ?? [];
    const before = recent.filter((s) => s.t <= at);
    const lap: Progress = { start: pose, startAt: at, steps: [], bytes: 0 };
    this.laps.set(car, lap);
    const inForce = before.at(-1);
    if (inForce !== undefined) this.add(car, lap, { t: 0, demand: remainder(inForce, at) });
    for (const step of recent.filter((s) => s.t > at)) this.add(car, lap, { t: step.t - at, demand: step.demand });
  }

  /** A lap of `car` ended at `pose` (`at`): its trace, unless it was voided or outgrew its bounds. */
  finished(car: string, pose: Pose, at: number): LapTrace | null {
    const lap = this.laps.get(car);
    this.laps.delete(car);
    if (lap === undefined || at - lap.startAt > MAX_GHOST_MS) return null;
    const durationMs = at - lap.startAt;
    const steps = lap.steps.filter((s) => s.t < durationMs); // a demand heard before the last step's pose
    return { car, start: lap.start, end: pose, durationMs, steps, bytes: steps.reduce((sum, s) => sum + stepBytes(s), 0) };
  }

  /** The lap in progress cannot be driven again: the car was put somewhere, or its link went down. */
  void(car: string): void {
    this.laps.delete(car);
  }

  private add(car: string, lap: Progress, step: TraceStep): void {
    lap.bytes += stepBytes(step);
    lap.steps.push(step);
    if (lap.steps.length > MAX_TRACE_STEPS || lap.bytes > MAX_TRACE_BYTES || step.t > MAX_GHOST_MS) this.void(car);
  }
}

/** The demand in force at `at`: a timed one with what is left of its hold (none left: the stop it became). */
function remainder(step: TraceStep, at: number): Demand {
  const { demand } = step;
  if (demand.kind === 'analog' || demand.durationMs === undefined) return demand;
  const left = demand.durationMs - (at - step.t);
  return left > 0 ? { ...demand, durationMs: left } : STOP;
}
