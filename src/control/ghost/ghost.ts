/**
 * One ghost: a simulated car of its own, outside the fleet (no seat, no page, no client can drive it), and
 * the script that drives it (a recording's replay: src/recording/ghost-script.ts). It is built here, not
 * by whoever asks: a ghost can only ever move this simulator, never a real car's link. When its script
 * ends, or it is removed, the script stops its car (the replay's own end) and the link is closed after a
 * stop of our own, as every car's close does (driver.ts). All of it runs on the ghost's own time
 * (paced-clock.ts), which pauses while the process stalls, so a busy machine never cuts a ghost short; a
 * fault of that world (a timer re-arming itself for ever, one that throws) ends the ghost, its car stopped.
 */
import { Driver, SimLink, type Clock, type CodecName, type Pose } from '../../vehicle/index.js';
import { createCodec } from '../../vehicle/index.js';
import type { GhostCar } from '../protocol/messages.js';
import { PacedClock } from './paced-clock.js';

/** What a ghost replays: where its car starts, with which codec and limits, and what drives it. */
export interface GhostScript {
  /** Shown on every map beside the ghost: "ghost · Ada's drive". */
  label: string;
  codec: CodecName;
  /** The Driver's limits, as the recorded session ran them (its watchdog, refresh and speed ceiling). */
  limits: { watchdogMs: number; refreshMs: number; maxSpeed?: number };
  /** Where the car stands at the start (the recording's pose at t = 0); the grid's pole when unknown. */
  start: Pose | null;
  durationMs: number;
  /** Drives `driver` on `clock` from now; `done` settles once the script is over and the car stopped. */
  play(driver: Driver, clock: Clock): GhostRun;
}

export interface GhostRun {
  done: Promise<unknown>;
  /** Ends the script now; the car is stopped. */
  stop(): void;
}

const ORIGIN: Pose = { x: 0, y: 0, heading: 0, speed: 0 };

/** How a ghost's script ended: `fault` says what went wrong in its world, null for its own end. */
export type GhostEnd = (fault: Error | null) => void;

export class Ghost {
  readonly driver: Driver;
  /** The ghost's own time: nothing but its simulator, Driver and script runs on it. */
  readonly #clock: PacedClock;
  #run: GhostRun | null = null;
  #onEnd: GhostEnd | null = null;
  #fault: Error | null = null;
  #ended = false;
  #closed = false;

  /** `clock`: the server's, which the ghost's own time keeps pace with. */
  constructor(readonly id: string, readonly colour: string, private readonly script: GhostScript, clock: Clock) {
    this.#clock = new PacedClock(clock, (err) => this.#faulted(err));
    const link = new SimLink({ clock: this.#clock, start: script.start ?? ORIGIN });
    const { watchdogMs, refreshMs, maxSpeed } = script.limits;
    this.driver = new Driver({ link, codec: createCodec(script.codec), watchdogMs, refreshMs, maxSpeed, clock: this.#clock });
  }

  get label(): string {
    return this.script.label;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** What every page is told of it. */
  listing(): GhostCar {
    return { id: this.id, label: this.script.label, colour: this.colour, pose: this.driver.pose ?? ORIGIN, ended: this.#ended };
  }

  /** Starts the car's link and its script; `onEnd` when the script is over (the car stopped). */
  async start(onEnd: GhostEnd): Promise<void> {
    this.#onEnd = onEnd;
    await this.driver.start(); // a simulator connects at once; its first byte is a stop
    if (this.#closed || this.#fault !== null) return;
    const run = this.script.play(this.driver, this.#clock);
    this.#run = run;
    run.done.then(() => this.#finish(), () => this.#finish());
  }

  /** Stops the script and the car, and closes the link (the stop is written first). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#run?.stop();
    this.driver.stop();
    return this.driver.close().finally(() => this.#clock.stop());
  }

  /** The ghost's time stopped on a fault (paced-clock.ts): its script and car are stopped, and it ends. */
  #faulted(err: Error): void {
    this.#fault = err;
    this.driver.stop();
    if (this.#run === null) this.#finish();
    else this.#run.stop(); // its `done` settles: #finish
  }

  #finish(): void {
    if (this.#ended) return;
    this.driver.stop(); // the script's end stopped it already; a second stop is no byte
    this.#ended = true;
    if (!this.#closed) this.#onEnd?.(this.#fault);
  }
}
