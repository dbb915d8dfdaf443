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

/** A gamepad stick's dead zone unless the settings say otherwise (a resting stick is never perfectly centred). */
export const STICK_DEAD_ZONE = 0.15;

/**
 * `v` with a dead zone taken out: the centre inside it, and outside it the range rescaled, so a small
 * push starts from zero rather than jumping to the dead zone's edge. Lengths are clamped to 1.
 */
export function withoutDeadZone(v: Vector, deadZone: number): Vector {
  const r = Math.hypot(v.x, v.y);
  if (r <= deadZone || r === 0) return { x: 0, y: 0 };
  const k = Math.min(1, (r - deadZone) / (1 - deadZone)) / r;
  return { x: v.x * k, y: v.y * k };
}

/**
 * A gamepad stick (axes as the Gamepad API gives them: y down) as a demand, or null inside the dead zone
 * (a resting stick is never perfectly centred). Outside it the range is rescaled (withoutDeadZone).
 */
export function stickDemand(axisX: number, axisY: number, deadZone = STICK_DEAD_ZONE): Vector | null {
  if (Math.hypot(axisX, axisY) < deadZone) return null;
  return withoutDeadZone({ x: axisX, y: -axisY }, deadZone);
}

/**
 * A stick's sensitivity: an expo curve on its deflection (0 linear, 1 the full cubic), the RC
 * transmitter's way of giving fine control near the centre and still reaching full speed at the edge.
 * The direction is kept; 0 and 1 map to themselves.
 */
export function expo(v: Vector, amount: number): Vector {
  const r = Math.hypot(v.x, v.y);
  if (r === 0 || amount <= 0) return v;
  const m = Math.min(1, r);
  const k = ((1 - amount) * m + amount * m * m * m) / r;
  return { x: v.x * k, y: v.y * k };
}

/** The on-screen joystick's own dead zone: a finger lands a little off centre. */
export const JOYSTICK_DEAD_ZONE = 0.1;

/** The dead zone of the server's quantizer when its welcome does not say (older servers). */
export const SERVER_DEAD_ZONE = 0.15;

/** The speed steps a car knows (the server's quantizer cuts its range into this many bands). */
export const MAX_STEP = 15;

/**
 * The wire magnitude that the server's quantizer (src/vehicle/quantize.ts: below `deadZone` a stop, then
 * MAX_STEP equal bands) turns into exactly `step`: the middle of that band, so that rounding to the wire's
 * 1/100 cannot leave it, and a full deflection (1) for the top step.
 */
export function wireMagnitude(step: number, deadZone: number): number {
  if (step <= 0) return 0;
  if (step >= MAX_STEP) return 1;
  return deadZone + ((1 - deadZone) * (step - 0.5)) / MAX_STEP;
}

/**
 * The one mapping from any input to the car's speed (docs/design.md, "Speed means the same everywhere").
 * `fraction` is the input's own demand, its length from 0 to 1 after the input's own dead zone (the
 * gamepad's, the joystick's; none for keys): that fraction of the top speed step (the speed control) is the
 * step the car gets, at least 1 for any push at all, and the answer is the wire vector the server
 * quantizes to exactly that step. So at every setting of the speed control a key, a command button, a
 * full stick and a full joystick give the same speed, and the server's dead zone is never a second one.
 * The centre stays the centre (arming.ts then sees the input centred exactly where the car stops).
 */
export function speedDemand(fraction: Vector, topStep: number, deadZone: number): Vector {
  const r = Math.hypot(fraction.x, fraction.y);
  if (r === 0) return { x: 0, y: 0 };
  const top = Math.max(1, Math.min(MAX_STEP, Math.round(topStep)));
  const step = Math.max(1, Math.ceil(Math.min(1, r) * top - 1e-9));
  const k = wireMagnitude(step, deadZone) / r;
  return { x: fraction.x * k, y: fraction.y * k };
}

/** An axis for the wire: clamped, rounded to 1/100 (finer means nothing to a 15-step codec), never -0. */
export function wireAxis(v: number): number {
  const r = Math.round(Math.max(-1, Math.min(1, v)) * 100) / 100;
  return r === 0 ? 0 : r;
}
