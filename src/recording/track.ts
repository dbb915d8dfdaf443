/**
 * The simulated car's path for a recording's bytes: each `write` line goes into the simulator
 * (src/vehicle/sim-car.ts) at its recorded time, from the recorded start pose. For a simulator session
 * this is the very path the car took (the simulator is a function of the bytes and their times); for a
 * real car it is what the simulator makes of the same bytes, which is how far the page says it drove.
 */
import { createCodec, SimCar, type Pose } from '../vehicle/index.js';
import { fromHex, type RecordingHeader } from './format.js';

import type { TrackPoint } from './api-types.js';

export type { TrackPoint } from './api-types.js';

/** Points kept for the page at most; more are thinned evenly (the distance counts every step). */
const MAX_POINTS = 5_000;

export class TrackBuilder {
  readonly #car: SimCar;
  #points: TrackPoint[] = [];
  #distance = 0;
  #last: Pose;

  constructor(header: Pick<RecordingHeader, 'codec' | 'pose'>) {
    this.#car = new SimCar(header.pose === null ? {} : { start: header.pose });
    this.#car.useDecoder(createCodec(header.codec).decoder());
    this.#last = this.#car.pose;
    this.#note(this.#last, 0);
  }

  write(t: number, hex: string): void {
    this.#car.write(fromHex(hex), t, this.#note);
  }

  advance(t: number): void {
    this.#car.advance(t, this.#note);
  }

  /** The car was put at `pose` (a race's grid slot): a jump on the map, not distance driven. */
  place(t: number, pose: Pose): void {
    this.#car.advance(t, this.#note);
    if (!this.#car.place(pose)) return;
    this.#last = this.#car.pose;
    this.#points.push({ t, x: pose.x, y: pose.y, heading: pose.heading, placed: true });
  }

  get pose(): Pose {
    return this.#car.pose;
  }

  finish(): { points: TrackPoint[]; distanceM: number; final: Pose } {
    let points = this.#points;
    if (points.length > MAX_POINTS) {
      const every = Math.ceil(points.length / MAX_POINTS);
      points = points.filter((_, i) => i % every === 0 || i === points.length - 1);
    }
    return { points, distanceM: Math.round(this.#distance * 1000) / 1000, final: this.#car.pose };
  }

  readonly #note = (pose: Pose, t: number): void => {
    this.#distance += Math.hypot(pose.x - this.#last.x, pose.y - this.#last.y);
    this.#last = pose;
    this.#points.push({ t, x: pose.x, y: pose.y, heading: pose.heading });
  };
}
