/**
 * One car's world: its link and Driver (with the watchdog), its seat and the clients watching it, and
 * the messages between them. The server routes each new connection here, and every message of its
 * clients is answered from one table (handlers.ts, through dispatch.ts): what it does to this car happens
 * here; race and name messages go on to the server's raceway (RaceDesk), and nothing here reaches another car.
 *
 * Safety rules kept here and in handlers.ts (docs/safety.md): anyone allowed to drive may stop, only the
 * driver may go; a timed command holds at most limits.maxHoldMs; a driver not heard from for limits.driverSilenceMs
 * loses its connection; a driver's departure stops the car and keeps the seat for its resume token for
 * limits.resumeWindowMs; after every stop the driver did not make (someone else's, the watchdog's, a hold
 * cut at limits.maxHoldMs, the link lost or back, a race's hold) and for every new driver, the driver's
 * stick must come back to centre before it drives (rearm-gate.ts); while the car is held (a race's
 * countdown: hold()), drive demands are refused and the car stays stopped.
 */
import type { Demand, Driver, Link, Pose, VehicleState as CarState } from '../../vehicle/index.js';
import { CameraRelay } from '../video/camera-relay.js';
import { sfuRouteTo } from '../video/sfu/sfu-route.js';
import { CarEvents } from './car-events.js';
import { logClosed } from '../connection/close-log.js';
import { Audience } from './audience.js';
import { HoldGate } from './hold-gate.js';
import { knownFields } from '../protocol/known-fields.js';
import { RearmGate } from './rearm-gate.js';
import type { Logger } from '../log.js';
import type { ClientSession } from '../connection/client-session.js';
import type { FaultInjection } from '../fault-injection.js';
import type { IceGrant } from '../video/ice-grants.js';
import {
  CLOSE_CODES,
  type AccessoryName, type CodecName, type DisarmCode, type ErrorCode, type LastCommand, type Limits, type LinkKind, type VehicleState, type VideoStatus,
} from '../protocol/messages.js';
import { Seating } from './seating.js';
import { dispatch, type Handlers, type RaceDesk } from './dispatch.js';
import { carHandlers, stopStillActs, type CarParts } from './handlers.js';
import { carState, welcomeFor, type CarSummary } from './welcome.js';
import { DriveChannels } from '../drive-channel/drive-channels.js';
import type { InputPath } from '../connection/client-session.js';


export interface CarWorldOptions {
  name: string;
  driver: Driver;
  link: Link;
  codec: CodecName;
  /** What the car has besides motion (its codec's), told to every page in `welcome`. */
  accessories: readonly AccessoryName[];
  linkKind: LinkKind;
  limits: Limits;
  authRequired: boolean;
  /** Viewers the camera serves at once (each is one encode on the camera's phone). */
  maxViewers: number;
  /** The ICE servers for a client that watches or is the camera (ice-grants.ts), sent by the camera relay. */
  iceServers: (client: ClientSession) => IceGrant;
  /** With --sfu: Janus's HTTP API; the camera publishes there once and the viewers subscribe (video/sfu/). */
  sfu?: string;
  /** Offer drive channels (default true); false: drive input stays on the WebSocket. */
  driveChannels?: boolean;
  log: Logger;
  faults?: FaultInjection | null;
  now?: () => number; // monotonic milliseconds
}

export class CarWorld {
  readonly name: string;
  readonly driver: Driver;
  /** Everything that happens here, for listeners outside the command path (car-events.ts). */
  readonly events: CarEvents;
  /** The car's clients, and what they all hear (audience.ts). */
  private readonly sessions: Audience;
  /** Who drives, the held seat, the driver's liveness (seating.ts). */
  private readonly seat: Seating;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly camera: CameraRelay;
  private lastCommand: LastCommand | null = null;
  private lastLinkState: CarState['link'] | null = null;
  /** The driver's stick must come back to centre after a stop it did not make, and in a new driver's hand (rearm-gate.ts). */
  private readonly rearm: RearmGate;
  /** Timed commands cut to limits.maxHoldMs (handlers.ts), and whether the running demand is one: its end is the server's stop. */
  private readonly clamped = new WeakSet<Demand>();
  private holdAtLimit = false;
  /** Drive demands refused while a race counts down (hold-gate.ts). */
  private readonly holdGate: HoldGate;
  private closed = false;
  private races: RaceDesk | null = null;
  /** Drive input on WebRTC data channels, each frame into receive() like a WebSocket's (drive-channel/). */
  private readonly channels: DriveChannels;
  /** What the handlers work with, and the handlers (handlers.ts). */
  private readonly parts: CarParts;
  private readonly handlers: Handlers;

