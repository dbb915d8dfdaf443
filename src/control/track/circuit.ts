/**
 * The simulated arena's circuit: a stadium oval driven clockwise (right-hand turns), its start/finish
 * line and checkpoints, and the starting grid. Data only, in the cars' frame (metres, x right, y forward
 * of the first grid slot, heading clockwise from +y: src/vehicle/kinematics.ts).
 *
 * The first grid slot is the origin, facing +y: a server with one simulated car starts it where it
 * always started. Sizes suit a 1:28 i-Racer (1.5 m/s flat out, 0.4 m turning circle): a lap is about
 * 16 m, some 11 s at full speed.
 *
 *            CP1 (top of the oval, crossed rightwards)
 *          .-----.
 *         /       \
 *        |  grid   |
 *        |  ^ ^    |  CP2 (right straight, crossed downwards)
 *        |  start  |
 *         \       /
 *          '-----'
 *            CP3 (bottom, crossed leftwards)
 */
import type { Pose } from '../../vehicle/index.js';
import type { Circuit, Gate } from '../protocol/messages.js';

/** The left straight's centre line (x), its ends (y), the turns' radius and the track's width. */
const LEFT_X = 0.25;
const BOTTOM_Y = -2.6;
const TOP_Y = 1.4;
const RADIUS = 1.25;
const WIDTH = 1.6;
/** The start/finish line's y on the left straight, behind the grid. */
const START_Y = -2.1;
/** Gates reach this far beyond the track's edge on the outside, and this far into the infield. */
const GATE_OUTSIDE = 0.2;
const GATE_INSIDE = 0.2;

const RIGHT_X = LEFT_X + 2 * RADIUS;
const MID_X = LEFT_X + RADIUS;
const HALF = WIDTH / 2;

/** A gate across the track between its inner and outer points: forwards is the direction of travel. */
function gate(inner: [number, number], outer: [number, number], travel: 'up' | 'down' | 'left' | 'right'): Gate {
  // Forwards is to the left of a→b (track-geometry.ts): pick the order that makes it the travel direction.
  const [ix, iy] = inner;
  const [ox, oy] = outer;
  const aFirst = travel === 'up' ? ix < ox : travel === 'down' ? ix > ox : travel === 'right' ? iy > oy : iy < oy;
  const [a, b] = aFirst ? [inner, outer] : [outer, inner];
  return { a: { x: mm(a[0]), y: mm(a[1]) }, b: { x: mm(b[0]), y: mm(b[1]) } };
}

const mm = (v: number) => Math.round(v * 1000) / 1000;

function centreline(pointsPerTurn = 24): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  // From the top of the left straight over the top (centre (MID_X, TOP_Y), from the left round to the right),
  // down the right straight, under the bottom back to the left: clockwise.
  for (let i = 0; i <= pointsPerTurn; i++) {
    const a = Math.PI - (Math.PI * i) / pointsPerTurn;
    points.push([mm(MID_X + RADIUS * Math.cos(a)), mm(TOP_Y + RADIUS * Math.sin(a))]);
  }
  for (let i = 0; i <= pointsPerTurn; i++) {
    const a = -(Math.PI * i) / pointsPerTurn;
    points.push([mm(MID_X + RADIUS * Math.cos(a)), mm(BOTTOM_Y + RADIUS * Math.sin(a))]);
  }
  return points;
}

export const CIRCUIT: Circuit = Object.freeze({
  centreline: centreline(),
  width: WIDTH,
  startLine: gate([LEFT_X + HALF + GATE_INSIDE, START_Y], [LEFT_X - HALF - GATE_OUTSIDE, START_Y], 'up'),
  checkpoints: [
    gate([MID_X, TOP_Y + RADIUS - HALF - GATE_INSIDE], [MID_X, TOP_Y + RADIUS + HALF + GATE_OUTSIDE], 'right'),
    gate([RIGHT_X - HALF - GATE_INSIDE, (TOP_Y + BOTTOM_Y) / 2], [RIGHT_X + HALF + GATE_OUTSIDE, (TOP_Y + BOTTOM_Y) / 2], 'down'),
    gate([MID_X, BOTTOM_Y - RADIUS + HALF + GATE_INSIDE], [MID_X, BOTTOM_Y - RADIUS - HALF - GATE_OUTSIDE], 'left'),
  ],
}) as Circuit;

/** Grid slots: two columns, staggered, half a metre between rows, pole position at the origin. */
const ROW_GAP = 0.5;
const COLUMN_GAP = 0.5;

/**
 * Where the i-th simulated car starts (0-based), facing up the straight. The first eight stand between
 * the start line and the turn; any more line up behind the line (their first crossing starts their lap).
 */
export function gridSlot(i: number): Pose {
  const row = Math.floor(i / 2);
  const column = i % 2;
  const back = row * ROW_GAP + column * (ROW_GAP / 2);
  return { x: column * COLUMN_GAP, y: back === 0 ? 0 : -back, heading: 0, speed: 0 };
}
