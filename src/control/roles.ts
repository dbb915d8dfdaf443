/**
 * Who drives: one driver's seat, any number of spectators. Pure bookkeeping with an injected clock;
 * the server turns the returned changes into `role` messages and stops the car when the seat changes hands.
 *
 * Rules (docs/protocol.md "Roles"):
 * - Clients queue in the order they joined. An eligible client (authorized: any client without a token,
 *   one that presented the token with one) takes the seat when it is empty.
 * - When the driver leaves or releases, the seat passes to the earliest eligible spectator.
 * - `claim` takes the seat when it is empty or the driver has been idle (no drive input) for idleTakeoverMs.
 */

export interface RoleChange { id: string; role: 'driver' | 'spectator' }

export type ClaimResult =
  | { ok: true; changes: RoleChange[] }
  | { ok: false; code: 'unauthorized' | 'seat_taken' };

interface Member { authorized: boolean }

export class Roles {
  // A Map iterates in insertion order: the join order is the queue.
  private readonly members = new Map<string, Member>();
  private driverId: string | null = null;
  private driverActiveAt = 0;

  constructor(private readonly opts: { idleTakeoverMs: number; now: () => number }) {}

  get driver(): string | null {
    return this.driverId;
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

  /** A new client; it drives at once if it is authorized and the seat is empty. */
  join(id: string, authorized: boolean): RoleChange[] {
    this.members.set(id, { authorized });
    return this.driverId === null && authorized ? [this.seat(id)] : [];
  }

  /** A client left. `driverLeft` tells the server to stop the car. */
  leave(id: string): { driverLeft: boolean; changes: RoleChange[] } {
    this.members.delete(id);
    if (id !== this.driverId) return { driverLeft: false, changes: [] };
    this.driverId = null;
    return { driverLeft: true, changes: this.fillSeat() };
  }

  /** The client presented the right token; it takes the seat if the seat is empty. */
  authorize(id: string): RoleChange[] {
    const member = this.members.get(id);
    if (!member) return [];
    member.authorized = true;
    return this.driverId === null ? [this.seat(id)] : [];
  }

  claim(id: string): ClaimResult {
    const member = this.members.get(id);
    if (!member?.authorized) return { ok: false, code: 'unauthorized' };
    if (id === this.driverId) return { ok: true, changes: [] };
    const idle = this.opts.now() - this.driverActiveAt >= this.opts.idleTakeoverMs;
    if (this.driverId !== null && !idle) return { ok: false, code: 'seat_taken' };
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

  private fillSeat(except?: string): RoleChange[] {
    for (const [id, member] of this.members) {
      if (member.authorized && id !== except) return [this.seat(id)];
    }
    return [];
  }

  private seat(id: string): RoleChange {
    this.driverId = id;
    this.driverActiveAt = this.opts.now(); // a new driver gets a full idle period before a claim can win
    return { id, role: 'driver' };
  }
}