  constructor(private readonly opts: CarWorldOptions) {
    this.name = opts.name;
    this.driver = opts.driver;
    this.now = opts.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.rearm = new RearmGate(this.now);
    this.holdGate = new HoldGate(this.now);
    this.sessions = new Audience(() => {
      const pose = this.driver.pose;
      return pose ? { pose, t: this.elapsed() } : null;
    }, this.now);
    this.events = new CarEvents((err) => opts.log.error('listener_failed', {}, `a car event listener failed: ${err.stack ?? err.message}`));
    this.camera = new CameraRelay({
      limit: opts.maxViewers, log: opts.log, session: (id) => this.sessions.get(id),
      broadcast: (status) => this.broadcastVideo(status), driver: () => this.seat.driver, now: this.now,
      iceServers: opts.iceServers, sfu: opts.sfu === undefined ? undefined : sfuRouteTo(opts.sfu, opts.name, opts.log),
    });
    this.seat = new Seating({
      limits: opts.limits, log: opts.log, now: this.now, clients: this.sessions, events: this.events,
      driverChanged: () => {
        this.camera.driverChanged(); // the new driver sees first
        this.newDriver();
      },
      changed: () => this.broadcastState(),
      nameOf: (id) => this.races?.nameOf(id) ?? null,
    });
    this.channels = new DriveChannels({
      log: opts.log, now: this.now, enabled: opts.driveChannels ?? true, iceServers: (session) => opts.iceServers(session).iceServers, driver: () => this.seat.driver,
      receive: (session, data, isBinary) => this.receive(session, data, isBinary, 'channel'),
    });
    this.parts = {
      name: opts.name, driver: opts.driver, link: opts.link, accessories: opts.accessories, maxHoldMs: opts.limits.maxHoldMs, faults: opts.faults,
      log: opts.log, sessions: this.sessions, seat: this.seat, camera: this.camera, channels: this.channels, rearm: this.rearm,
      holdGate: this.holdGate, clamped: this.clamped, races: () => this.races, give: (s, ref, d) => this.give(s, ref, d), stopCar: () => this.stopCar(),
    };
    this.handlers = carHandlers(this.parts);
    opts.driver.on('state', this.onCarState);
    opts.driver.on('pose', this.onPose);
    opts.driver.on('watchdog', this.onWatchdog);
    opts.driver.on('hold-expired', this.onHoldExpired);
    opts.driver.on('write', this.onWrite);
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  get limits(): Limits {
    return this.opts.limits;
  }

  /** This car as `GET /api/cars` lists it. */
  summary(): CarSummary {
    return {
      name: this.name, codec: this.opts.codec, link: this.opts.linkKind, linkState: this.driver.state.link,
      driver: this.seat.driver, spectators: this.seat.spectators, video: this.camera.status,
    };
  }

  /** True while the seat waits for a departed driver's resume token. */
  get seatHeld(): boolean {
    return this.seat.reserved;
  }

  /** Whether the seat is held for this resume token: a connection presenting it may use a kept slot. */
  seatHeldFor(token: string): boolean {
    return this.seat.heldFor(token);
  }

  /** True while the car is held (hold()). */
  get held(): boolean {
    return this.holdGate.held;
  }

  /**
   * The hold gate (a race's countdown): from now until release(), drive demands are refused with `held`
   * and the car stays stopped; stop, the seat and everything else work as ever. A car that was moving
   * is stopped now, and its driver's analog input must come back to centre before it drives again, as
   * after a stop by someone else: a stick held since before the hold must not launch the car at go.
   */
  hold(reason: string): void {
    if (!this.holdGate.hold(reason)) return;
    if (this.events.active) this.events.emit({ kind: 'hold', reason });
    const driverId = this.seat.driver;
    const driver = driverId === null ? undefined : this.sessions.get(driverId);
    if (this.driver.state.direction !== 'stop') {
      if (driver) this.rearm.disarm(driver, 'held', 'the start of the race stopped the car', { ref: 'race-start' }); // it may still be holding the stick
      this.stopCar();
    } else {
      driver?.notice('held', reason);
    }
    this.opts.log.info('held', { driver: driverId }, reason);
    this.broadcastState();
  }

  /** Opens the hold gate: drive demands reach the car again. */
  release(): void {
    if (!this.holdGate.release()) return;
    this.opts.log.info('released');
    if (this.events.active) this.events.emit({ kind: 'release' });
  }

  /**
   * Puts a simulated car at `pose`, at rest (a race lines the cars up on the grid), and tells the
   * listeners (a recording replays it). False when nothing moved: a car being driven, or a real car.
   */
  place(pose: Pose): boolean {
    if (!this.driver.place(pose)) return false;
    if (this.events.active) this.events.emit({ kind: 'place', pose: this.driver.pose! });
    return true;
  }

  /** The arena sends this car's pose with the others' (audience.ts). */
  muteTelemetry(): void {
    this.sessions.muteTelemetry();
  }

  /** A client of this car, for listeners that answer it (a race message's error). */
  client(id: string): ClientSession | undefined {
    return this.sessions.get(id);
  }

  /** Every client of this car, for listeners that send them something (fan-out.ts for best-effort ones). */
  clients(): IterableIterator<ClientSession> {
    return this.sessions.values();
  }

  /** Sends one text to every client of this car, now. */
  broadcast(json: string): void {
    this.sessions.broadcast(json);
  }

  /** Takes a freshly opened connection: welcome, roles, and its messages from now on. */
  attach(session: ClientSession): void {
    const { ws, id } = session;
    if (this.closed) {
      this.opts.log.info('refused', { client: id, reason: 'server shutting down' });
      return session.closeFor(CLOSE_CODES.goingAway, 'server shutting down');
    }
    this.sessions.add(session);
    this.seat.join(session);
    this.opts.log.info('connected', { client: id, address: session.address, role: this.seat.roleOf(id), camera: session.camera || undefined });
    session.send(welcomeFor(session, this.opts, { seat: this.seat, driver: this.driver, state: this.state(), video: this.camera.status }));
    const pose = this.driver.pose;
    if (pose) session.send({ type: 'telemetry', pose, t: this.elapsed() });
    session.onRefusal = this.onRefusal;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(session, data, isBinary, 'socket'));
    ws.on('close', (code: number, reason: Buffer) => this.detach(session, code, reason));
    ws.on('error', () => {}); // the close that follows is what matters
    this.seat.refresh();
    if (this.events.active) this.events.emit({ kind: 'client', client: id, joined: true });
  }

