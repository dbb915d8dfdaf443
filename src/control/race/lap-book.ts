/**
 * Every lap counted since the server started, per car and per driver: how many, the last and the best.
 * A driver is who held the car's seat when the lap ended (their name, or their client id). Drivers are
 * kept in a bounded list (the most recent first to stay): a server up for weeks must not grow with every
 * visitor who ever drove a lap.
 */
import type { CarLaps, DriverLaps, LapsMessage } from '../protocol/messages.js';

const MAX_DRIVERS = 50;

export class LapBook {
  private readonly cars = new Map<string, CarLaps>();
  private readonly drivers = new Map<string, DriverLaps>();

  constructor(carNames: readonly string[]) {
    for (const car of carNames) this.cars.set(car, { car, laps: 0, lastMs: null, bestMs: null, driver: null });
  }

  record(car: string, driver: string | null, lapMs: number): void {
    const entry = this.cars.get(car);
    if (!entry) return;
    Object.assign(entry, { laps: entry.laps + 1, lastMs: lapMs, bestMs: best(entry.bestMs, lapMs), driver });
    if (driver === null) return;
    const previous = this.drivers.get(driver);
    this.drivers.delete(driver); // re-inserted last: the Map's order is the order of their latest laps
    this.drivers.set(driver, { driver, laps: (previous?.laps ?? 0) + 1, bestMs: best(previous?.bestMs ?? null, lapMs) });
    if (this.drivers.size > MAX_DRIVERS) this.drivers.delete(this.drivers.keys().next().value!);
  }

  message(): LapsMessage {
    return {
      type: 'laps',
      cars: [...this.cars.values()].map((c) => ({ ...c })),
      // Fastest first; drivers without a best (none yet) cannot happen: a driver is added with a lap.
      drivers: [...this.drivers.values()].map((d) => ({ ...d })).sort((a, b) => (a.bestMs ?? Infinity) - (b.bestMs ?? Infinity)),
    };
  }
}

function best(current: number | null, lapMs: number): number {
  return current === null ? lapMs : Math.min(current, lapMs);
}
