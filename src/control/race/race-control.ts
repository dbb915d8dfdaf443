/**
 * Runs races on a server's cars: takes the race messages (race-start, race-end, lap-mark) from any car's
 * clients, holds every car for the countdown (car-world.ts's hold gate) with the simulated ones lined
 * up on the grid, lets them go, feeds the laps to the rules (race.ts), ends the race, and tells every
 * page. The rules are in race.ts; this file does the timers, the holds and the messages.
 *
 * Who may (docs/races.md, "Who runs a race"): a marshal (marshal.ts) anything; otherwise, with a token,
 * no one else; without one, the driver of a car in the race once it runs, and before go the driver of
 * any car. A spectator cannot start or end races for everyone. Only one race at a time, for all the cars.
 */
import type { CarWorld } from '../car/car-world.js';
import type { Arena } from './arena.js';
import type { ClientSession } from '../connection/client-session.js';
import type { DriverNames } from './driver-names.js';
import type { Logger } from '../log.js';
import type { RaceMessage } from '../protocol/messages.js';
import type { RaceRequest } from '../car/dispatch.js';
import { may } from '../connection/policy.js';
import { Race, type LapVerdict } from './race.js';

export interface RaceControlOptions {
  worlds: readonly CarWorld[];
  arena: Arena;
  names: DriverNames;
  now: () => number; // monotonic milliseconds
  log: Logger;
  /** A token is set: its holders marshal, and nobody else runs races. */
  authRequired: boolean;
  /** Every change of the race, for pages that are not a car's (the lobby's feed). */
  onChange: (message: RaceMessage) => void;
  /** "3, 2, 1, go" (default 3000 ms). */
  countdownMs?: number;
  /** Once the first car has finished, the others have this long to finish (default 60 s). */
  finishGraceMs?: number;
}

const HOLD_REASON = 'a race is about to start: drive at go';

export class RaceControl {
  private readonly race = new Race();
  private readonly seats = new Map<string, { driver: string | null; reserved: boolean }>();
  private timer: NodeJS.Timeout | null = null;
  /** The next race's "3, 2, 1, go" (from the options; a test may stretch it, to look at the pages while it counts). */
  countdownMs: number;
  private readonly finishGraceMs: number;

  constructor(private readonly opts: RaceControlOptions) {
    this.countdownMs = opts.countdownMs ?? 3000;
    this.finishGraceMs = opts.finishGraceMs ?? 60_000;
    for (const world of opts.worlds) this.seats.set(world.name, { driver: null, reserved: false });
  }

  /** The race as pages see it now. */
  message(): RaceMessage {
    return this.race.message(this.opts.now());
  }

  greet(session: ClientSession): void {
    session.send(this.message());
  }

  /** A race message from a client of `car` (its world's dispatch, car/dispatch.ts). */
  handle(car: string, session: ClientSession, request: RaceRequest): void {
    const inRace = this.race.phase !== 'running' || this.race.hasEntrant(car);
    const refusal = may(session, 'race', { driver: this.seats.get(car)?.driver ?? null, authRequired: this.opts.authRequired, inRace });
    if (refusal) return session.error(refusal.code, refusal.message, request.type);
    switch (request.type) {
      case 'race-start':
        return this.start(session, request.laps);
      case 'race-end':
        return this.end(session);
      case 'lap-mark':
        return this.mark(session, request.car);
    }
  }

  /** Who holds a car's seat (its world's `seat` event). */
  seat(car: string, driver: string | null, reserved: boolean): void {
    this.seats.set(car, { driver, reserved });
    if (this.race.seat(car, driver, reserved, this.nameOf(driver))) this.settle();
  }

  /** The arena counted a lap of a simulated car. */
  lap(car: string, lapMs: number): void {
    this.after(this.race.lap(car, lapMs, this.opts.now()));
  }

  /** A client set its name: the standings of the cars it races show it. */
  renamed(client: string): void {
    if (this.race.rename(client, this.opts.names.nameOf(client))) this.broadcast();
  }

  close(): void {
    this.clearTimer();
  }

