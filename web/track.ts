// A top-down map of the simulated arena: the circuit (its track, start/finish line and checkpoints),
// this page's car with its trail, and every other simulated car in its own colour.
// World frame (src/vehicle/kinematics.ts): metres, x right, y forward of the start, heading clockwise
// from +y. SVG's y grows downwards, so world (x, y) is drawn at (x, -y) and a heading of h radians is a
// clockwise rotation of h on screen, which is what SVG's rotate() does.

import { select, type Selection } from 'd3-selection';
import type { ArenaCar, Circuit, Gate, GhostCar, Pose } from './messages.js';
import { drawGhosts, listGhosts } from './ghost-layer.js';
import { circuitExtent, viewOf } from './track-view.js';

const MAX_POINTS = 2000;
const MIN_STEP_M = 0.01; // track points closer than this add nothing visible
const OWN_COLOUR = 'var(--knob)'; // the joystick's knob, which wears this car's colour (main.ts)

export interface Track {
  show(visible: boolean): void;
  /** This page's car (its `telemetry`). */
  pose(pose: Pose): void;
  /** The arena: every car's colour, the circuit, and which car is this page's. */
  arena(cars: readonly ArenaCar[], circuit: Circuit, own: string): void;
  /** Every simulated car's pose (the arena's `poses`, this page's car's included). */
  poses(poses: Readonly<Record<string, Pose>>): void;
  /** The ghosts (recordings replayed on cars of their own: ghost-layer.ts), all of them each time. */
  ghosts(ghosts: readonly GhostCar[]): void;
  clear(): void;
  /**
   * A race's countdown (true until go): the server puts the cars on the grid and holds them there, so a
   * pose meanwhile is a placement, not a drive; the trail starts again from it instead of a line to the slot.
   */
  lineUp(lining: boolean): void;
}

/** Grid lines every this many metres, for a view `span` metres wide (the recordings' map uses it too). */
export function gridStep(span: number): number {
  return span <= 12 ? 1 : span <= 60 ? 5 : 10;
}

const gatePath = (g: Gate) => `M${g.a.x},${-g.a.y}L${g.b.x},${-g.b.y}`;

/** An arrowhead pointing up the screen, `size` long, for a car at the origin. */
const carShape = (size: number) => `M0,${-size}L${size * 0.6},${size * 0.7}L0,${size * 0.35}L${-size * 0.6},${size * 0.7}Z`;
const carTransform = (p: Pose) => `translate(${p.x},${-p.y}) rotate(${(p.heading * 180) / Math.PI})`;

type Layers = ReturnType<typeof drawLayers>;

/** The map's layers, bottom to top: grid, circuit, trail, origin, other cars, this page's car. */
function drawLayers(host: HTMLElement) {
  const svg = select(host).append('svg')
    .attr('class', 'track')
    .attr('role', 'img')
    .attr('aria-label', 'Top-down map of the simulated cars and their circuit');
  const grid: Selection<SVGGElement, unknown, null, undefined> = svg.append('g').attr('class', 'grid');
  const course = svg.append('g').attr('class', 'circuit');
  const path = svg.append('path').attr('class', 'trail');
  svg.append('circle').attr('class', 'origin').attr('r', 0.05);
  const ghosts: Selection<SVGGElement, unknown, null, undefined> = svg.append('g').attr('class', 'ghosts');
  const others = svg.append('g').attr('class', 'others');
  const car = svg.append('path').attr('class', 'car');
  return { svg, grid, course, path, ghosts, others, car };
}

/** The circuit into `course` (the recordings' map draws it too). */
export function drawCircuit(course: Selection<SVGGElement, unknown, null, undefined>, circuit: Circuit): void {
  const loop = `M${circuit.centreline.map(([x, y]) => `${x},${-y}`).join('L')}Z`;
  course.selectAll('*').remove();
  course.append('path').attr('class', 'tarmac').attr('d', loop).attr('stroke-width', circuit.width);
  course.append('path').attr('class', 'kerb').attr('d', loop);
  course.selectAll('path.checkpoint').data(circuit.checkpoints).join('path').attr('class', 'checkpoint').attr('d', gatePath);
  course.append('path').attr('class', 'start-line').attr('d', gatePath(circuit.startLine));
}

function drawGrid(grid: Layers['grid'], view: { x: number; y: number; span: number }): void {
  const step = gridStep(view.span);
  const lines: string[] = [];
  for (let gx = Math.ceil(view.x / step) * step; gx <= view.x + view.span; gx += step) lines.push(`M${gx},${view.y}v${view.span}`);
  for (let gy = Math.ceil(view.y / step) * step; gy <= view.y + view.span; gy += step) lines.push(`M${view.x},${gy}h${view.span}`);
  grid.selectAll('path').data([lines.join('')]).join('path').attr('d', (d) => d);
}

