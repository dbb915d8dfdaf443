/**
 * Counts laps of the simulated cars from their poses: a lap is the start line crossed forwards, then
 * every checkpoint crossed forwards in order, then the start line crossed forwards again. So a car that
 * drives the track backwards, cuts across the infield past a checkpoint, or backs over the line and
 * crosses it again gains nothing. Pure: the caller gives each pose with its time.
 *
 * - The start line crossed forwards ends a lap when every checkpoint was passed since the last crossing,
 *   and always starts a new one (a car that missed a checkpoint starts afresh from the line).
 * - The start line crossed backwards voids the lap in progress.
 * - A checkpoint crossed backwards must be passed again (and every one after it).
 */
import type { Circuit, Point } from '../protocol/messages.js';
import { crossing } from '../track/track-geometry.js';

export interface Lap {
  car: string;
  /** From the crossing that started it to the one that ended it, milliseconds. */
  lapMs: number;
  /** When it ended (the caller's clock). */
  at: number;
}

interface Progress {
  /** The last place seen; null after a reset (the next pose is a new start, not a move). */
  at: Point | null;
  /** A lap is under way: the line was crossed forwards (or the race went) and not crossed back since. */
  started: boolean;
  /** The checkpoint to pass next; equal to the number of checkpoints when all are passed. */
  next: number;
  startedAt: number;
  /** Laps started so far (a crossing forwards, or a race's go): a change says a lap started. */
  starts: number;
}

export class LapCounter {
  private readonly cars = new Map<string, Progress>();

  constructor(private readonly circuit: Circuit) {}

  /** The car is at `pose` at time `t`; returns the lap this move completed, if it did. */
  move(car: string, pose: Point, t: number): Lap | null {
    const progress = this.progress(car);
    const from = progress.at;
    progress.at = { x: pose.x, y: pose.y };
    if (from === null) return null;
    const line = crossing(from, progress.at, this.circuit.startLine);
    if (line === 'forward') {
      const lap = progress.started && progress.next === this.circuit.checkpoints.length
        ? { car, lapMs: t - progress.startedAt, at: t }
        : null;
      Object.assign(progress, { started: true, next: 0, startedAt: t, starts: progress.starts + 1 });
      return lap;
    }
    if (line === 'backward') {
      progress.started = false;
      return null;
    }
    this.circuit.checkpoints.forEach((gate, i) => {
      const through = crossing(from, progress.at!, gate);
      if (through === 'forward' && progress.started && i === progress.next) progress.next += 1;
      else if (through === 'backward' && i < progress.next) progress.next = i;
    });
    return null;
  }

  /** The car was put somewhere else (the grid): its next pose is where it stands, not a move. */
  reset(car: string): void {
    Object.assign(this.progress(car), { at: null, started: false, next: 0 });
  }

  /** A lap starts now without crossing the line (a race's go, the cars on the grid past the line). */
  startLap(car: string, t: number): void {
    const progress = this.progress(car);
    Object.assign(progress, { started: true, next: 0, startedAt: t, starts: progress.starts + 1 });
  }

  /** How many laps of the car have started: it changes when a lap starts. */
  starts(car: string): number {
    return this.progress(car).starts;
  }

  private progress(car: string): Progress {
    let progress = this.cars.get(car);
    if (!progress) {
      progress = { at: null, started: false, next: 0, startedAt: 0, starts: 0 };
      this.cars.set(car, progress);
    }
    return progress;
  }
}
