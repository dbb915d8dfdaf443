// Analog joystick -> one of the 9 directions a toy car knows, plus a speed step.
//
// Angles are measured from straight ahead (+y), clockwise towards +x, so the 8 moving directions each own a
// 45-degree sector centred on their own bearing (forward 0, forward-right 45, right 90, ... forward-left
// -45). A boundary angle belongs to the sector clockwise of it. Inside the dead zone (a resting thumb, a
// worn stick) the answer is stop.

import { MAX_SPEED, STOP, type Direction, type Intent } from './demand.js';

export const DEFAULT_DEAD_ZONE = 0.15;

/** Clockwise from forward, one per 45-degree sector. */
const SECTORS: readonly Direction[] = [
  'forward', 'forward-right', 'right', 'backward-right',
  'backward', 'backward-left', 'left', 'forward-left',
];

const SECTOR = Math.PI / 4;

/** Sector index 0..7 for a bearing in radians (clockwise from +y). */
export function sectorOf(bearing: number): number {
  const i = Math.floor((bearing + SECTOR / 2) / SECTOR);
  return ((i % 8) + 8) % 8;
}

/**
 * The speed step for a stick deflection: the range between the dead zone and full deflection is cut into
 * 15 equal bands, band k (0-based) giving speed k + 1. Deflection is clamped to 1 (a square stick's corner).
 */
export function speedStep(magnitude: number, deadZone = DEFAULT_DEAD_ZONE): number {
  const m = Math.min(1, magnitude);
  if (m < deadZone) return 0;
  const s = (m - deadZone) / (1 - deadZone);
  return Math.min(MAX_SPEED, 1 + Math.floor(s * MAX_SPEED));
}

export function quantize(x: number, y: number, deadZone = DEFAULT_DEAD_ZONE): Intent {
  const magnitude = Math.hypot(x, y);
  if (magnitude < deadZone) return STOP;
  return { direction: SECTORS[sectorOf(Math.atan2(x, y))], speed: speedStep(magnitude, deadZone) };
}
