// What part of the world the map shows (web/track.ts): pure arithmetic, no DOM, so it is tested in Node.
import type { Circuit } from './messages.js';

const MIN_SPAN_M = 3;

/** A square view (metres) holding every point with a margin, at least MIN_SPAN_M wide. */
export function viewOf(points: ReadonlyArray<readonly [number, number]>): { x: number; y: number; span: number } {
  let minX = 0, maxX = 0, minY = 0, maxY = 0;
  for (const [x, y] of points) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const span = Math.max(MIN_SPAN_M, maxX - minX, maxY - minY) * 1.2;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  return { x: cx - span / 2, y: -cy - span / 2, span };
}

/** The points a view must hold to show the whole circuit: its track's edges and its gates. */
export function circuitExtent(circuit: Circuit): Array<[number, number]> {
  const half = circuit.width / 2;
  const points: Array<[number, number]> = [];
  for (const [x, y] of circuit.centreline) points.push([x - half, y - half], [x + half, y + half]);
  for (const gate of [circuit.startLine, ...circuit.checkpoints]) points.push([gate.a.x, gate.a.y], [gate.b.x, gate.b.y]);
  return points;
}
