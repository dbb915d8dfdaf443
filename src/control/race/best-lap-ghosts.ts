/**
 * "Race my best lap" (docs/races.md): the best lap of each driver on each simulated car is kept with its
 * input (lap-trace.ts, best-laps.ts), with no recording needed, and on `race-best-lap` a ghost drives it in
 * the arena (the ghost yard's, with its bounds: it is one of the ghosts at once, and counts against the
 * asker's address) while its driver races it live.
 *
 * Who may ask: the person whose best lap it is (the name their lap was set under), which the car's driver
 * asking for their own is; anyone else, a spectator without a lap on the car, gets `not_driver` and nothing
 * happens. With --token, a client that presented it. A ghost moves only its own simulated car (ghost.ts).
 *
 * With a data folder, the laps kept outlive a restart (best-laps-file.ts), but those set under a default
 * name: "Driver 3" is somebody else in the next run.
 */
import type { Demand, Pose } from '../../vehicle/index.js';
import type { CarEvent } from '../car/car-events.js';
import type { CarWorld } from '../car/car-world.js';
import type { ClientSession } from '../connection/client-session.js';
import type { GhostYard } from '../ghost/ghost-yard.js';
import type { Logger } from '../log.js';
import { bestLapScript } from './best-lap-script.js';
import { BestLaps } from './best-laps.js';
import type { BestLapsFile } from './best-laps-file.js';
import type { DriverNames } from './driver-names.js';
import { LapTraces } from './lap-trace.js';

export interface BestLapGhostsOptions {
  /** The simulated cars' worlds. */
  sims: readonly CarWorld[];
  ghosts: GhostYard;
  names: DriverNames;
  /** The clock the simulated cars' poses are stamped with (performance.now() on a server). */
  now: () => number;
  authRequired: boolean;
  log: Logger;
  /** Where the laps are kept across restarts (none: for this run only). */
  file?: BestLapsFile;
}

export class BestLapGhosts {
  private readonly traces = new LapTraces();
  private readonly best = new BestLaps();

  constructor(private readonly opts: BestLapGhostsOptions) {
    for (const lap of opts.file?.load() ?? []) this.best.offer(lap);
  }

  /** Writes the laps kept, if anything is pending. */
  close(): Promise<void> {
    return this.opts.file?.close() ?? Promise.resolve();
  }

  /** Something happened on a simulated car (its world's event stream). */
  event(car: string, event: CarEvent): void {
    switch (event.kind) {
      case 'demand':
        return this.traces.input(car, event.demand as Demand, this.opts.now());
      case 'watchdog':
      case 'hold-expired':
        return this.traces.input(car, null, this.opts.now());
      case 'place':
      case 'hold':
        return this.traces.void(car);
      case 'link':
        if (event.state !== 'connected') this.traces.void(car);
    }
  }

  /** The arena's lap counter started a lap of `car` at this pose (the simulator's step at `at`). */
  lapStarted(car: string, pose: Pose, at: number): void {
    this.traces.started(car, pose, at);
  }

  /** A lap of `car` ended at `pose`, driven by client `driver` (null: nobody held the seat). */
  lapEnded(car: string, driver: string | null, lapMs: number, end: { pose: Pose; at: number }): void {
    const trace = this.traces.finished(car, end.pose, end.at);
    if (trace === null || driver === null) return;
    const { names, file } = this.opts;
    const lap = { car, driver: names.nameOf(driver), lapMs, trace, ...(names.chose(driver) ? {} : { byDefault: true as const }) };
    if (!this.best.offer(lap)) return;
    this.world(car)?.client(driver)?.send({ type: 'best-lap', car, lapMs });
    file?.changed(() => this.best.all().filter((kept) => kept.byDefault === undefined));
  }

  /** A client of `car` came or set its name: told when it has a best lap there. */
  greet(car: string, session: ClientSession): void {
    const lap = this.best.get(car, this.opts.names.nameOf(session.id));
    if (lap !== undefined) session.send({ type: 'best-lap', car, lapMs: lap.lapMs });
  }

  /** `race-best-lap` from a client of `car`. */
  request(car: string, session: ClientSession): void {
    const world = this.world(car);
    if (this.opts.authRequired && !session.auth.authenticated) {
      return session.error('unauthorized', 'racing a best lap needs the token, as driving does: send {"type":"auth","token":...}', 'race-best-lap');
    }
    const name = this.opts.names.nameOf(session.id);
    const lap = world === undefined ? undefined : this.best.get(car, name);
    if (lap === undefined) return session.error(...this.noLap(car, world, session));
    const started = this.opts.ghosts.start(bestLapScript(lap, {
      codec: world!.summary().codec,
      limits: { watchdogMs: world!.limits.watchdogMs, refreshMs: world!.driver.refreshMs, maxSpeed: world!.driver.maxSpeed },
    }), session.address);
    if (!started.ok) return session.error('ghost_refused', started.message, 'race-best-lap');
    this.opts.log.info('best_lap_ghost', { client: session.id, car, ghost: started.ghost.id, lapMs: Math.round(lap.lapMs) });
  }

  private noLap(car: string, world: CarWorld | undefined, session: ClientSession): Parameters<ClientSession['error']> {
    if (world === undefined) return ['no_best_lap', `${car} is not simulated: the server sees no laps of a real car to race`, 'race-best-lap'];
    if (world.summary().driver === session.id) {
      return ['no_best_lap', `you have no lap on ${car} yet: drive one (the start line, every checkpoint, the line again), then race it`, 'race-best-lap'];
    }
    return ['not_driver', `only ${car}'s driver, or someone with a best lap on ${car}, may race a best lap: you have none here`, 'race-best-lap'];
  }

  private world(car: string): CarWorld | undefined {
    return this.opts.sims.find((w) => w.name === car);
  }
}
