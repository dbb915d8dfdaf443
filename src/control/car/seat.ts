/**
 * Who drives one car: one driver's seat, any number of spectators. Pure bookkeeping with an injected
 * clock; seating.ts turns the returned changes into `role` messages, has the car stopped when the seat
 * changes hands, and runs the timer that ends a reservation.
 *
 * Rules (docs/protocol.md "Roles"):
 * - Clients queue in the order they joined. An eligible client (authorized: any client without a token,
 *   one that presented the token with one) takes the seat when it is empty.
 * - When the driver releases the seat, it passes to the earliest eligible spectator.
 * - When the driver's connection ends any other way, the seat is reserved for `resumeKey` (the resume
 *   token its page got in `welcome`): nobody takes it until that key comes back (`resume`) or the
 *   reservation ends (`expireReservation`), then it passes on as after a release. A page reload or a
 *   Wi-Fi blip must not hand the car to someone else.
 * - `claim` takes the seat when it is empty (not reserved) or the driver has been idle (no drive input)
 *   for idleTakeoverMs.
 */
import { timingSafeEqual } from 'node:crypto';

export interface RoleChange { id: string; role: 'driver' | 'spectator' }

export type ClaimResult =
  | { ok: true; changes: RoleChange[] }
  | { ok: false; code: 'unauthorized' | 'seat_taken' };

/** `authorized`: may drive; `queued`: takes a free seat by itself (a camera page does not). */
interface Member { authorized: boolean; queued: boolean }

export class Seat {
  // A Map iterates in insertion order: the join order is the queue.
  private readonly members = new Map<string, Member>();
  private driverId: string | null = null;
  private driverActiveAt = 0;
  private reservedFor: Buffer | null = null;

  constructor(private readonly opts: { idleTakeoverMs: number; now: () => number }) {}

  get driver(): string | null {
    return this.driverId;
  }

  /** True while the seat waits for a departed driver's resume key. */
  get reserved(): boolean {
    return this.reservedFor !== null;
  }

  get spectators(): number {
    return this.members.size - (this.driverId === null ? 0 : 1);
  }

  roleOf(id: string): 'driver' | 'spectator' {
    return id === this.driverId ? 'driver' : 'spectator';
  }

  isAuthorized(id: string): boolean {
    return this.members.get(id)?.authorized ?? false;
  }

  /**
   * A new client; it drives at once if it is authorized, queued and the seat is free. `authorized`: it
   * may drive (no token is set, or it presented it); `queued` (default): it waits its turn for the seat
   * (a camera or watching page does not).
   */
  join(id: string, { authorized, queued = true }: { authorized: boolean; queued?: boolean }): RoleChange[] {
    this.members.set(id, { authorized, queued });
    return this.free && authorized && queued ? [this.seat(id)] : [];
  }

  /**
   * A client left. `driverLeft` tells the world to stop the car. With a `resumeKey`, a departing driver's
   * seat is reserved for that key instead of passing on.
   */
  leave(id: string, resumeKey?: string): { driverLeft: boolean; changes: RoleChange[] } {
    this.members.delete(id);
    if (id !== this.driverId) return { driverLeft: false, changes: [] };
    this.driverId = null;
    if (resumeKey !== undefined) {
      this.reservedFor = Buffer.from(resumeKey);
      return { driverLeft: true, changes: [] };
    }
    return { driverLeft: true, changes: this.fillSeat() };
  }

  /** The reservation is over: the seat passes to the earliest eligible spectator. */
  expireReservation(): RoleChange[] {
    if (this.reservedFor === null) return [];
    this.reservedFor = null;
    return this.fillSeat();
  }

  /**
   * Whether the seat is held for this key, leaving it held: what admission asks at the upgrade. Compared
   * in constant time (every key the server issues has the same length, so the length tells nothing).
   */
  heldFor(key: string): boolean {
    const reserved = this.reservedFor;
    const presented = Buffer.from(key);
    return reserved !== null && presented.length === reserved.length && timingSafeEqual(presented, reserved);
  }

  /** A client presents a resume key: the reserved seat is its own again (and so is the authorization). */
  resume(id: string, key: string): RoleChange[] | null {
    const member = this.members.get(id);
    if (!member || !this.heldFor(key)) return null;
    this.reservedFor = null;
    member.authorized = true;
    return [this.seat(id)];
  }

  /** The client presented the right token; it takes the seat if the seat is free. */
  authorize(id: string): RoleChange[] {
    const member = this.members.get(id);
    if (!member) return [];
    member.authorized = true;
    return this.free && member.queued ? [this.seat(id)] : [];
  }

  /** Those waiting for the seat, in the order it would pass to them (eligible, queued, not driving). */
  get waiting(): string[] {
    return [...this.members].filter(([id, m]) => m.authorized && m.queued && id !== this.driverId).map(([id]) => id);
  }

  /** When the driver will have been idle long enough for a claim to win (null: no driver). */
  get idleAt(): number | null {
    return this.driverId === null ? null : this.driverActiveAt + this.opts.idleTakeoverMs;
  }

  /** Why a claim by `id` would be refused now, or null when it would succeed. */
  refusal(id: string): 'unauthorized' | 'seat_taken' | null {
    if (!this.members.get(id)?.authorized) return 'unauthorized';
    if (id === this.driverId) return null;
    if (this.reservedFor !== null) return 'seat_taken';
    const idle = this.opts.now() - this.driverActiveAt >= this.opts.idleTakeoverMs;
    return this.driverId !== null && !idle ? 'seat_taken' : null;
  }

  claim(id: string): ClaimResult {
    const refused = this.refusal(id);
    if (refused !== null) return { ok: false, code: refused };
    if (id === this.driverId) return { ok: true, changes: [] };
    const changes: RoleChange[] = [];
    if (this.driverId !== null) changes.push({ id: this.driverId, role: 'spectator' });
    changes.push(this.seat(id));
    return { ok: true, changes };
  }

  /** The driver gives the seat up; it goes to the next eligible spectator (never back to the releaser). */
  release(id: string): RoleChange[] {
    if (id !== this.driverId) return [];
    this.driverId = null;
    return [{ id, role: 'spectator' }, ...this.fillSeat(id)];
  }

  /** The driver sent drive input: not idle. */
  noteActivity(id: string): void {
    if (id === this.driverId) this.driverActiveAt = this.opts.now();
  }

  private get free(): boolean {
    return this.driverId === null && this.reservedFor === null;
  }

  private fillSeat(except?: string): RoleChange[] {
    for (const [id, member] of this.members) {
      if (member.authorized && member.queued && id !== except) return [this.seat(id)];
    }
    return [];
  }

  private seat(id: string): RoleChange {
    this.driverId = id;
    this.driverActiveAt = this.opts.now(); // a new driver gets a full idle period before a claim can win
    return { id, role: 'driver' };
  }
}
