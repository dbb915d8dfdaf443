// How each input becomes a demand (x right, y forward, each in [-1, 1]). Pure functions, no DOM, so
// the rules are unit-tested in Node (test/web/demand.test.ts) as well as exercised in the browser.

export interface Vector { x: number; y: number }

/**
 * A point on the joystick (screen units, y down, origin at the centre) clamped to the circle of radius
 * `travel`: where the knob is drawn, and the demand it means (screen y down is backward, so y flips).
 */
export function joystickDemand(px: number, py: number, travel: number): { knob: [number, number]; vector: Vector } {
  const r = Math.hypot(px, py);
  const k = r > travel ? travel / r : 1;
  const kx = px * k;
  const ky = py * k;
  return { knob: [kx, ky], vector: { x: kx / travel, y: -ky / travel } };
}

export type Arrow = 'up' | 'down' | 'left' | 'right';

/** Held arrow keys as a demand of the given magnitude, or null when none is held. */
export function keysDemand(keys: ReadonlySet<Arrow>, magnitude: number): Vector | null {
  if (keys.size === 0) return null;
  const x = (keys.has('right') ? 1 : 0) - (keys.has('left') ? 1 : 0);
  const y = (keys.has('up') ? 1 : 0) - (keys.has('down') ? 1 : 0);
  if (x === 0 && y === 0) return { x: 0, y: 0 }; // opposite keys cancel: hold still, still fed
  const k = magnitude / Math.hypot(x, y); // a diagonal is no faster than a straight line
  return { x: x * k, y: y * k };
}

export const STICK_DEAD_ZONE = 0.15;

/**
 * A gamepad stick (axes as the Gamepad API gives them: y down) as a demand, or null inside the dead zone
 * (a resting stick is never perfectly centred). Outside it the range is rescaled, so a small push starts
 * from zero rather than jumping to 15 %.
 */
export function stickDemand(axisX: number, axisY: number, deadZone = STICK_DEAD_ZONE): Vector | null {
  const r = Math.hypot(axisX, axisY);
  if (r < deadZone) return null;
  const k = Math.min(1, (r - deadZone) / (1 - deadZone)) / r;
  return { x: axisX * k, y: -axisY * k };
}

/** An axis for the wire: clamped, rounded to 1/100 (finer means nothing to a 15-step codec), never -0. */
export function wireAxis(v: number): number {
  const r = Math.round(Math.max(-1, Math.min(1, v)) * 100) / 100;
  return r === 0 ? 0 : r;
}
