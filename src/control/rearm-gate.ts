/**
 * After someone other than the driver stops a moving car, the driver's analog input is ignored until it
 * comes back to centre (a drive in the dead zone), or the driver stops or sends a discrete command: the
 * RC-transmitter rule that a radio does not arm with the throttle open. Without it, a bystander's stop
 * would be undone by the driver's next refresh 50 ms later. The page keeps the same rule for every stop
 * (web/arming.ts); keeping it here too means no page, old or hostile, can undo a bystander's stop.
 */
import { DEFAULT_DEAD_ZONE, type Demand } from '../vehicle/index.js';
import type { ClientSession } from './client-session.js';

/** A disarmed driver whose drive messages keep coming hears why at most this often. */
const REMINDER_INTERVAL_MS = 1000;

export class RearmGate {
  private held: { driver: string; by: string; code: 'stopped_by_other' | 'held' } | null = null;
  private remindedAt = -Infinity;

  constructor(private readonly now: () => number) {}

  /**
   * `by` stopped the car under `driver`, who is told so (and told again, now and then, if it pushes on),
   * with a `stopped_by_other` notice, or a `held` one when a race's countdown stopped it.
   */
  disarm(driver: ClientSession, by: string, ref: string, code: 'stopped_by_other' | 'held' = 'stopped_by_other'): void {
    this.held = { driver: driver.id, by, code };
    this.remind(driver, ref, true);
  }

  /** The driver stopped, or someone else now drives: nothing to wait for. */
  clear(): void {
    this.held = null;
  }

  /** False when this demand must be dropped: its sender is disarmed and it does not re-arm. */
  admits(session: ClientSession, demand: Demand, ref: string): boolean {
    if (this.held?.driver !== session.id) return true;
    if (demand.kind !== 'analog' || Math.hypot(demand.x, demand.y) < DEFAULT_DEAD_ZONE) {
      this.held = null;
      return true;
    }
    this.remind(session, ref, false);
    return false;
  }

  private remind(session: ClientSession, ref: string, now: boolean): void {
    const t = this.now();
    // Drive messages already on their way when the stop came need no second notice.
    if (!now && t - this.remindedAt < REMINDER_INTERVAL_MS) return;
    this.remindedAt = t;
    session.notice(this.held!.code, `${this.held!.by} stopped the car; centre the stick (or let go) to drive again`, ref);
  }
}
