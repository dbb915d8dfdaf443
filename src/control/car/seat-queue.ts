/**
 * Tells each client of one car where it stands for the seat (`queue`, docs/protocol.md): its place among
 * those waiting, who is ahead by name, and whether a take-over would succeed now. Sent only when it
 * changes for that client; the moment the driver has been idle long enough a timer says so, and the
 * driver's next drive input after that says it is closed again (so not one message per drive).
 */
import type { Audience } from './audience.js';
import type { QueueMessage } from '../protocol/messages.js';
import type { Seat } from './seat.js';

export interface SeatQueueOptions {
  seat: Seat;
  clients: Audience;
  /** The name a client set (`{"type":"name"}`), or null. */
  nameOf: (id: string) => string | null;
  now: () => number;
}

export class SeatQueue {
  private readonly lastSent = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  /** Some waiting client was told it may take over from a driver now. */
  private openFromDriver = false;

  constructor(private readonly opts: SeatQueueOptions) {}

  /** The seat, the clients or a name changed: each client hears its place, if it is not what it heard. */
  refresh(): void {
    const { seat, clients, nameOf } = this.opts;
    const waiting = seat.waiting;
    let open = false;
    for (const session of clients.values()) {
      const index = waiting.indexOf(session.id);
      const takeover = seat.roleOf(session.id) === 'spectator' && seat.refusal(session.id) === null;
      open ||= takeover && seat.driver !== null;
      const message: QueueMessage = {
        type: 'queue', position: index < 0 ? null : index + 1, ahead: waiting.slice(0, Math.max(index, 0)).map(nameOf), takeover,
      };
      const json = JSON.stringify(message);
      if (this.lastSent.get(session.id) === json) continue;
      this.lastSent.set(session.id, json);
      session.sendText(json);
    }
    for (const id of this.lastSent.keys()) if (!clients.get(id)) this.lastSent.delete(id);
    this.openFromDriver = open;
    this.schedule();
  }

  /** The driver sent drive input: a take-over said to be open is closed again. */
  driverActive(): void {
    if (this.openFromDriver) this.refresh();
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Wakes when the driver will have been idle long enough (again later if it drove meanwhile). */
  private schedule(): void {
    this.close();
    const at = this.opts.seat.idleAt;
    if (at === null || this.openFromDriver || this.opts.clients.size < 2) return; // nobody to tell
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, Math.max(0, at - this.opts.now()));
    this.timer.unref?.();
  }
}