  /** A client's frame, from its WebSocket or its drive channel: one pipeline, one dispatch table, one set of rules. */
  private receive(session: ClientSession, data: Buffer, isBinary: boolean, path: InputPath): void {
    try {
      const read = session.read(data, isBinary, path);
      if (!read || (read.overRate && !stopStillActs(this.parts, session, read.message))) return;
      const { message } = read;
      // Listeners hear a message only once it is taken, with only its schema's fields (car-events.ts).
      if (!this.events.active) return dispatch(this.handlers, session, message);
      this.events.receive({ kind: 'message', client: session.id, message: knownFields(message) }, () => dispatch(this.handlers, session, message));
    } catch (err) {
      // A bug of ours must cost one connection, never the server (and the car keeps its watchdog).
      this.opts.log.error('internal_error', { client: session.id }, `${session.id}: internal error: ${(err as Error).stack ?? err}`);
      session.closeFor(1011, 'internal error');
    }
  }

  /** Writes the stop now, past anything queued, and refuses every later demand: for shutdown only. */
  emergencyStop(): void {
    this.driver.emergencyStop(); // never throws
  }

  /** Closes every client with 1001 and stops the car (the stop is written before the link closes). */
  close(): Promise<void> {
    this.closed = true;
    const carStopped = this.driver.close(); // writes the stop first, synchronously; clients see it below
    this.seat.close();
    this.channels.close();
    void this.camera.close(); // the car's Janus room and session, best effort
    this.broadcastState();
    this.driver.off('state', this.onCarState);
    this.driver.off('pose', this.onPose);
    this.driver.off('watchdog', this.onWatchdog);
    this.driver.off('hold-expired', this.onHoldExpired);
    this.driver.off('write', this.onWrite);
    this.sessions.close();
    for (const session of this.sessions.values()) session.closeFor(CLOSE_CODES.goingAway, 'server shutting down');
    return carStopped;
  }

  private detach(session: ClientSession, code: number, reason: Buffer): void {
    if (!this.sessions.remove(session)) return;
    logClosed(this.opts.log, session, code, reason);
    this.channels.left(session); // a channel never outlives its client's connection
    this.camera.left(session);
    this.seat.leave(session, code, () => this.stopCar());
    if (this.events.active) this.events.emit({ kind: 'client', client: session.id, joined: false });
  }

  /** Race and name messages go here once the server's raceway has taken this car (race/raceway.ts). */
  takeRaces(desk: RaceDesk): void {
    this.races = desk;
  }

