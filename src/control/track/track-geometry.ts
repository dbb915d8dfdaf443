/**
 * Plane geometry for lap counting: did a car's move cross a line, and which way. Pure functions of
 * points in the cars' frame (metres, x right, y forward; src/vehicle/kinematics.ts).
 *
 * A gate is a segment a→b; crossing it FORWARDS is moving from its right side to its left side (left as
 * seen walking from a to b: with a→b pointing along +x, forwards is towards +y). A point exactly on the
 * line counts as the left side, so a car that stops on the line and drives on is counted once, and one
 * that rocks back and forth over it is counted forwards and backwards alternately, never twice forwards.
 */
import type { Gate, Point } from '../protocol/messages.js';

export type { Gate, Point } from '../protocol/messages.js';
export type Crossing = 'forward' | 'backward' | null;

/** Which side of the gate's line p is on: > 0 left, < 0 right, 0 on it (twice the triangle's area). */
export function side(gate: Gate, p: Point): number {
  const ex = gate.b.x - gate.a.x;
  const ey = gate.b.y - gate.a.y;
  return ex * (p.y - gate.a.y) - ey * (p.x - gate.a.x);
}

/** Whether the move from → to crosses the gate (between its ends, ends included), and which way. */
export function crossing(from: Point, to: Point, gate: Gate): Crossing {
  const s0 = side(gate, from);
  const s1 = side(gate, to);
  const forward = s0 < 0 && s1 >= 0;
  if (!forward && !(s0 >= 0 && s1 < 0)) return null; // same side: the line is not crossed
  // Through the gate, not around one of its ends: its ends lie on opposite sides of the move's line, or
  // one on it (ends included). Sign tests of products, no division: exact for coordinates that are exact
  // binary fractions, so the same move reversed, or the gate's ends swapped, is decided the same way.
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const ofA = dx * (gate.a.y - from.y) - dy * (gate.a.x - from.x);
  const ofB = dx * (gate.b.y - from.y) - dy * (gate.b.x - from.x);
  if ((ofA > 0 && ofB > 0) || (ofA < 0 && ofB < 0)) return null;
  return forward ? 'forward' : 'backward';
}
