// The simulated car's motion: a kinematic bicycle model, no inertia (a toy car reaches its speed in a
// blink compared with a 50 ms tick). Speed comes from the speed step, steering is full lock or straight.
//
// Frame: metres, x to the right, y forward of the start; heading in radians clockwise from +y (compass
// style: turning right increases it), kept in (-pi, pi]. Pose.speed is signed: negative when reversing.

import { MAX_SPEED, type Intent } from './demand.js';

export interface Pose {
  x: number;
  y: number;
  heading: number;
  speed: number;
}

export interface CarModel {
  /** Speed at step 15, m/s (a 1:28 i-Racer does roughly 1.5 m/s flat out). */
  maxSpeed: number;
  /** Turning radius at full lock, m. */
  turningRadius: number;
}

export const DEFAULT_CAR: CarModel = { maxSpeed: 1.5, turningRadius: 0.4 };

export const ORIGIN: Pose = Object.freeze({ x: 0, y: 0, heading: 0, speed: 0 });

/** Signed speed (m/s) and steering (-1 left, 0 straight, +1 right) for an intent. */
export function controls(intent: Intent, car: CarModel): { speed: number; steer: number } {
  const v = (car.maxSpeed * Math.max(0, Math.min(MAX_SPEED, intent.speed))) / MAX_SPEED;
  switch (intent.direction) {
    case 'stop': return { speed: 0, steer: 0 };
    case 'forward': return { speed: v, steer: 0 };
    case 'backward': return { speed: -v, steer: 0 };
    // "left/right, no drive": the front wheels turn, the car stays where it is.
    case 'left': return { speed: 0, steer: -1 };
    case 'right': return { speed: 0, steer: 1 };
    case 'forward-left': return { speed: v, steer: -1 };
    case 'forward-right': return { speed: v, steer: 1 };
    case 'backward-left': return { speed: -v, steer: -1 };
    case 'backward-right': return { speed: -v, steer: 1 };
  }
}

function wrapAngle(a: number): number {
  const w = Math.atan2(Math.sin(a), Math.cos(a));
  return w === -Math.PI ? Math.PI : w;
}

/** The pose after dt seconds of this intent, integrated exactly along the arc. */
export function step(pose: Pose, intent: Intent, dt: number, car: CarModel = DEFAULT_CAR): Pose {
  const { speed, steer } = controls(intent, car);
  if (speed === 0) return { x: pose.x, y: pose.y, heading: pose.heading, speed: 0 };
  const omega = (steer * speed) / car.turningRadius; // rad/s, clockwise positive
  const h0 = pose.heading;
  if (omega === 0) {
    const d = speed * dt;
    return { x: pose.x + d * Math.sin(h0), y: pose.y + d * Math.cos(h0), heading: h0, speed };
  }
  const h1 = h0 + omega * dt;
  const r = speed / omega;
  return {
    x: pose.x + r * (Math.cos(h0) - Math.cos(h1)),
    y: pose.y + r * (Math.sin(h1) - Math.sin(h0)),
    heading: wrapAngle(h1),
    speed,
  };
}
