/**
 * The hub: every connected client, the driver's seat, and the car. It turns client messages into
 * demands for the vehicle Driver, and the car's state and pose into messages for every client.
 * The protocol it speaks is docs/protocol.md; the transport is any WebSocket with contract A's API.
 */
import type { Driver, Pose, VehicleState as CarState } from '../vehicle/index.js';
import type { WebSocket } from '../websocket/index.js';
import { ADDRESS_WINDOW_MS, AddressLockout, ClientAuth, type TokenCheck } from './auth.js';
import {
  CLOSE_CODES, PROTOCOL_VERSION, isSeedCommand,
  type ClientMessage, type CodecName, type ErrorCode, type ErrorMessage, type LastCommand, type Limits, type LinkKind,
  type ServerMessage, type VehicleState,
} from './messages.js';
import { TokenBucket } from './rate-limit.js';
import { Roles, type RoleChange } from './roles.js';
import { SeedSession } from './seed.js';
import { Throttle } from './throttle.js';
import { parseClientMessage } from './validate.js';

export interface HubOptions {
  driver: Driver;
  codec: CodecName;
  linkKind: LinkKind;
  token: TokenCheck | null;
  limits: Limits;
  log: (line: string) => void;
  now?: () => number; // monotonic milliseconds
}

/** Telemetry is at most 20 per second per client. */
const TELEMETRY_INTERVAL_MS = 50;
/** A client whose outgoing buffer holds more than this skips telemetry (the next pose replaces it). */
const TELEMETRY_BACKLOG_BYTES = 64 * 1024;
/** Malformed input a client may send: a burst, then this many per second; beyond, close 1008. */
const ERROR_BURST = 20;
const ERRORS_PER_SECOND = 5;
/** The errors that count as flooding: the client's own malformed input. A spectator pressing buttons
 *  (not_driver) or a car out of reach (link_down) is no reason to disconnect anyone. */
const FLOOD_CODES: ReadonlySet<ErrorCode> = new Set([
  'bad_json', 'invalid_message', 'binary_unsupported', 'rate_limited',
]);

interface Client {
  readonly id: string;
  readonly address: string;
  readonly ws: WebSocket;
  readonly seed: SeedSession;
  readonly auth: ClientAuth;
  readonly messages: TokenBucket;
  readonly errors: TokenBucket;
}

export class Hub {
  private readonly clients = new Map<string, Client>();
  private readonly roles: Roles;
  private readonly now: () => number;
  private readonly startedAt: number;
  private nextId = 1;
  private lastCommand: LastCommand | null = null;
  private lastStateJson = '';
  private readonly telemetry: Throttle;
  private readonly lockout: AddressLockout;
  private closed = false;

