// The recording's track, top down, in the controller page's map frame (track.ts): the path the simulator
// takes with the recorded bytes, the poses the simulated car reported live (when it was the simulator),
// and the car where the timeline's cursor is.

import { select } from 'd3-selection';
import { gridStep } from '../track.js';
import { viewOf } from '../track-view.js';
import type { Track, TrackPoint } from './api.js';

export interface RecordingMap {
  at(t: number): void;
}

export function drawMap(host: HTMLElement, track: Track): RecordingMap {
  host.textContent = '';
  const points = track.points;
  const view = viewOf([...points, ...track.recorded].map((p) => [p.x, p.y] as [number, number]));
  const svg = select(host).append('svg')
    .attr('class', 'track')
    .attr('viewBox', `${view.x} ${view.y} ${view.span} ${view.span}`)
    .attr('role', 'img')
    .attr('aria-label', 'Top-down map of the simulated track of this session');
  // A metre grid (or coarser), as on the controller page's map, for scale.
  const step = gridStep(view.span);
  const lines: string[] = [];
  for (let gx = Math.ceil(view.x / step) * step; gx <= view.x + view.span; gx += step) lines.push(`M${gx},${view.y}v${view.span}`);
  for (let gy = Math.ceil(view.y / step) * step; gy <= view.y + view.span; gy += step) lines.push(`M${view.x},${gy}h${view.span}`);
  svg.append('g').attr('class', 'grid').append('path').attr('d', lines.join(''));
  const path = (list: readonly TrackPoint[]): string | null =>
    list.length > 1 ? `M${list.map((p) => `${p.x.toFixed(3)},${(-p.y).toFixed(3)}`).join('L')}` : null;
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
