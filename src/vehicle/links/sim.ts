// The default link: an in-process simulated i-Racer. It decodes the bytes it is sent exactly as a car
// would (with the driver's codec, so both protocols can be simulated), moves by the kinematic model in
// fixed steps of tickMs (deterministic: no wall clock, so a new byte takes effect at the next step) and
// reports its pose: every step while moving, once more when it comes to rest.

import type { Decoder } from '../codec.js';
import { STOP, type Intent } from '../demand.js';
import { decodeIracerByte } from '../codecs/iracer.js';
import { DEFAULT_CAR, ORIGIN, step, type CarModel, type Pose } from '../kinematics.js';
import type { Link, LinkState } from '../link.js';
import type { LinkSpec } from '../link-spec.js';
import { SafeEmitter } from '../safe-emitter.js';

export interface SimOptions {
  tickMs?: number; // default 50 (20 Hz)
  car?: CarModel;
}

export class SimLink extends SafeEmitter implements Link {
  readonly spec: LinkSpec = { kind: 'sim' };
  #state: LinkState = 'closed';
  #pose: Pose = ORIGIN;
  #motion: Intent = STOP;
  #decode: Decoder = decodeIracerByte;
  #timer: NodeJS.Timeout | null = null;
  readonly #tickMs: number;
  readonly #car: CarModel;

  constructor(opts: SimOptions = {}) {
    super();
    this.#tickMs = opts.tickMs ?? 50;
    this.#car = opts.car ?? DEFAULT_CAR;
  }

  get state(): LinkState {
    return this.#state;
  }

  get pose(): Pose {
    return this.#pose;
  }

  /** What the simulated car is doing, as decoded from the last bytes it received. */
  get motion(): Intent {
    return this.#motion;
  }

  /** Makes the simulated car speak another protocol (the driver calls this with its codec's decoder). */
  useDecoder(decoder: Decoder): void {
    this.#decode = decoder;
  }

  async open(): Promise<void> {
    if (this.#state !== 'closed') return;
    this.#state = 'connected';
    this.emit('state', this.#state);
  }

  write(bytes: Uint8Array): boolean {
    if (this.#state !== 'connected') return false;
    for (const b of bytes) this.#motion = this.#decode(b) ?? this.#motion;
    if (this.#motion.direction !== 'stop' && this.#timer === null) this.#schedule();
    return true;
  }

  /** The simulator takes every write at once. */
  writeNow(bytes: Uint8Array): boolean {
    return this.write(bytes);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#stopTicking();
    this.#state = 'closed';
    this.emit('state', this.#state);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
  }

  #tick(): void {
    this.#timer = null;
    this.#pose = step(this.#pose, this.#motion, this.#tickMs / 1000, this.#car);
    // The pose at rest is reported once, then the clock stops until the car is told to move again.
    if (this.#pose.speed !== 0) this.#schedule();
    this.emit('pose', this.#pose);
  }

  #stopTicking(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