  private start(session: ClientSession, laps: number): void {
    const { phase } = this.race;
    if (phase === 'countdown' || phase === 'running') {
      return session.error('race_state', 'a race is under way; it can be ended first (race-end)', 'race-start');
    }
    if (![...this.seats.values()].some((s) => s.driver !== null)) {
      return session.error('race_state', 'no car has a driver to race it', 'race-start');
    }
    this.race.countdown(laps, this.opts.now() + this.countdownMs);
    for (const world of this.opts.worlds) world.hold(HOLD_REASON); // stopped first ...
    this.opts.arena.lineUp(); // ... then on the grid
    this.opts.log.info('race_start', { client: session.id, laps });
    this.setTimer(this.countdownMs, () => this.go());
    this.broadcast();
  }

  private go(): void {
    const now = this.opts.now();
    const entrants = this.opts.worlds
      .map((w) => ({ car: w.name, ...this.seats.get(w.name)! }))
      .filter((s) => s.driver !== null || s.reserved)
      .map((s) => ({ car: s.car, driver: s.driver, name: this.nameOf(s.driver) }));
    this.race.go(entrants, now);
    this.opts.arena.startLaps(entrants.map((e) => e.car), now);
    for (const world of this.opts.worlds) world.release();
    this.opts.log.info('race_go', { cars: entrants.map((e) => e.car).join(',') });
    this.settle();
  }

  private end(session: ClientSession): void {
    const who = this.opts.names.nameOf(session.id);
    if (this.race.phase === 'countdown') {
      this.clearTimer();
      this.race.callOff(`called off by ${who}`);
      for (const world of this.opts.worlds) world.release();
      this.opts.log.info('race_called_off', { client: session.id });
      return this.broadcast();
    }
    if (this.race.phase !== 'running') return session.error('race_state', 'no race is under way', 'race-end');
    this.opts.log.info('race_ended', { client: session.id });
    this.finish(`ended by ${who}`);
  }

  private mark(session: ClientSession, name: string): void {
    const world = this.opts.worlds.find((w) => w.name.toLowerCase() === name.toLowerCase());
    if (!world) {
      return session.error('unknown_car', `no car named '${name}'; the cars are: ${this.opts.worlds.map((w) => w.name).join(', ')}`, 'lap-mark');
    }
    if (this.opts.arena.isSim(world.name)) {
      return session.error('race_state', `${world.name} is simulated: the server counts its laps itself`, 'lap-mark');
    }
    const verdict = this.race.mark(world.name, this.opts.now());
    if (verdict === 'ignored') return session.error('race_state', `${world.name} is not racing now`, 'lap-mark');
    if (verdict === null) return session.error('race_state', `a lap of ${world.name} was marked a moment ago: one press per lap`, 'lap-mark');
    this.opts.log.info('lap_mark', { client: session.id, car: world.name });
    this.after(verdict);
  }

  /** A driver's name now: the standings keep it after they left. */
  private nameOf(driver: string | null): string | null {
    return driver === null ? null : this.opts.names.nameOf(driver);
  }

  private after(verdict: LapVerdict): void {
    if (verdict === 'ignored') return;
    if (verdict === 'finished' && this.timer === null) {
      // The first car home: the others have a while to finish, so one car left parked cannot keep the race open.
      this.setTimer(this.finishGraceMs, () => this.finish(`the others had ${Math.round(this.finishGraceMs / 1000)} s after the winner to finish`));
    }
    this.settle();
  }

  /** Ends the race when every car has finished or is out; tells everyone either way. */
  private settle(): void {
    if (this.race.phase === 'running' && this.race.allDone) return this.finish();
    this.broadcast();
  }

  private finish(note?: string): void {
    this.clearTimer();
    this.race.end(this.opts.now(), note);
    this.opts.log.info('race_finished', { note });
    this.broadcast();
  }

  private broadcast(): void {
    const message = this.message();
    const json = JSON.stringify(message);
    for (const world of this.opts.worlds) world.broadcast(json);
    this.opts.onChange(message);
  }

  private setTimer(ms: number, run: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      run();
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
