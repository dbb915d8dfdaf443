// The recording's track, top down, in the controller page's map frame (track.ts): the arena's circuit
// (for a simulated car), the path the simulator takes with the recorded bytes, the poses the simulated car
// reported live (when it was the simulator), and the car where the timeline's cursor is. A car a race put
// on its grid slot jumps there: the path starts afresh, with no line drawn to the slot.

import { select } from 'd3-selection';
import { drawCircuit, gridStep } from '../track.js';
import { circuitExtent, viewOf } from '../track-view.js';
import type { Track, TrackPoint } from './api.js';

export interface RecordingMap {
  at(t: number): void;
}

export function drawMap(host: HTMLElement, track: Track): RecordingMap {
  host.textContent = '';
  const points = track.points;
  const view = viewOf([
    ...points.map((p) => [p.x, p.y] as [number, number]), ...track.recorded.map((p) => [p.x, p.y] as [number, number]),
    ...(track.circuit === null ? [] : circuitExtent(track.circuit)),
  ]);
  const svg = select(host).append('svg')
    .attr('class', 'track')
    .attr('viewBox', `${view.x} ${view.y} ${view.span} ${view.span}`)
    .attr('role', 'img')
    .attr('aria-label', `Top-down map of the simulated track of this session${track.circuit === null ? '' : ', on the arena\'s circuit'}`);
  // A metre grid (or coarser), as on the controller page's map, for scale.
  const step = gridStep(view.span);
  const lines: string[] = [];
  for (let gx = Math.ceil(view.x / step) * step; gx <= view.x + view.span; gx += step) lines.push(`M${gx},${view.y}v${view.span}`);
  for (let gy = Math.ceil(view.y / step) * step; gy <= view.y + view.span; gy += step) lines.push(`M${view.x},${gy}h${view.span}`);
  svg.append('g').attr('class', 'grid').append('path').attr('d', lines.join(''));
  if (track.circuit !== null) drawCircuit(svg.append('g').attr('class', 'circuit'), track.circuit);
  const path = (list: readonly TrackPoint[]): string | null =>
    list.length > 1 ? list.map((p, i) => `${i === 0 || p.placed ? 'M' : 'L'}${p.x.toFixed(3)},${(-p.y).toFixed(3)}`).join('') : null;
  svg.append('path').attr('class', 'recorded').attr('d', path(track.recorded));
  svg.append('path').attr('class', 'trail').attr('d', path(points));
  if (points.length > 0) svg.append('circle').attr('class', 'origin').attr('r', view.span / 120).attr('cx', points[0].x).attr('cy', -points[0].y);
  const size = view.span / 30;
  const car = svg.append('path').attr('class', 'car')
    .attr('d', `M0,${-size}L${size * 0.6},${size * 0.7}L0,${size * 0.35}L${-size * 0.6},${size * 0.7}Z`);
  return {
    at(t) {
      const p = poseAt(points, t);
      if (p === null) return;
      car.attr('transform', `translate(${p.x},${-p.y}) rotate(${(p.heading * 180) / Math.PI})`);
    },
  };
}

/** The last point at or before t (the track is in time order). */
function poseAt(points: readonly TrackPoint[], t: number): TrackPoint | null {
  if (points.length === 0) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid].t <= t) lo = mid;
    else hi = mid - 1;
  }
  return points[lo];
}
