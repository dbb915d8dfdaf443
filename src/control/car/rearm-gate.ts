/**
 * Arming at neutral, on the server: the RC-transmitter rule that a radio does not arm with the throttle
 * open. After every stop the driver did not make itself (the watchdog, a hold cut at --max-hold-ms, the
 * car's link lost or back, someone else's stop, a race's hold), and for every client that becomes the
 * driver (the first seat on a fresh or restarted server, a claim, a takeover, a resume), the driver's
 * analog input is refused until it has been at neutral: a drive in the dead zone, or the driver's own
 * stop. Without it a page that froze (a stopped renderer, a long task, a phone's app switcher), an old or
 * buggy page, or one that reconnected with the stick held, would drive on with its next refresh, 50 ms
 * after the stop. The page keeps the same rule for every input (web/arming.ts); keeping it here too means
 * no page, old, frozen or hostile, can restart the car by repeating what it sent before.
 *
 * A seed command (`up`, `raw`, ...) is a discrete, deliberate press that ends by itself (its duration,
 * at most --max-hold-ms): it is carried out while disarmed, but it does not re-arm the stick, since it
 * says nothing about where the stick is.
 */
import { DEFAULT_DEAD_ZONE, type Demand } from '../../vehicle/index.js';
import { AtMostEvery } from '../throttle.js';
import type { ClientSession } from '../connection/client-session.js';
import type { DisarmCode } from '../protocol/messages.js';

/** A disarmed driver hears why at most this often (the page sends 20 drive messages a second). */
const REMINDER_INTERVAL_MS = 1000;

interface Disarmed {
  driver: string;
  code: DisarmCode;
  /** What stopped the car, or why the driver must centre first: the notice's first half. */
  why: string;
}

export class RearmGate {
  private disarmed: Disarmed | null = null;
  /** Who was last told why, and when (at most once a second while it pushes on). */
  private toldDriver: string | null = null;
  private readonly reminder: AtMostEvery;

  constructor(now: () => number) {
    this.reminder = new AtMostEvery(REMINDER_INTERVAL_MS, now);
  }

  /**
   * From now on `driver`'s analog input must come back to neutral before it drives. With `tell` (the
   * default: a stop it should hear of) it is told why now, in a `notice` with `code`; without (a new
   * driver, who may not be pushing at all), only when a push is refused. While it pushes on, it hears
   * why again at most once a second.
   */
  disarm(driver: ClientSession, code: DisarmCode, why: string, options: { ref?: string; tell?: boolean } = {}): void {
    this.disarmed = { driver: driver.id, code, why };
    if (options.tell !== false) this.tell(driver, options.ref);
  }

  /** The driver stopped, or the seat is empty: nothing to wait for. */
  clear(): void {
    this.disarmed = null;
  }

  /** False when this demand must be dropped: its sender is disarmed and it is a push off neutral. */
  admits(session: ClientSession, demand: Demand, ref: string): boolean {
    if (this.disarmed?.driver !== session.id || demand.kind !== 'analog') return true;
    if (Math.hypot(demand.x, demand.y) < DEFAULT_DEAD_ZONE) {
      this.disarmed = null;
      return true;
    }
    if (this.toldDriver !== session.id || this.reminder.take()) this.tell(session, ref);
    return false;
  }

  private tell(session: ClientSession, ref: string | undefined): void {
    const { code, why } = this.disarmed!;
    this.toldDriver = session.id;
    this.reminder.mark();
    session.notice(code, `${why}; centre the stick (or let go) to drive again`, ref);
  }
}