  /** Hands a checked demand to the Driver and reports what happened. */
  private give(session: ClientSession, ref: LastCommand, demand: Demand): void {
    // Set first, so the state the Driver emits during drive() already names the command.
    const previous = this.lastCommand;
    this.lastCommand = ref;
    this.holdAtLimit = this.clamped.has(demand);
    if (this.events.active) this.events.emit({ kind: 'demand', client: session.id, demand });
    let result: ReturnType<Driver['drive']>;
    try {
      result = this.driver.drive(demand);
    } catch (err) {
      // The schema should make this unreachable; if it is not, refuse instead of crashing.
      this.lastCommand = previous;
      return session.error('invalid_message', (err as Error).message, ref);
    }
    if (!result.ok) {
      this.lastCommand = previous;
      return session.error('link_down', 'the car is not connected; the command was dropped', ref);
    }
    this.broadcastState();
  }

  /** The server's own stop: a driver left, gave up or lost the seat, or a race holds the car. */
  private stopCar(): void {
    if (this.events.active) this.events.emit({ kind: 'demand', client: null, demand: { kind: 'command', name: 'stop' } });
    this.driver.stop();
    this.lastCommand = 'auto';
    // A horn held by a page that vanished would sound on for whoever comes next; lights may stay.
    if (this.opts.accessories.includes('horn')) this.driver.accessory('horn', false);
  }

  private state(): VehicleState {
    return carState(this.driver.state, this.lastCommand, this.seat);
  }

  /** Sends the state to everyone, if it differs from what was last sent. */
  private broadcastState(): void {
    this.sessions.broadcastChange('state', JSON.stringify({ type: 'state', ...this.state() }));
  }

  private broadcastVideo(status: VideoStatus): void {
    this.sessions.broadcastChange('video', JSON.stringify({ type: 'video', ...status }));
  }

  private readonly onCarState = (car: CarState): void => {
    const previous = this.lastLinkState;
    if (car.link !== previous) {
      this.lastLinkState = car.link;
      this.events.emit({ kind: 'link', state: car.link });
      // The link's loss stopped the car, and its return wrote a stop: neither was the driver's.
      if (previous === 'connected' && !this.closed) this.disarmDriver('link_lost', 'the car\'s link was lost');
      if (car.link === 'connected' && previous === 'reconnecting') this.disarmDriver('link_lost', 'the car\'s link is back after an outage, and the car stopped');
    }
    this.broadcastState();
  };

  private readonly onPose = (pose: Pose, at: number): void => {
    if (this.events.active) this.events.emit({ kind: 'pose', pose, at });
    this.sessions.poseChanged();
  };

  private readonly onWatchdog = (): void => {
    this.opts.log.info('watchdog', { driver: this.seat.driver }, 'drive input went quiet: the watchdog stopped the car');
    this.events.emit({ kind: 'watchdog' });
    this.disarmDriver('watchdog', `no drive input for ${this.opts.limits.watchdogMs} ms: the watchdog stopped the car`);
  };

  private readonly onHoldExpired = (): void => {
    this.events.emit({ kind: 'hold-expired' });
    if (this.holdAtLimit) this.disarmDriver('max_hold', `the timed command was cut at the server's limit (${this.opts.limits.maxHoldMs / 1000} s)`);
  };

  /** Something other than the driver stopped the car: the driver, if any, must come back to neutral. */
  private disarmDriver(code: DisarmCode, why: string): void {
    const id = this.seat.driver;
    const driver = id === null ? undefined : this.sessions.get(id);
    if (driver) this.rearm.disarm(driver, code, why);
  }

  /** Whoever takes the seat may be holding a stick already: it drives once it has been at neutral. */
  private newDriver(): void {
    const id = this.seat.driver;
    const driver = id === null ? undefined : this.sessions.get(id);
    if (driver) this.rearm.disarm(driver, 'new_driver', 'new in the seat, the stick has not been seen at the centre yet', { tell: false });
    else this.rearm.clear();
  }

  private readonly onWrite = (bytes: Uint8Array, at: number): void => {
    if (this.events.active) this.events.emit({ kind: 'write', bytes, at });
  };

  private readonly onRefusal = (client: string, code: ErrorCode, ref?: string): void => {
    if (this.events.active) this.events.emit(ref === undefined ? { kind: 'refusal', client, code } : { kind: 'refusal', client, code, ref });
  };

  private elapsed(): number {
    return Math.round(this.now() - this.startedAt);
  }
}
