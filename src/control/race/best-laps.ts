/**
 * The best lap of each driver on each simulated car, with its trace (lap-trace.ts), so a ghost can drive it
 * (best-lap-ghosts.ts): only the best, one per car and driver (by the name the lap book shows). Bounded like
 * the lap book: at most MAX_KEPT laps and MAX_KEPT_BYTES of traces; the lap set longest ago goes first.
 */
import type { LapTrace } from './lap-trace.js';

/** Laps kept at once, over every car and driver. */
export const MAX_KEPT = 24;
/** Their traces' bytes together (each is at most lap-trace.ts's MAX_TRACE_BYTES). */
export const MAX_KEPT_BYTES = 4 * 1024 * 1024;

export interface BestLap {
  car: string;
  /** The driver's name when the lap ended. */
  driver: string;
  lapMs: number;
  trace: LapTrace;
  /** The driver went by the server's default ("Driver 3"): the lap is not saved, as that name is someone
   *  else's in the server's next run (best-laps-file.ts). */
  byDefault?: true;
}

export class BestLaps {
  /** By car and driver; the Map's order is the order they were set in. */
  private readonly laps = new Map<string, BestLap>();
  private bytes = 0;

  /** Keeps the lap if it is this driver's best on this car; true when it was kept. */
  offer(lap: BestLap): boolean {
    const key = keyOf(lap.car, lap.driver);
    const previous = this.laps.get(key);
    if (previous !== undefined && previous.lapMs <= lap.lapMs) return false;
    this.drop(key);
    this.laps.set(key, lap);
    this.bytes += lap.trace.bytes;
    for (const oldest of this.laps.keys()) {
      if (this.laps.size <= MAX_KEPT && this.bytes <= MAX_KEPT_BYTES) break;
      this.drop(oldest);
    }
    return this.laps.has(key);
  }

  get(car: string, driver: string): BestLap | undefined {
    return this.laps.get(keyOf(car, driver));
  }

  /** Every lap kept, in the order they were set. */
  all(): BestLap[] {
    return [...this.laps.values()];
  }

  private drop(key: string): void {
    const lap = this.laps.get(key);
    if (lap === undefined) return;
    this.laps.delete(key);
    this.bytes -= lap.trace.bytes;
  }
}

/** Names are printable (no line breaks: the name schema), so a newline cannot be part of either. */
function keyOf(car: string, driver: string): string {
  return `${car}\n${driver}`;
}
