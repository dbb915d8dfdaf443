/**
 * The hold gate on a car's command path (a race's countdown): while held, drive demands are refused with
 * `held`, said at most once a second (the page sends 20 drive messages a second); stop, the seat and
 * everything else work as ever. One cheap check per drive message.
 */
import type { ClientSession } from '../connection/client-session.js';
import { AtMostEvery } from '../throttle.js';

/** How often a driver whose car is held hears why its drive messages do nothing. */
const REMINDER_INTERVAL_MS = 1000;

export class HoldGate {
  /** Why the car is held, or null. */
  private reason: string | null = null;
  private readonly reminder: AtMostEvery;

  constructor(now: () => number) {
    this.reminder = new AtMostEvery(REMINDER_INTERVAL_MS, now);
  }

  get held(): boolean {
    return this.reason !== null;
  }

  /** Holds the car for this reason; false when it already was (the reason is updated). */
  hold(reason: string): boolean {
    const was = this.reason !== null;
    this.reason = reason;
    return !was;
  }

  /** Lets drive demands through again; false when it was not held. */
  release(): boolean {
    const was = this.reason !== null;
    this.reason = null;
    return was;
  }

  /** True (and the sender told, now and then) when a drive demand must be refused. */
  refuses(session: ClientSession, ref: string): boolean {
    if (this.reason === null) return false;
    if (this.reminder.take()) session.error('held', `the car is held: ${this.reason}`, ref);
    return true;
  }
}
