/**
 * The shared simulated arena: every `sim` car of the server in one frame, on one circuit (circuit.ts),
 * each on its own grid slot and in its own colour (car-colours.ts). It follows the cars' poses (their
 * worlds' `pose` events) and counts their laps (laps.ts). With two or more simulated cars it sends every
 * page of one the poses of all of them (`poses`, its own car's included, in place of that car's own
 * `telemetry`) at most 20 times a second: one JSON text for everyone, a few pages at a time
 * (fan-out.ts). With a single simulated car its `telemetry` says it all, and no `poses` are sent.
 */
import type { Pose } from '../../vehicle/index.js';
import type { CarWorld } from '../car/car-world.js';
import { carColours } from './car-colours.js';
import { CIRCUIT, gridSlot } from '../track/circuit.js';
import type { ClientSession } from '../connection/client-session.js';
import { LapCounter, type Lap } from './laps.js';
import type { ArenaCar, ArenaMessage } from '../protocol/messages.js';
import { FanOut } from '../connection/fan-out.js';
import { Throttle } from '../throttle.js';

/** Poses go out at most this often (20 Hz), like a car's own telemetry. */
const POSES_INTERVAL_MS = 50;

interface SimCar { name: string; world: CarWorld; slot: Pose }

/** Where a simulated car was when a lap started or ended, at the simulator's time of that pose. */
export interface LapPoint { pose: Pose; at: number }

export interface LapListener {
  /** A lap ended at `end` (the pose over the line). */
  lap(lap: Lap, end: LapPoint): void;
  /** A lap started at `start` (after the lap that ended there, if one did). */
  started?(car: string, start: LapPoint): void;
}

export class Arena {
  readonly cars: ArenaCar[];
  private readonly sims: SimCar[];
  private readonly poses = new Map<string, Pose>();
  private readonly laps = new LapCounter(CIRCUIT);
  private readonly feed: Throttle;
  private readonly fan = new FanOut();
  private readonly arenaJson: string;
  private readonly startedAt: number;

  constructor(
    worlds: readonly CarWorld[],
    sims: ReadonlySet<string>,
    private readonly now: () => number,
    private readonly listener: LapListener,
  ) {
    const colours = carColours(worlds.map((w) => w.name));
    this.cars = worlds.map((w) => ({ name: w.name, colour: colours.get(w.name)!, sim: sims.has(w.name) }));
    this.sims = worlds.filter((w) => sims.has(w.name)).map((world, i) => ({
      name: world.name, world, slot: gridSlot(i),
    }));
    for (const car of this.sims) this.poses.set(car.name, car.world.driver.pose!); // a simulated car always has one
    // With two or more, each page's own car comes in `poses` with the others: one text instead of two.
    if (this.sims.length > 1) for (const car of this.sims) car.world.muteTelemetry();
    const message: ArenaMessage = { type: 'arena', cars: this.cars, circuit: CIRCUIT };
    this.arenaJson = JSON.stringify(message);
    this.startedAt = now();
    this.feed = new Throttle(POSES_INTERVAL_MS, () => this.sendPoses(), now);
  }

  isSim(car: string): boolean {
    return this.sims.some((c) => c.name === car);
  }

  /** A simulated car moved (its world's `pose` event, at the simulator's time `at`). */
  pose(car: string, pose: Pose, at = this.now()): void {
    this.poses.set(car, pose);
    const starts = this.laps.starts(car);
    const lap = this.laps.move(car, pose, this.now());
    if (lap) this.listener.lap(lap, { pose, at });
    if (this.laps.starts(car) !== starts) this.listener.started?.(car, { pose, at });
    if (this.sims.length > 1) this.feed.notify();
  }

  /** A page of `car` connected: the arena, and (on a simulated car's page) where the cars are now. */
  greet(car: string, session: ClientSession): void {
    session.sendText(this.arenaJson);
    if (this.sims.length > 1 && this.isSim(car)) session.sendText(this.posesJson());
  }

  /**
   * Puts every simulated car back on its grid slot (a race is about to start; the cars are held, so
   * stopped). Their laps start afresh: being put somewhere is not driving there.
   */
  lineUp(): void {
    for (const car of this.sims) {
      this.laps.reset(car.name);
      car.world.place(car.slot);
    }
  }

  /** The race went: these cars' first lap starts now, from the grid past the line. */
  startLaps(cars: readonly string[], t: number): void {
    for (const car of cars) {
      if (!this.isSim(car)) continue;
      this.laps.startLap(car, t);
      this.listener.started?.(car, { pose: this.poses.get(car)!, at: t });
    }
  }

  close(): void {
    this.feed.cancel();
    this.fan.cancel();
  }

  private posesJson(): string {
    return JSON.stringify({ type: 'poses', t: Math.round(this.now() - this.startedAt), poses: Object.fromEntries(this.poses) });
  }

  /** To every page of a simulated car (not its camera), a few at a time (fan-out.ts): a page not reading skips them. */
  private sendPoses(): void {
    this.fan.send(this.posesJson(), this.sims.flatMap((car) => [...car.world.clients()].filter((session) => !session.camera)));
  }
}