  constructor(private readonly opts: HubOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.roles = new Roles({ idleTakeoverMs: opts.limits.idleTakeoverMs, now: this.now });
    this.lockout = new AddressLockout(this.now);
    this.telemetry = new Throttle(TELEMETRY_INTERVAL_MS, () => this.sendPose(), this.now);
    opts.driver.on('state', this.onCarState);
    opts.driver.on('pose', this.onPose);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes a freshly opened WebSocket: welcome, roles, and its messages from now on. */
  attach(ws: WebSocket, remote: string): void {
    if (this.closed) return ws.close(CLOSE_CODES.goingAway, 'server shutting down');
    const id = `c${this.nextId++}`;
    const { limits } = this.opts;
    const client: Client = {
      id, ws, address: remote,
      seed: new SeedSession(),
      auth: new ClientAuth(this.opts.token),
      messages: new TokenBucket(limits.driveRatePerSecond, limits.driveRatePerSecond, this.now),
      errors: new TokenBucket(ERRORS_PER_SECOND, ERROR_BURST, this.now),
    };
    this.clients.set(id, client);
    this.roles.join(id, client.auth.authenticated);
    this.opts.log(`${id} connected from ${remote} as ${this.roles.roleOf(id)}`);
    this.send(client, {
      type: 'welcome', protocol: PROTOCOL_VERSION, clientId: id, role: this.roles.roleOf(id),
      authRequired: this.opts.token !== null, authenticated: client.auth.authenticated,
      vehicle: { codec: this.opts.codec, link: this.opts.linkKind }, limits, state: this.state(),
      resumeToken: '',
    });
    const pose = this.opts.driver.pose;
    if (pose) this.send(client, { type: 'telemetry', pose, t: this.elapsed() });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        this.onMessage(client, data, isBinary);
      } catch (err) {
        // A bug of ours must cost one connection, never the server (and the car keeps its watchdog).
        this.opts.log(`${id}: internal error: ${(err as Error).message}`);
        ws.close(1011, 'internal error');
      }
    });
    ws.on('close', (code: number) => this.detach(client, code));
    ws.on('error', () => {}); // the close that follows is what matters
    this.broadcastState();
  }

  /** Closes every client with 1001 (the server stops the car itself, before this). */
  close(): void {
    this.closed = true;
    this.opts.driver.off('state', this.onCarState);
    this.opts.driver.off('pose', this.onPose);
    this.telemetry.cancel();
    for (const client of this.clients.values()) client.ws.close(CLOSE_CODES.goingAway, 'server shutting down');
  }

  private detach(client: Client, code: number): void {
    if (!this.clients.delete(client.id)) return;
    this.opts.log(`${client.id} closed (${code})`);
    const { driverLeft, changes } = this.roles.leave(client.id);
    if (driverLeft) this.stopCar(); // a vanished driver must not leave the car moving
    this.announce(changes);
    this.broadcastState();
  }

  private onMessage(client: Client, data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      return this.error(client, 'binary_unsupported', 'binary frames are not part of the protocol; send JSON text');
    }
    if (!client.messages.take()) {
      const rate = this.opts.limits.driveRatePerSecond;
      return this.error(client, 'rate_limited', `more than ${rate} messages per second; dropped`);
    }
    const parsed = parseClientMessage(data.toString('utf8')); // the WebSocket layer validated the UTF-8
    if (!parsed.ok) return this.error(client, parsed.code, parsed.message, parsed.ref, parsed.field);
    this.handle(client, parsed.message);
  }

  private handle(client: Client, msg: ClientMessage): void {
    if (isSeedCommand(msg)) return this.drive(client, msg.command, () => client.seed.toDemand(msg));
    switch (msg.type) {
      case 'drive':
        return this.drive(client, 'drive', () => ({ kind: 'analog', x: msg.x, y: msg.y }));
      case 'stop':
        return this.drive(client, 'stop', () => ({ kind: 'command', name: 'stop' }));
      case 'ping':
        return this.send(client, { type: 'pong', id: msg.id, serverTime: Date.now() });
      case 'auth':
        return this.authenticate(client, msg.token);
      case 'claim': {
        const result = this.roles.claim(client.id);
        if (!result.ok) {
          const why = result.code === 'unauthorized' ? 'send a valid auth token first' : 'someone is driving';
          return this.error(client, result.code, why, 'claim');
        }
        if (result.changes.some((c) => c.role === 'spectator')) this.stopCar(); // seat taken from an idle driver
        // Already driving: nothing changed, but every claim gets an answer.
        this.announce(result.changes.length > 0 ? result.changes : [{ id: client.id, role: 'driver' }]);
        return this.broadcastState();
      }
      case 'release': {
        if (this.roles.driver !== client.id) return this.error(client, 'not_driver', 'you are not driving', 'release');
        this.stopCar();
        this.announce(this.roles.release(client.id));
        return this.broadcastState();
      }
    }
  }

  private drive(client: Client, ref: LastCommand, demand: () => Parameters<Driver['drive']>[0]): void {
    if (this.roles.driver !== client.id) {
      return client.auth.authenticated
        ? this.error(client, 'not_driver', 'spectators cannot drive; send claim to ask for the seat', ref)
        : this.error(client, 'unauthorized', 'driving needs the token: send {"type":"auth","token":...}', ref);
    }
    this.roles.noteActivity(client.id);
    // Set first, so the state the Driver emits during drive() already names the command.
    const previous = this.lastCommand;
    this.lastCommand = ref;
    let result: ReturnType<Driver['drive']>;
    try {
      result = this.opts.driver.drive(demand());
    } catch (err) {
      // The schema should make this unreachable; if it is not, refuse instead of crashing.
      this.lastCommand = previous;
      return this.error(client, 'invalid_message', (err as Error).message, ref);
    }
    if (!result.ok) {
      this.lastCommand = previous;
      return this.error(client, 'link_down', 'the car is not connected; the command was dropped', ref);
    }
    this.broadcastState();
  }

  private authenticate(client: Client, token: string): void {
    if (this.opts.token !== null && this.lockout.locked(client.address)) {
      // Refused without looking at the token: the address spent its budget of guesses.
      this.error(client, 'unauthorized', 'too many wrong tokens from this address; try again later', 'auth');
      return client.ws.close(CLOSE_CODES.policyViolation, 'too many wrong tokens');
    }
    const verdict = client.auth.present(token);
    if (verdict === 'ok') {
      const changes = this.roles.authorize(client.id);
      this.opts.log(`${client.id} authenticated`);
      // The client always hears that it is authenticated, even when its role did not change.
      if (!changes.some((c) => c.id === client.id)) {
        this.announce([{ id: client.id, role: this.roles.roleOf(client.id) }]);
      }
      this.announce(changes);
      return this.broadcastState();
    }
    this.error(client, 'unauthorized', 'wrong token', 'auth');
    const addressLocked = this.lockout.fail(client.address);
    if (addressLocked) {
      this.opts.log(`${client.address}: too many wrong tokens, locked out for ${ADDRESS_WINDOW_MS / 60_000} minutes`);
    }
    if (verdict === 'locked' || addressLocked) {
      this.opts.log(`${client.id} closed after too many wrong tokens`);
      client.ws.close(CLOSE_CODES.policyViolation, 'too many wrong tokens');
    }
  }

  private stopCar(): void {
    this.opts.driver.stop();
    this.lastCommand = 'auto';
  }

  private announce(changes: RoleChange[]): void {
    for (const change of changes) {
      const client = this.clients.get(change.id);
      if (!client) continue;
      this.opts.log(`${change.id} role: ${change.role}`);
      this.send(client, {
        type: 'role', role: change.role, driver: this.roles.driver, authenticated: client.auth.authenticated,
      });
    }
  }

  private error(client: Client, code: ErrorCode, message: string, ref?: string, field?: string): void {
    if (FLOOD_CODES.has(code) && !client.errors.take()) {
      this.opts.log(`${client.id} closed for flooding`);
      return client.ws.close(CLOSE_CODES.policyViolation, 'too many errors');
    }
    const error: ErrorMessage = { type: 'error', code, message };
    if (ref !== undefined) error.ref = ref;
    if (field !== undefined) error.field = field;
    this.send(client, error);
  }

  private state(): VehicleState {
    const car = this.opts.driver.state;
    return {
      direction: car.direction, speed: car.speed, byte: car.byte, lastCommand: this.lastCommand, link: car.link,
      driver: this.roles.driver, reserved: false, spectators: this.roles.spectators,
    };
  }

  /** Sends the state to everyone, if it differs from what was last sent. */
  private broadcastState(): void {
    const json = JSON.stringify({ type: 'state', ...this.state() });
    if (json === this.lastStateJson) return;
    this.lastStateJson = json;
    for (const client of this.clients.values()) this.sendText(client, json);
  }

  private readonly onCarState = (_: CarState): void => this.broadcastState();

  private readonly onPose = (_: Pose): void => this.telemetry.notify();

  private sendPose(): void {
    const pose = this.opts.driver.pose;
    if (!pose) return;
    const json = JSON.stringify({ type: 'telemetry', pose, t: this.elapsed() });
    for (const client of this.clients.values()) {
      if (client.ws.bufferedAmount <= TELEMETRY_BACKLOG_BYTES) this.sendText(client, json);
    }
  }

  private elapsed(): number {
    return Math.round(this.now() - this.startedAt);
  }

  private send(client: Client, msg: ServerMessage): void {
    this.sendText(client, JSON.stringify(msg));
  }

  private sendText(client: Client, json: string): void {
    if (client.ws.readyState === 1) client.ws.send(json);
  }
}
