/**
 * Who sits in one car's driver's seat, over time: the pure bookkeeping of seat.ts, plus what has to
 * happen around it: telling each client whose role changed (`role`), holding a departed driver's seat
 * for its resume token until limits.resumeWindowMs runs out, watching the driver's connection for
 * silence (driver-liveness.ts), and telling the car's listeners and log when the seat changed hands.
 * The car world calls it for every seat message and stops the car where the seat says it must.
 */
import type { Audience } from './audience.js';
import type { CarEvents } from './car-events.js';
import type { ClientSession } from '../connection/client-session.js';
import { DriverLiveness } from './driver-liveness.js';
import type { Logger } from '../log.js';
import { CLOSE_CODES, type Limits } from '../protocol/messages.js';
import { Seat, type RoleChange } from './seat.js';
import { SeatQueue } from './seat-queue.js';

export interface SeatingOptions {
  limits: Limits;
  log: Logger;
  now: () => number;
  clients: Audience;
  events: CarEvents;
  /** The driver changed (the camera serves the new one first). */
  driverChanged(): void;
  /** Something about the seat changed: the world sends the new state. */
  changed(): void;
  /** The name a client set, or null (for who is ahead in the queue). */
  nameOf(id: string): string | null;
}

export class Seating {
  private readonly seat: Seat;
  private readonly liveness: DriverLiveness;
  private readonly queue: SeatQueue;
  private reservation: NodeJS.Timeout | null = null;
  private noted: { driver: string | null; reserved: boolean } = { driver: null, reserved: false };
  private closed = false;
  /** The camera pages among the clients (role=camera at the upgrade). */
  private readonly cameras = new Set<string>();

  constructor(private readonly opts: SeatingOptions) {
    this.seat = new Seat({ idleTakeoverMs: opts.limits.idleTakeoverMs, now: opts.now });
    this.liveness = new DriverLiveness(opts.limits.driverSilenceMs, opts.now, opts.log);
    this.queue = new SeatQueue({ seat: this.seat, clients: opts.clients, nameOf: opts.nameOf, now: opts.now });
  }

  get driver(): string | null {
    return this.seat.driver;
  }

  get reserved(): boolean {
    return this.seat.reserved;
  }

  /** Whether the seat is held for this resume token (it stays held: see Seat.heldFor). */
  heldFor(token: string): boolean {
    return this.seat.heldFor(token);
  }

  /** Clients watching the car: everyone but the driver and the car's camera page, which watches nothing. */
  get spectators(): number {
    let cameras = 0;
    for (const id of this.cameras) if (id !== this.seat.driver) cameras++;
    return this.seat.spectators - cameras;
  }

  roleOf(id: string): 'driver' | 'spectator' {
    return this.seat.roleOf(id);
  }

  /** The driver sent drive input: not idle. */
  noteActivity(id: string): void {
    this.seat.noteActivity(id);
    if (id === this.seat.driver) this.queue.driverActive();
  }

  /** A client set its name: those behind it in the queue see it. */
  namesChanged(): void {
    this.queue.refresh();
  }

  /**
   * A new client; it hears its role in `welcome`, which the world sends next, and then calls refresh().
   * Camera and watch-only pages never sit by themselves.
   */
  join(session: ClientSession): void {
    this.seat.join(session.id, { authorized: session.auth.authenticated, queued: session.page === 'drive' });
    if (session.camera) this.cameras.add(session.id);
  }

  /** After a join: the driver watched, listeners told, the state sent. */
  refresh(): void {
    this.settle([]);
  }

  /**
   * A client left. A driver that left by accident (reload, network) keeps its seat for its resume token;
   * one closed for its own misbehaviour (1008) does not. `stopCar` runs first when it was the driver.
   */
  leave(session: ClientSession, code: number, stopCar: () => void): void {
    this.cameras.delete(session.id);
    const keep = code !== CLOSE_CODES.policyViolation && this.opts.limits.resumeWindowMs > 0 && !this.closed;
    const { driverLeft, changes } = this.seat.leave(session.id, keep ? session.resumeToken : undefined);
    if (driverLeft) {
      stopCar(); // a vanished driver must not leave the car moving
      if (this.seat.reserved) this.reserve();
    }
    this.settle(changes);
  }

  /** The client presented the right token: it takes a free seat (and always hears its role). */
  authorize(session: ClientSession): void {
    this.settle(this.seat.authorize(session.id), session);
  }

  claim(session: ClientSession, stopCar: () => void): void {
    const result = this.seat.claim(session.id);
    if (!result.ok) {
      const why = result.code === 'unauthorized' ? 'send a valid auth token first'
        : this.seat.reserved ? 'the seat is held for its driver, who is reconnecting' : 'someone is driving';
      return session.error(result.code, why, 'claim');
    }
    if (result.changes.some((c) => c.role === 'spectator')) stopCar(); // the seat was taken from an idle driver
    this.settle(result.changes, session); // already driving: nothing changed, but every claim gets an answer
  }

  release(session: ClientSession, stopCar: () => void): void {
    if (this.seat.driver !== session.id) return session.error('not_driver', 'you are not driving', 'release');
    stopCar();
    this.settle(this.seat.release(session.id));
  }

  resume(session: ClientSession, token: string): void {
    const changes = this.seat.resume(session.id, token);
    if (changes === null) {
      return session.error('resume_failed', 'no seat is held for this token (it expired, or was never this car\'s)', 'resume');
    }
    this.cancelReservation();
    session.auth.grant(); // the seat it held was an authorized one
    this.opts.log.info('resumed', { client: session.id });
    this.settle(changes, session);
  }

  close(): void {
    this.closed = true;
    this.liveness.cancel();
    this.cancelReservation();
    this.queue.close();
  }

  private reserve(): void {
    this.cancelReservation();
    this.reservation = setTimeout(() => {
      this.reservation = null;
      this.settle(this.seat.expireReservation());
    }, this.opts.limits.resumeWindowMs);
    this.reservation.unref();
  }

  private cancelReservation(): void {
    if (this.reservation !== null) clearTimeout(this.reservation);
    this.reservation = null;
  }

  /** After any change: roles told (`always` hears its own even when unchanged), the driver watched, listeners told. */
  private settle(changes: RoleChange[], always?: ClientSession): void {
    if (always && !changes.some((c) => c.id === always.id)) changes = [...changes, { id: always.id, role: this.seat.roleOf(always.id) }];
    for (const change of changes) {
      const session = this.opts.clients.get(change.id);
      if (!session) continue;
      this.opts.log.info('role', { client: change.id, role: change.role });
      session.send({ type: 'role', role: change.role, driver: this.seat.driver, authenticated: session.auth.authenticated });
    }
    const driver = this.seat.driver;
    this.liveness.watch(driver === null || this.closed ? undefined : this.opts.clients.get(driver));
    this.note();
    this.opts.changed();
    if (!this.closed) this.queue.refresh();
  }

  /** Tells listeners and the log who holds the seat now, when that changed. */
  private note(): void {
    const driver = this.seat.driver;
    const reserved = this.seat.reserved;
    if (driver === this.noted.driver && reserved === this.noted.reserved) return;
    if (driver !== this.noted.driver) this.opts.driverChanged();
    this.noted = { driver, reserved };
    this.opts.log.info('seat', { driver, reserved });
    this.opts.events.emit({ kind: 'seat', driver, reserved });
  }
}
