/**
 * Races on a server's cars, wired to them: the arena (arena.ts), the lap book (lap-book.ts), drivers'
 * names (driver-names.ts), the race (race-control.ts) and the lobby's feed (lobby-feed.ts), fed by the
 * cars' event streams (car-events.ts) and by their race and name messages, which each car's dispatch
 * hands to this raceway (car/dispatch.ts, RaceDesk). Nothing here is on a car's command path: a world
 * knows of races only through its hold gate. The server makes one Raceway for its fleet.
 */
import type { ArenaCar, CarListing } from '../protocol/messages.js';
import type { RaceDesk } from '../car/dispatch.js';
import type { CarEvent } from '../car/car-events.js';
import type { CarWorld } from '../car/car-world.js';
import type { Fleet } from '../fleet.js';
import { Arena, type LapPoint } from './arena.js';
import { BestLapGhosts } from './best-lap-ghosts.js';
import type { BestLapsFile } from './best-laps-file.js';
import type { GhostYard } from '../ghost/ghost-yard.js';
import { DriverNames } from './driver-names.js';
import { LapBook } from './lap-book.js';
import type { Lap } from './laps.js';
import { LobbyFeed } from './lobby-feed.js';
import type { Logger } from '../log.js';
import { RaceControl } from './race-control.js';

export class Raceway {
  readonly arena: Arena;
  readonly race: RaceControl;
  readonly feed: LobbyFeed;
  /** "Race my best lap": the best laps kept, and ghosts of them (null without a ghost yard). */
  readonly bestLaps: BestLapGhosts | null;
  private readonly names: DriverNames;
  private readonly book: LapBook;
  private readonly drivers = new Map<string, string | null>();
  /** By car: the driver whose seat is held for their resume token. */
  private readonly heldFor = new Map<string, string>();
  private readonly colours: Map<string, ArenaCar>;
  private readonly unlisten: Array<() => void>;

  /** `bestLapsFile`: where best laps are kept across restarts (best-laps-file.ts); without it, for this run. */
  constructor(private readonly fleet: Fleet, opts: { now: () => number; log: Logger; authRequired?: boolean; ghosts?: GhostYard; bestLapsFile?: BestLapsFile }) {
    const { worlds } = fleet;
    this.names = new DriverNames((client) => this.nameKeyOf(client));
    this.bestLaps = opts.ghosts === undefined ? null : new BestLapGhosts({
      sims: worlds.filter((w) => fleet.sims.has(w.name)), ghosts: opts.ghosts, names: this.names, now: opts.now,
      authRequired: opts.authRequired ?? false, log: opts.log, file: opts.bestLapsFile,
    });
    this.arena = new Arena(worlds, fleet.sims, opts.now, {
      lap: (lap, end) => this.onLap(lap, end),
      started: (car, start) => this.bestLaps?.lapStarted(car, start.pose, start.at),
    });
    this.colours = new Map(this.arena.cars.map((c) => [c.name, c]));
    this.book = new LapBook(worlds.map((w) => w.name));
    this.feed = new LobbyFeed({ cars: () => this.cars(), race: () => this.race.message() });
    this.race = new RaceControl({
      worlds, arena: this.arena, names: this.names, now: opts.now, log: opts.log, authRequired: opts.authRequired ?? false,
      onChange: (message) => this.feed.race(message),
    });
    this.unlisten = worlds.map((world) => world.events.listen((event) => this.onEvent(world, event)));
    const desk: RaceDesk = {
      race: (car, session, request) => this.race.handle(car, session, request),
      name: (session, name) => {
        this.names.set(session.id, name);
        this.race.renamed(session.id);
        const world = worlds.find((w) => w.client(session.id) === session);
        if (world) this.bestLaps?.greet(world.name, session);
      },
      bestLap: (car, session) => {
        if (this.bestLaps) this.bestLaps.request(car, session);
        else session.error('no_best_lap', 'this server keeps no best laps to race', 'race-best-lap');
      },
      nameOf: (id) => this.names.nameOf(id),
    };
    for (const world of worlds) world.takeRaces(desk);
  }

  /** Every car with its state, colour and driver's name: `GET /api/cars`, the lobby's list. */
  cars(): CarListing[] {
    return this.fleet.summaries().map((car) => ({
      ...car, colour: this.colours.get(car.name)!.colour, driverName: car.driver === null ? null : this.names.nameOf(car.driver),
    }));
  }

  /** Stops listening; resolves once the best laps are written (when they are kept in a file). */
  close(): Promise<void> {
    for (const stop of this.unlisten) stop();
    this.race.close();
    this.arena.close();
    this.feed.close();
    return this.bestLaps?.close() ?? Promise.resolve();
  }

  private onEvent(world: CarWorld, event: CarEvent): void {
    if (this.fleet.sims.has(world.name)) this.bestLaps?.event(world.name, event);
    switch (event.kind) {
      case 'pose':
        return this.arena.pose(world.name, event.pose, event.at);
      case 'seat':
        this.seatChanged(world.name, event.driver, event.reserved);
        return this.race.seat(world.name, event.driver, event.reserved);
      case 'client':
        return this.onClient(world, event.client, event.joined);
    }
  }

  /**
   * Who holds a car's seat now. A seat held for a departed driver is only ever taken back by that driver
   * (a resume: seat.ts refuses everyone else while it is held), so its next driver is the same person under
   * a new client id, and keeps their default name.
   */
  private seatChanged(car: string, driver: string | null, reserved: boolean): void {
    const before = this.drivers.get(car) ?? null;
    const held = this.heldFor.get(car);
    this.heldFor.delete(car);
    if (driver === null && reserved && before !== null) this.heldFor.set(car, before);
    if (driver !== null && held !== undefined) this.names.inherit(driver, held);
    this.drivers.set(car, driver);
  }

  /** A connected client's name key (its welcome's), on whichever car it is. */
  private nameKeyOf(client: string): string | undefined {
    for (const world of this.fleet.worlds) {
      const session = world.client(client);
      if (session !== undefined) return session.nameKey;
    }
    return undefined;
  }

  private onClient(world: CarWorld, client: string, joined: boolean): void {
    if (!joined) return this.names.forget(client);
    const session = world.client(client);
    if (!session || session.camera) return; // a camera page shows no map and no race
    this.arena.greet(world.name, session);
    session.send(this.book.message());
    this.race.greet(session);
  }

  private onLap(lap: Lap, end: LapPoint): void {
    const driver = this.drivers.get(lap.car) ?? null;
    this.bestLaps?.lapEnded(lap.car, driver, lap.lapMs, end);
    this.book.record(lap.car, driver === null ? null : this.names.nameOf(driver), lap.lapMs);
    const json = JSON.stringify(this.book.message());
    for (const world of this.fleet.worlds) world.broadcast(json);
    this.race.lap(lap.car, lap.lapMs);
  }
}
