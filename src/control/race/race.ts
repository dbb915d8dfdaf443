/**
 * The rules of one race, as plain state (no timers, no sockets: race-control.ts does those):
 * countdown → running → finished, the cars in it, their laps and the order they are in.
 *
 * - The cars that race are those with a driver at go, or whose seat is held for a driver reconnecting.
 * - A lap counts for a car that is racing: from the arena's lap counter (simulated cars) or from a
 *   marshal's mark (real cars; a mark within MIN_MARK_GAP_MS of the last is a double press, refused).
 * - A car has finished when it has done the race's laps; its time is from go to the end of that lap.
 * - A car is out while nobody drives it: its driver left and the seat was not taken back within the
 *   resume window (a spectator who takes the seat goes on with the car: the race is the car's, and
 *   the laps are each driver's). It is back in if someone takes the seat before the race ends.
 * - The order: finished cars by time; then the others by laps, the one that reached that many first
 *   ahead; cars that are out last.
 */
import type { RaceMessage, RacePhase, Standing } from '../protocol/messages.js';

/** A marshal's mark this soon after the last one (or go) is taken for a double press. */
export const MIN_MARK_GAP_MS = 2000;

interface Entry {
  car: string;
  /** The client driving it now, or the last one who did. */
  driver: string | null;
  /** That driver's name, as it was when they drove it: kept after they left. */
  name: string | null;
  laps: number;
  lastLapMs: number | null;
  bestLapMs: number | null;
  /** When its last lap ended (or go): the tie-break between cars on the same lap, and the marks' clock. */
  lastLapAt: number;
  finishMs: number | null;
  out: boolean;
}

export type LapVerdict = 'counted' | 'finished' | 'ignored';

export class Race {
  phase: RacePhase = 'none';
  laps = 0;
  note: string | undefined;
  private goAt = 0;
  private endedAt = 0;
  private readonly entries = new Map<string, Entry>();

  /** A new race of `laps` laps is counting down to `goAt`; the last result is dropped. */
  countdown(laps: number, goAt: number): void {
    this.phase = 'countdown';
    this.laps = laps;
    this.goAt = goAt;
    this.note = undefined;
    this.entries.clear();
  }

  /** Go: these cars race (each with its driver's name). With none, the race is over before it began. */
  go(entrants: ReadonlyArray<{ car: string; driver: string | null; name: string | null }>, now: number): void {
    this.goAt = now;
    for (const { car, driver, name } of entrants) {
      this.entries.set(car, { car, driver, name, laps: 0, lastLapMs: null, bestLapMs: null, lastLapAt: now, finishMs: null, out: false });
    }
    this.phase = 'running';
    if (entrants.length === 0) this.end(now, 'no car had a driver at go');
  }

  /** Whether the car is in this race (racing, finished or out); none is before go. */
  hasEntrant(car: string): boolean {
    return this.entries.has(car);
  }

  isRacing(car: string): boolean {
    const entry = this.entries.get(car);
    return this.phase === 'running' && entry !== undefined && !entry.out && entry.finishMs === null;
  }

  /** A lap ended for `car`, `lapMs` long. */
  lap(car: string, lapMs: number, now: number): LapVerdict {
    const entry = this.entries.get(car);
    if (!entry || !this.isRacing(car)) return 'ignored';
    entry.laps += 1;
    entry.lastLapMs = lapMs;
    entry.bestLapMs = entry.bestLapMs === null ? lapMs : Math.min(entry.bestLapMs, lapMs);
    entry.lastLapAt = now;
    if (entry.laps < this.laps) return 'counted';
    entry.finishMs = now - this.goAt;
    return 'finished';
  }

  /** A marshal's mark for a real car: a lap from its last mark (or go) to now; null if too soon. */
  mark(car: string, now: number): LapVerdict | null {
    const entry = this.entries.get(car);
    if (!entry || !this.isRacing(car)) return 'ignored';
    if (now - entry.lastLapAt < MIN_MARK_GAP_MS) return null;
    return this.lap(car, now - entry.lastLapAt, now);
  }

  /**
   * Who holds the car's seat now. Nobody, and not held for a reconnecting driver either: the car is out
   * (and back in if someone takes the seat before the race ends). `name`: the new driver's. True when
   * its standing changed.
   */
  seat(car: string, driver: string | null, reserved: boolean, name: string | null): boolean {
    const entry = this.entries.get(car);
    if (!entry || this.phase !== 'running' || entry.finishMs !== null) return false;
    const before = `${entry.driver} ${entry.name} ${entry.out}`;
    if (driver !== null) Object.assign(entry, { driver, name });
    entry.out = driver === null && !reserved;
    return `${entry.driver} ${entry.name} ${entry.out}` !== before;
  }

  /** A driver changed their name: the cars they drive now, still racing, show it. True when one did. */
  rename(driver: string, name: string): boolean {
    const racing = [...this.entries.values()].filter((e) => e.driver === driver && this.isRacing(e.car));
    for (const entry of racing) entry.name = name;
    return racing.length > 0;
  }

  /** Every car has finished or is out. */
  get allDone(): boolean {
    return [...this.entries.values()].every((e) => e.out || e.finishMs !== null);
  }

  get anyFinished(): boolean {
    return [...this.entries.values()].some((e) => e.finishMs !== null);
  }

  end(now: number, note?: string): void {
    this.phase = 'finished';
    this.endedAt = now;
    this.note = note;
  }

  /** The countdown was called off: no race, no result. */
  callOff(note: string): void {
    this.phase = 'none';
    this.note = note;
    this.entries.clear();
  }

  standings(): Standing[] {
    const rank = (e: Entry) => (e.finishMs !== null ? 0 : e.out ? 2 : 1);
    return [...this.entries.values()]
      .sort((a, b) => rank(a) - rank(b)
        || (a.finishMs ?? 0) - (b.finishMs ?? 0)
        || b.laps - a.laps
        || a.lastLapAt - b.lastLapAt)
      .map((e, i) => ({
        position: i + 1, car: e.car, driver: e.name, laps: e.laps,
        lastLapMs: e.lastLapMs, bestLapMs: e.bestLapMs, finishMs: e.finishMs,
        status: e.finishMs !== null ? 'finished' : e.out ? 'out' : 'racing',
      }));
  }

  message(now: number): RaceMessage {
    const message: RaceMessage = { type: 'race', phase: this.phase, laps: this.laps, standings: this.standings() };
    if (this.phase === 'countdown') message.startsInMs = Math.max(0, Math.round(this.goAt - now));
    if (this.phase === 'running') message.elapsedMs = Math.round(now - this.goAt);
    if (this.phase === 'finished') message.elapsedMs = Math.round(this.endedAt - this.goAt);
    if (this.note !== undefined) message.note = this.note;
    return message;
  }
}
