// The default link: an in-process simulated i-Racer. It decodes the bytes it is sent exactly as a car
// would (with the driver's codec, so both protocols can be simulated) and moves as sim-car.ts says: a pure
// function of the bytes and the times they arrive, so the same bytes at the same times always end in the
// same place (a recorded session replays to the same spot). Its timer only reports the pose: every step
// while moving, and once at rest. Time comes from `clock` (clock.ts): the process's own, or a virtual one.

import type { Decoder } from '../codec.js';
import type { Intent } from '../demand.js';
import { SYSTEM_CLOCK, type Clock, type ClockTimer } from '../clock.js';
import type { CarModel, Pose } from '../kinematics.js';
import type { Link, LinkState } from '../link.js';
import type { LinkSpec } from '../link-spec.js';
import { SafeEmitter } from '../safe-emitter.js';
import { SimCar } from '../sim-car.js';

export interface SimOptions {
  tickMs?: number; // default 50 (20 Hz)
  car?: CarModel;
  /** Where the car stands when the link is made (default the origin): its place in a shared arena, or
   *  where a replayed session began. */
  start?: Pose;
  clock?: Clock;
}

export class SimLink extends SafeEmitter implements Link {
  readonly spec: LinkSpec = { kind: 'sim' };
  #state: LinkState = 'closed';
  readonly #car: SimCar;
  readonly #clock: Clock;
  #timer: ClockTimer | null = null;
  /** The step the timer is set for. */
  #timerAt: number | null = null;

  constructor(opts: SimOptions = {}) {
    super();
    this.#car = new SimCar(opts);
    this.#clock = opts.clock ?? SYSTEM_CLOCK;
  }

  get state(): LinkState {
    return this.#state;
  }

  get pose(): Pose {
    return this.#car.pose;
  }

  /** What the simulated car is doing, as decoded from the last bytes it received. */
  get motion(): Intent {
    return this.#car.motion;
  }

  /** Makes the simulated car speak another protocol (the driver calls this with its codec's decoder). */
  useDecoder(decoder: Decoder): void {
    this.#car.useDecoder(decoder);
  }

  /**
   * Puts the car at `pose`, at rest, at once (a race lines the cars up on the grid). Only a stopped car
   * may be moved: one that is being driven must not jump under its driver. False (nothing moved) otherwise.
   */
  place(pose: Pose): boolean {
    if (!this.#car.place(pose)) return false;
    this.emit('pose', this.#car.pose, this.#clock.now());
    return true;
  }

  async open(): Promise<void> {
    if (this.#state !== 'closed') return;
    this.#state = 'connected';
    this.emit('state', this.#state);
  }

  write(bytes: Uint8Array): boolean {
    if (this.#state !== 'connected') return false;
    this.#car.write(bytes, this.#clock.now(), this.#report);
    this.#schedule();
    return true;
  }

  /** The simulator takes every write at once. */
  writeNow(bytes: Uint8Array): boolean {
    return this.write(bytes);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#cancel();
    this.#state = 'closed';
    this.emit('state', this.#state);
  }

  /** `at`: the simulator's time of the pose (a step's, or the time the car came to rest). */
  readonly #report = (pose: Pose, at: number): void => {
    this.emit('pose', pose, at);
  };

  /** Sets the timer for the next step (a timer that fires a little early just waits again). */
  #schedule(): void {
    const next = this.#car.nextStepAt;
    if (next === this.#timerAt) return;
    this.#cancel();
    if (next === null) return;
    this.#timerAt = next;
    this.#timer = this.#clock.setTimeout(this.#tick, Math.max(0, next - this.#clock.now()));
  }

  readonly #tick = (): void => {
    this.#timer = null;
    this.#timerAt = null;
    this.#car.advance(this.#clock.now(), this.#report);
    this.#schedule();
  };

  #cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = null;
  }
}