function drawOthers(others: Layers['others'], poses: Array<[string, Pose]>, colours: Map<string, string>, size: number): void {
  others.selectAll('path').data(poses, (d) => (d as [string, Pose])[0]).join('path')
    .attr('class', 'other-car')
    .attr('data-car', ([name]) => name)
    .attr('fill', ([name]) => colours.get(name) ?? '#888')
    .attr('d', carShape(size * 0.9))
    .attr('transform', ([, p]) => carTransform(p));
}

/** The trail with this pose added, when it moved far enough to show; the older half dropped when too long. */
function extendTrail(points: Array<[number, number]>, pose: Pose): Array<[number, number]> {
  const lastPoint = points[points.length - 1];
  if (lastPoint && Math.hypot(pose.x - lastPoint[0], pose.y - lastPoint[1]) < MIN_STEP_M) return points;
  points.push([pose.x, pose.y]);
  return points.length > MAX_POINTS ? points.slice(-MAX_POINTS / 2) : points;
}

function poseText(pose: Pose): string {
  const deg = (pose.heading * 180) / Math.PI;
  return `x ${pose.x.toFixed(2)} m · y ${pose.y.toFixed(2)} m · heading ${Math.round(deg)}° · ${pose.speed.toFixed(2)} m/s`;
}

/** Runs `draw` on the next animation frame, once however often asked, and not while `section` is hidden. */
function framed(section: HTMLElement, draw: () => void): () => void {
  let frame = 0;
  return () => {
    if (frame === 0 && !section.hidden) frame = requestAnimationFrame(() => { frame = 0; draw(); });
  };
}

/** What the map shows, kept between frames. */
interface TrackState {
  points: Array<[number, number]>;
  current: Pose | null;
  extent: Array<[number, number]>;
  colours: Map<string, string>;
  own: string;
  otherPoses: Array<[string, Pose]>;
  ghosts: readonly GhostCar[];
}

/** One frame of the map: the view around the circuit and the trail, the grid, the trail, the cars. */
function renderTrack({ svg, grid, path, ghosts, others, car }: Layers, readout: HTMLElement, s: TrackState): void {
  const view = viewOf([...s.extent, ...(s.points.length > 0 ? s.points : [[0, 0] as [number, number]])]);
  svg.attr('viewBox', `${view.x} ${view.y} ${view.span} ${view.span}`);
  drawGrid(grid, view);
  path.attr('d', s.points.length > 1 ? `M${s.points.map(([x, y]) => `${x.toFixed(3)},${(-y).toFixed(3)}`).join('L')}` : null);
  // The cars stay visible at any zoom; on the arena's circuit, small enough to tell the grid slots apart.
  const size = view.span / (s.extent.length > 0 ? 28 : 18);
  drawOthers(others, s.otherPoses, s.colours, size);
  drawGhosts(ghosts, s.ghosts, size, carShape, carTransform);
  if (!s.current) return; // the grid alone until the first pose
  car.attr('d', carShape(size)).attr('transform', carTransform(s.current)).style('fill', s.colours.get(s.own) ?? OWN_COLOUR);
  readout.textContent = poseText(s.current);
}

export function createTrack(section: HTMLElement): Track {
  const readout = section.querySelector<HTMLElement>('#pose-readout')!;
  const layers = drawLayers(section.querySelector<HTMLElement>('.track-map')!);
  const s: TrackState = { points: [], current: null, extent: [], colours: new Map(), own: '', otherPoses: [], ghosts: [] };
  let lining = false;
  const redraw = framed(section, () => renderTrack(layers, readout, s));

  const track: Track = {
    show(visible: boolean) {
      section.hidden = !visible;
      redraw();
    },
    pose(pose: Pose) {
      s.current = pose;
      s.points = lining ? [[pose.x, pose.y]] : extendTrail(s.points, pose);
      redraw();
    },
    arena(cars, circuit, ownName) {
      s.colours = new Map(cars.map((c) => [c.name, c.colour]));
      s.own = ownName;
      s.extent = circuitExtent(circuit);
      drawCircuit(layers.course, circuit);
      section.dataset.cars = String(cars.filter((c) => c.sim).length);
      redraw();
    },
    poses(poses) {
      s.otherPoses = Object.entries(poses).filter(([name]) => name !== s.own);
      if (poses[s.own]) track.pose(poses[s.own]); // with several simulated cars, this page's car comes in `poses` too
      else redraw();
    },
    ghosts(list) {
      s.ghosts = list;
      listGhosts(section, list);
      redraw();
    },
    clear() {
      s.points = s.current ? [[s.current.x, s.current.y]] : [];
      redraw();
    },
    lineUp(value) {
      lining = value;
      if (lining) track.clear();
    },
  };
  return track;
}
