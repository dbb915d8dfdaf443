// A top-down map of the simulated car: its track so far and where it points now.
// World frame (src/vehicle/kinematics.ts): metres, x right, y forward of the start, heading clockwise
// from +y. SVG's y grows downwards, so world (x, y) is drawn at (x, -y) and a heading of h radians is a
// clockwise rotation of h on screen, which is what SVG's rotate() does.

import { select, type Selection } from 'd3-selection';
import type { Pose } from './messages.js';

const MAX_POINTS = 2000;
const MIN_STEP_M = 0.01; // track points closer than this add nothing visible
const MIN_SPAN_M = 3;

export interface Track {
  show(visible: boolean): void;
  pose(pose: Pose): void;
  clear(): void;
}

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

export function gridStep(span: number): number {
  return span <= 12 ? 1 : span <= 60 ? 5 : 10;
}

export function createTrack(section: HTMLElement): Track {
  const host = section.querySelector<HTMLElement>('.track-map')!;
  const readout = section.querySelector<HTMLElement>('#pose-readout')!;
  const svg = select(host).append('svg')
    .attr('class', 'track')
    .attr('role', 'img')
    .attr('aria-label', 'Top-down map of the simulated car and its track');
  const grid: Selection<SVGGElement, unknown, null, undefined> = svg.append('g').attr('class', 'grid');
  const path = svg.append('path').attr('class', 'trail');
  svg.append('circle').attr('class', 'origin').attr('r', 0.05);
  const car = svg.append('path').attr('class', 'car');

  let points: Array<[number, number]> = [];
  let current: Pose | null = null;
  let frame = 0;

  const render = () => {
    frame = 0;
    const view = viewOf(points.length > 0 ? points : [[0, 0]]);
    svg.attr('viewBox', `${view.x} ${view.y} ${view.span} ${view.span}`);
    const step = gridStep(view.span);
    const lines: string[] = [];
    for (let gx = Math.ceil(view.x / step) * step; gx <= view.x + view.span; gx += step) lines.push(`M${gx},${view.y}v${view.span}`);
    for (let gy = Math.ceil(view.y / step) * step; gy <= view.y + view.span; gy += step) lines.push(`M${view.x},${gy}h${view.span}`);
    grid.selectAll('path').data([lines.join('')]).join('path').attr('d', (d) => d);
    path.attr('d', points.length > 1 ? `M${points.map(([x, y]) => `${x.toFixed(3)},${(-y).toFixed(3)}`).join('L')}` : null);
    if (!current) return; // the grid alone until the first pose
    const size = view.span / 18; // the car stays visible at any zoom
    const deg = (current.heading * 180) / Math.PI;
    car.attr('d', `M0,${-size}L${size * 0.6},${size * 0.7}L0,${size * 0.35}L${-size * 0.6},${size * 0.7}Z`)
      .attr('transform', `translate(${current.x},${-current.y}) rotate(${deg})`);
    readout.textContent = `x ${current.x.toFixed(2)} m · y ${current.y.toFixed(2)} m · heading ${Math.round(deg)}° · ${current.speed.toFixed(2)} m/s`;
  };

  return {
    show(visible: boolean) {
      section.hidden = !visible;
      if (visible && frame === 0) frame = requestAnimationFrame(render);
    },
    pose(pose: Pose) {
      current = pose;
      const lastPoint = points[points.length - 1];
      if (!lastPoint || Math.hypot(pose.x - lastPoint[0], pose.y - lastPoint[1]) >= MIN_STEP_M) {
        points.push([pose.x, pose.y]);
        if (points.length > MAX_POINTS) points = points.slice(-MAX_POINTS / 2);
      }
      if (frame === 0 && !section.hidden) frame = requestAnimationFrame(render);
    },
    clear() {
      points = current ? [[current.x, current.y]] : [];
      if (frame === 0) frame = requestAnimationFrame(render);
    },
  };
}
