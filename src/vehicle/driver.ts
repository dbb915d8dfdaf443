// The driver owns timing and safety between a demand and the car:
// - it writes only when the bytes change (the car holds the last byte it got);
// - a named or raw command with a duration holds that long, then stops; any new demand replaces the
//   running one at once;
// - an analog demand must be refreshed within watchdogMs or the car is stopped (a silent or vanished
//   client must not leave a car driving);
// - while the link is down every demand is dropped and reported, never queued; when the link
//   (re)connects the car is sent a stop, so nothing from before the outage resumes;
// - close() sends a stop before closing, so the last byte a car receives from us when we stop is a stop;
//   emergencyStop() writes one at once, for a process on its way out;
// - with maxSpeed, no motion is written faster than that step: every analog and named demand is capped to
//   it, and a raw byte is sent as the motion it means, capped (one that is neither a motion nor a stop,
//   whose effect on the speed cannot be known here, is sent as a stop);
// - with refreshMs, the bytes of a moving car are sent again every refreshMs (for cars that stop by themselves
//   after a silence, and so that the link's write timeout keeps checking the connection while driving).
// A listener that throws cannot stop any of this (safe-emitter.ts).
// Every write the link accepted is reported ('write', the bytes, and the clock's time as the link took
// them: a listener may hear of it later), and so is the end of a hold ('hold-expired'), for a session
// recorder; a simulator's poses come with the simulator's time ('pose', pose, at). Timers run on `clock` (clock.ts): the process's own, or a
// virtual one that replays a session at once.

import type { AccessoryName } from './accessories.js';
import { SYSTEM_CLOCK, type Clock, type ClockTimer } from './clock.js';
import { describeBytes, type Codec } from './codec.js';
import { MAX_SPEED, STOP, validateDemand, type Demand, type Direction, type Intent } from './demand.js';
import type { Pose } from './kinematics.js';
import type { Link, LinkState } from './link.js';
import { DEFAULT_DEAD_ZONE, quantize } from './quantize.js';
import { SafeEmitter } from './safe-emitter.js';

export interface VehicleState {
  direction: Direction;
  speed: number;
  /** The last byte written to the car; null before the first write and while the link is down (unknown). */
  byte: number | null;
  link: LinkState;
}

export interface DriverOptions {
  link: Link;
  codec: Codec;
  watchdogMs?: number; // default 500
  deadZone?: number;   // default 0.15 of full deflection
  /** While the car moves, write its bytes again this often (ms); 0 = never (default). */
  refreshMs?: number;
  /** The fastest speed step (1-15) this car may be driven at, whatever is asked (default MAX_SPEED). */
  maxSpeed?: number;
  /** The time its watchdog, holds and refreshes run on (default the process's own). */
  clock?: Clock;
}

export type DriveResult = { ok: true } | { ok: false; reason: 'link_down' };
export type AccessoryResult = DriveResult | { ok: false; reason: 'unsupported' };

export const DEFAULT_WATCHDOG_MS = 500;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

type PoseSource = Link & { readonly pose: Pose; useDecoder?(d: ReturnType<Codec['decoder']>): void; place?(pose: Pose): boolean };

export class Driver extends SafeEmitter {
  readonly #link: Link;
  readonly #codec: Codec;
  readonly #watchdogMs: number;
  readonly #deadZone: number;
  readonly #refreshMs: number;
  readonly #maxSpeed: number;
  readonly #clock: Clock;
  #state: VehicleState;
  #sent: Uint8Array | null = null; // what the car holds from us, as far as we know
  #timer: ClockTimer | null = null; // the running demand's hold or watchdog, never both
  #refresher: ClockTimer | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(opts: DriverOptions) {
    super();
    const watchdogMs = opts.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    if (!Number.isFinite(watchdogMs) || watchdogMs <= 0) throw new RangeError(`watchdogMs must be a positive number, got ${watchdogMs}`);
    const deadZone = opts.deadZone ?? DEFAULT_DEAD_ZONE;
    if (!(deadZone >= 0 && deadZone < 1)) throw new RangeError(`deadZone must be in [0, 1), got ${deadZone}`);
    const refreshMs = opts.refreshMs ?? 0;
    if (!Number.isFinite(refreshMs) || refreshMs < 0) throw new RangeError(`refreshMs must be 0 or a positive number, got ${refreshMs}`);
    const maxSpeed = opts.maxSpeed ?? MAX_SPEED;
    if (!Number.isInteger(maxSpeed) || maxSpeed < 1 || maxSpeed > MAX_SPEED) throw new RangeError(`maxSpeed must be an integer in [1, ${MAX_SPEED}], got ${maxSpeed}`);
    this.#link = opts.link;
    this.#maxSpeed = maxSpeed;
    this.#codec = opts.codec;
    this.#watchdogMs = watchdogMs;
    this.#deadZone = deadZone;
    this.#refreshMs = refreshMs;
    this.#clock = opts.clock ?? SYSTEM_CLOCK;
    this.#state = Object.freeze({ direction: 'stop', speed: 0, byte: null, link: opts.link.state });
    (opts.link as PoseSource).useDecoder?.(opts.codec.decoder());
    opts.link.on('state', (s: LinkState) => this.#onLinkState(s));
    opts.link.on('pose', (p: Pose, at: number) => this.emit('pose', p, at));
  }

