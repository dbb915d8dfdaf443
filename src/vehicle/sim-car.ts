// The simulated car's motion as a pure function of the bytes it gets and the times they arrive. It steps
// the kinematic model on a fixed grid of tickMs, starting when the car sets off from rest: a byte takes
// effect from the next grid point (as a car polling its radio would), and a byte that leaves the car
// without drive (stop, or steering only) brings it to rest at once, where the last step left it. No
// timer and no clock in here: the same bytes at the same times give the same poses, live (links/sim.ts)
// or replayed from a recording, which is what makes a recorded session replay to the same spot.

import type { Decoder } from './codec.js';
import { decodeIracerByte } from './codecs/iracer.js';
import { STOP, type Intent } from './demand.js';
import { controls, DEFAULT_CAR, ORIGIN, step, type CarModel, type Pose } from './kinematics.js';

export const DEFAULT_TICK_MS = 50;

export type PoseListener = (pose: Pose, at: number) => void;

export interface SimCarOptions {
  tickMs?: number;
  car?: CarModel;
  /** Where the car starts (default the origin, at rest). */
  start?: Pose;
}

export class SimCar {
  readonly tickMs: number;
  readonly #car: CarModel;
  #decode: Decoder = decodeIracerByte;
  #pose: Pose;
  #motion: Intent = STOP;
  /** The grid's origin while moving; null at rest. */
  #setOff: number | null = null;
  #ticks = 0;

  constructor(opts: SimCarOptions = {}) {
    this.tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
    this.#car = opts.car ?? DEFAULT_CAR;
    this.#pose = Object.freeze({ ...(opts.start ?? ORIGIN), speed: 0 });
  }

  get pose(): Pose {
    return this.#pose;
  }

  get motion(): Intent {
    return this.#motion;
  }

  /** The time of the next step while the car moves; null at rest. */
  get nextStepAt(): number | null {
    return this.#setOff === null ? null : this.#setOff + (this.#ticks + 1) * this.tickMs;
  }

  /** Puts a car that has been told to stop at `pose`, at rest; false (nothing moved) for any other. */
  place(pose: Pose): boolean {
    if (this.#motion.direction !== 'stop') return false;
    this.#pose = Object.freeze({ x: pose.x, y: pose.y, heading: pose.heading, speed: 0 });
    return true;
  }

  useDecoder(decoder: Decoder): void {
    this.#decode = decoder;
  }

  /** Steps up to time `t` (ms); each step's pose goes to `onPose` with the step's time. */
  advance(t: number, onPose: PoseListener): void {
    for (let next = this.nextStepAt; next !== null && next <= t; next = this.nextStepAt) {
      this.#pose = Object.freeze(step(this.#pose, this.#motion, this.tickMs / 1000, this.#car));
      this.#ticks++;
      onPose(this.#pose, next);
    }
  }

  /** Bytes arrive at time `t`: the car moves as before up to `t`, then as the bytes say. */
  write(bytes: Uint8Array, t: number, onPose: PoseListener): void {
    this.advance(t, onPose);
    for (const b of bytes) this.#motion = this.#decode(b) ?? this.#motion;
    if (controls(this.#motion, this.#car).speed === 0) {
      if (this.#setOff === null) return;
      this.#setOff = null;
      this.#pose = Object.freeze({ ...this.#pose, speed: 0 });
      onPose(this.#pose, t); // at rest: once
    } else if (this.#setOff === null) {
      this.#setOff = t;
      this.#ticks = 0;
    }
  }
}
