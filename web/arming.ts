// Which held input drives, and whether it may yet: arming at neutral.
//
// After any stop (the Stop button, Space, the gamepad's B, the page losing the user, a reconnect, the
// seat changing hands) an input still held off centre must come back to the centre, or be let go, before
// it drives again: the way an RC transmitter refuses to arm with the throttle open. Without this a stick
// held forward drives again on its next 1 % jitter after Stop, and at once when the seat passes to the page.
//
// Sources report what is physically held, whether or not the page may drive just now, so that arming
// sees the truth. A source that loses track of its input (keys after the window lost focus, a joystick
// gesture dropped by a stop) reports it let go and starts again only on a fresh press.

import type { Vector } from './demand.js';

export type InputSource = 'joystick' | 'keyboard' | 'gamepad';

/** Closer to the centre than this counts as centred: well inside the server's 0.15 dead zone, so an
 *  input re-armed here cannot move the car. */
export const NEUTRAL = 0.05;

export function isNeutral(v: Vector): boolean {
  return Math.hypot(v.x, v.y) < NEUTRAL;
}

export class Inputs {
  /** Held inputs, in the order they last moved (a Map keeps insertion order; a move re-inserts). */
  private readonly held = new Map<InputSource, Vector>();
  /** Held off centre at the last stop, and not back at the centre since. */
  private readonly disarmed = new Set<InputSource>();

  /** An input moved (vector) or let go (null). Letting go, or reaching the centre, arms it again. */
  report(source: InputSource, vector: Vector | null): void {
    this.held.delete(source);
    if (vector === null || isNeutral(vector)) this.disarmed.delete(source);
    if (vector !== null) this.held.set(source, vector);
  }

  /** A stop: every input held off centre now waits for the centre before it drives again. */
  disarm(): void {
    for (const [source, vector] of this.held) if (!isNeutral(vector)) this.disarmed.add(source);
  }

  /** The demand of the armed input that moved last (while several are held), or null when none is. */
  demand(): Vector | null {
    let latest: Vector | null = null;
    for (const [source, vector] of this.held) if (!this.disarmed.has(source)) latest = vector;
    return latest;
  }

  isArmed(source: InputSource): boolean {
    return !this.disarmed.has(source);
  }
}