  get state(): VehicleState {
    return this.#state;
  }

  /** How often a moving car's bytes are written again (0: never). */
  get refreshMs(): number {
    return this.#refreshMs;
  }

  /** The fastest speed step this car is ever driven at. */
  get maxSpeed(): number {
    return this.#maxSpeed;
  }

  /** True when the car holds our stop and nothing is running: a stop now would write nothing. */
  get holdsStop(): boolean {
    return this.#timer === null && this.#sent !== null && this.#codec.isStop(this.#sent);
  }

  get pose(): Pose | null {
    const pose = (this.#link as Partial<PoseSource>).pose;
    return pose ?? null;
  }

  /**
   * Puts a simulated car at `pose`, at rest (a race lines the cars up on the grid; sim.ts). False when
   * nothing moved: a car being driven, or a link that is not a simulator.
   */
  place(pose: Pose): boolean {
    return (this.#link as Partial<PoseSource>).place?.(pose) ?? false;
  }

  async start(): Promise<void> {
    await this.#link.open();
  }

  /** Throws a TypeError for a malformed demand (nothing changes); reports link_down when it was dropped. */
  drive(demand: Demand): DriveResult {
    validateDemand(demand);
    if (this.#closed || this.#link.state !== 'connected') return this.#drop(demand);
    this.#cancelTimer();
    let ok: boolean;
    switch (demand.kind) {
      case 'analog': {
        const intent = this.#capped(quantize(demand.x, demand.y, this.#deadZone));
        ok = this.#send(this.#codec.encode(intent), intent);
        if (ok && intent.direction !== 'stop') this.#arm(this.#watchdogMs, 'watchdog');
        break;
      }
      case 'command': {
        if (demand.name === 'stop') {
          ok = this.#sendStop();
          break;
        }
        const intent = this.#capped(this.#codec.command(demand.name, demand.speed));
        ok = this.#send(this.#codec.encode(intent), intent);
        if (ok && demand.durationMs !== undefined) this.#arm(demand.durationMs, 'duration');
        break;
      }
      case 'raw': {
        const [bytes, intent] = this.#rawCapped(Uint8Array.of(demand.byte));
        ok = this.#send(bytes, intent);
        if (ok && demand.durationMs !== undefined) this.#arm(demand.durationMs, 'duration');
        break;
      }
    }
    return ok ? { ok: true } : this.#drop(demand);
  }

  /**
   * Switches an accessory (a light, the horn) on or off. Not motion: the running demand, its timer and the
   * watchdog are left alone, and the car's motion bytes follow the accessory's in the same write, so the
   * newest write still ends with what the car should be doing (a link may replace a waiting write with a
   * newer one: an accessory must never replace a stop).
   */
  accessory(name: AccessoryName | 'all', on: boolean): AccessoryResult {
    const bytes = this.#codec.accessory?.(name, on) ?? null;
    if (bytes === null) return { ok: false, reason: 'unsupported' };
    const holds = this.#sent;
    if (this.#closed || this.#link.state !== 'connected' || holds === null) return { ok: false, reason: 'link_down' };
    const out = new Uint8Array(bytes.length + holds.length);
    out.set(bytes);
    out.set(holds, bytes.length);
    const at = this.#clock.now();
    if (!this.#link.write(out)) return { ok: false, reason: 'link_down' };
    this.emit('write', out, at);
    return { ok: true };
  }

  /** Stops now: cancels the running demand and writes a stop unless the car already holds one. */
  stop(): void {
    this.#cancelTimer();
    if (this.#link.state === 'connected') this.#sendStop();
  }

  /** Stops the car, then closes the link (which delivers the stop first). Safe to call more than once. */
  close(): Promise<void> {
    if (this.#closing === null) {
      this.#closed = true; // first, so a 'state' listener cannot drive again during the final stop
      this.#stopRefreshing();
      this.stop();
      this.#closing = this.#link.close();
    }
    return this.#closing;
  }

  /**
   * The last resort of a process on its way out (a signal, an uncaught exception): cancels the running
   * demand, writes the stop at once, ahead of any write still waiting for the link (which is discarded),
   * and refuses every later demand. Synchronous; never throws; close() may follow. True when the stop is
   * with the operating system on return (kernel socket buffer, serial driver): exiting right away is then
   * safe. False when the link is down, or when the stop could only be queued behind a write in progress:
   * give the event loop a moment first (e.g. await close() under a deadline).
   */
  emergencyStop(): boolean {
    this.#closed = true;
    this.#cancelTimer();
    this.#stopRefreshing();
    try {
      if (this.#link.state !== 'connected') return false;
      const bytes = this.#codec.stopBytes;
      const at = this.#clock.now();
      const sync = this.#link.writeNow(bytes);
      this.#sent = bytes;
      this.emit('write', bytes, at);
      this.#setState({ direction: 'stop', speed: 0, byte: bytes[bytes.length - 1] });
      return sync;
    } catch {
      return false;
    }
  }

  #capped(intent: Intent): Intent {
    return intent.speed > this.#maxSpeed ? { direction: intent.direction, speed: this.#maxSpeed } : intent;
  }

  /** A raw byte as it goes to the car: as is without a ceiling, else as the motion it means, capped. */
  #rawCapped(bytes: Uint8Array): [Uint8Array, Intent | null] {
    const intent = describeBytes(this.#codec, bytes);
    if (this.#maxSpeed === MAX_SPEED || this.#codec.isStop(bytes)) return [bytes, intent];
    if (intent === null || intent.direction === 'stop') return [this.#codec.stopBytes, STOP];
    const capped = this.#capped(intent);
    return capped === intent ? [bytes, intent] : [this.#codec.encode(capped), capped];
  }

  #drop(demand: Demand): DriveResult {
    this.emit('dropped', { demand, reason: 'link_down' });
    return { ok: false, reason: 'link_down' };
  }

  #sendStop(): boolean {
    if (this.#sent !== null && this.#codec.isStop(this.#sent)) return true;
    return this.#send(this.#codec.stopBytes, STOP);
  }

  /** Writes unless the car already holds exactly these bytes. False when the link refused them. */
  #send(bytes: Uint8Array, intent: Intent | null): boolean {
    if (this.#sent !== null && sameBytes(this.#sent, bytes)) return true;
    // Taken before the write: a simulator moves (and reports its poses) inside it.
    const at = this.#clock.now();
    if (!this.#link.write(bytes)) return false;
    this.#sent = bytes;
    this.emit('write', bytes, at);
    if (this.#codec.isStop(bytes)) this.#stopRefreshing();
    else this.#startRefreshing();
    // A byte the codec does not define leaves the car doing what it did; report that.
    const motion = intent ?? this.#state;
    this.#setState({ direction: motion.direction, speed: motion.speed, byte: bytes[bytes.length - 1] });
    return true;
  }

  #arm(ms: number, why: 'watchdog' | 'duration'): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.emit(why === 'watchdog' ? 'watchdog' : 'hold-expired');
      this.stop();
    }, ms);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #startRefreshing(): void {
    if (this.#refreshMs === 0 || this.#refresher !== null) return;
    this.#refresher = this.#clock.setInterval(() => {
      const at = this.#clock.now();
      if (this.#sent !== null && this.#link.write(this.#sent)) this.emit('write', this.#sent, at);
    }, this.#refreshMs, { unref: true });
  }

  #stopRefreshing(): void {
    if (this.#refresher !== null) this.#clock.clearTimeout(this.#refresher);
    this.#refresher = null;
  }

  #onLinkState(link: LinkState): void {
    // Our own close: the stop was flushed before the link closed, so the last byte is still known.
    this.#stopRefreshing();
    if (link === 'closed' && this.#closed) return this.#setState({ link });
    this.#cancelTimer();
    this.#sent = null;
    // While the link is down we cannot know what the car does: the byte is unknown, nothing is commanded.
    this.#setState({ direction: 'stop', speed: 0, byte: null, link });
    if (link === 'connected') this.#send(this.#codec.stopBytes, STOP);
  }

  #setState(patch: Partial<VehicleState>): void {
    const next: VehicleState = { ...this.#state, ...patch };
    const s = this.#state;
    if (next.direction === s.direction && next.speed === s.speed && next.byte === s.byte && next.link === s.link) return;
    this.#state = Object.freeze(next); // shared with every listener: nobody may change it under us
    this.emit('state', this.#state);
  }
}
