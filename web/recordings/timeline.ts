// One recording as a timeline: the driver's stick (forward and steer) and discrete commands, every byte
// written to the car, and the events around them (link state, watchdog and hold stops, refusals, seat
// changes). A cursor follows the pointer, or the slider under it for the keyboard; whoever draws the map
// follows the cursor.

import { select } from 'd3-selection';
import { describeDemand, type Line } from './lines.js';

const LANES = { axis: 18, stick: 70, bytes: 34, events: 34 };
const PAD_X = 56;
const HEIGHT = LANES.axis + LANES.stick + LANES.bytes + LANES.events + 8;
const STICK_TOP = LANES.axis;
const BYTES_TOP = STICK_TOP + LANES.stick;
const EVENTS_TOP = BYTES_TOP + LANES.bytes;

export interface Timeline {
  /** Moves the cursor to t (ms) and says what happened by then. */
  setCursor(t: number): void;
}

/** What every lane draws on: the svg, its width, the time it spans and where a time is drawn. */
interface Canvas {
  svg: ReturnType<typeof drawAxes>;
  width: number;
  span: number;
  x(t: number): number;
}

export function drawTimeline(host: HTMLElement, slider: HTMLInputElement, lines: readonly Line[], durationMs: number,
  onCursor: (t: number, summary: string) => void): Timeline {
  host.textContent = '';
  const width = Math.max(320, host.clientWidth);
  const span = Math.max(durationMs, 1);
  const x = (t: number): number => PAD_X + ((width - PAD_X - 8) * t) / span;
  const canvas: Canvas = { svg: drawAxes(host, width, span, x), width, span, x };
  drawStick(canvas, lines);
  drawBytes(canvas, lines);
  drawEvents(canvas, lines);
  return attachCursor(canvas, slider, lines, onCursor);
}

/** The svg with its lane names and the time axis. */
function drawAxes(host: HTMLElement, width: number, span: number, x: (t: number) => number) {
  const svg = select(host).append('svg')
    .attr('class', 'timeline-svg')
    .attr('viewBox', `0 0 ${width} ${HEIGHT}`)
    .attr('width', width).attr('height', HEIGHT)
    .attr('role', 'img')
    .attr('aria-label', 'Timeline of the session: the stick, the bytes sent to the car, and events');
  for (const [name, top, height] of [['stick', STICK_TOP, LANES.stick], ['bytes', BYTES_TOP, LANES.bytes],
    ['events', EVENTS_TOP, LANES.events]] as const) {
    svg.append('rect').attr('class', 'lane').attr('x', PAD_X).attr('y', top).attr('width', width - PAD_X - 8).attr('height', height - 4);
    svg.append('text').attr('class', 'lane-name').attr('x', 4).attr('y', top + height / 2).text(name);
  }
  const step = niceStep(span / 8);
  for (let t = 0; t <= span; t += step) {
    svg.append('text').attr('class', 'tick').attr('x', x(t)).attr('y', 12).text(`${(t / 1000).toFixed(step < 1000 ? 1 : 0)} s`);
  }
  return svg;
}

/** The stick: forward (y) and steer (x) as steps, back to 0 when the car was stopped; commands as bars. */
function drawStick({ svg, span, x }: Canvas, lines: readonly Line[]): void {
  const yOf = (v: number): number => STICK_TOP + (LANES.stick - 4) / 2 - (v * (LANES.stick - 12)) / 2;
  let fwd = `M${x(0)},${yOf(0)}`;
  let steer = fwd;
  for (const line of lines) {
    let value: { x: number; y: number } | null = null;
    if (line.kind === 'demand') value = line.demand.kind === 'analog' ? { x: line.demand.x, y: line.demand.y } : { x: 0, y: 0 };
    else if (line.kind === 'watchdog' || line.kind === 'hold-expired') value = { x: 0, y: 0 };
    if (value === null) continue;
    fwd += `H${x(line.t)}V${yOf(value.y)}`;
    steer += `H${x(line.t)}V${yOf(value.x)}`;
  }
  svg.append('path').attr('class', 'stick-y').attr('d', `${fwd}H${x(span)}`);
  svg.append('path').attr('class', 'stick-x').attr('d', `${steer}H${x(span)}`);
  for (const line of lines) {
    if (line.kind !== 'demand' || line.demand.kind === 'analog') continue;
    const d = line.demand;
    const end = d.durationMs ? line.t + d.durationMs : line.t;
    svg.append('rect').attr('class', d.kind === 'command' && d.name === 'stop' ? 'command stop' : 'command')
      .attr('x', x(line.t)).attr('y', STICK_TOP + 4).attr('width', Math.max(2, x(end) - x(line.t))).attr('height', 10)
      .append('title').text(`${(line.t / 1000).toFixed(3)} s: ${describeDemand(d)}`);
  }
}

/** The bytes: a tick each, labelled where there is room. */
function drawBytes({ svg, x }: Canvas, lines: readonly Line[]): void {
  let lastLabel = -Infinity;
  for (const line of lines) {
    if (line.kind !== 'write') continue;
    const px = x(line.t);
    const stop = /^(0.|53)$/.test(line.bytes); // i-Racer 0x0Y, rc-app 'S'
    svg.append('line').attr('class', stop ? 'byte stop' : 'byte')
      .attr('x1', px).attr('x2', px).attr('y1', BYTES_TOP + 2).attr('y2', BYTES_TOP + LANES.bytes - 6)
      .append('title').text(`${(line.t / 1000).toFixed(3)} s: ${line.bytes}`);
    if (px - lastLabel > 26) {
      svg.append('text').attr('class', 'byte-label').attr('x', px + 2).attr('y', BYTES_TOP + LANES.bytes / 2 + 2).text(line.bytes);
      lastLabel = px;
    }
  }
}

/** Events: the link as a band, the rest as marks. */
function drawEvents({ svg, span, x }: Canvas, lines: readonly Line[]): void {
  let linkFrom = 0;
  let linkState = 'connected';
  const band = (from: number, to: number, state: string): void => {
    svg.append('rect').attr('class', `link ${state === 'connected' ? 'up' : 'down'}`)
      .attr('x', x(from)).attr('y', EVENTS_TOP + LANES.events - 10).attr('width', Math.max(0, x(to) - x(from))).attr('height', 4)
      .append('title').text(`link ${state}`);
  };
  const marks: Record<string, string> = { watchdog: 'W', 'hold-expired': 'H', refusal: 'R', seat: 'S', dropped: 'D' };
  for (const line of lines) {
    if (line.kind === 'link') {
      band(linkFrom, line.t, linkState);
      linkFrom = line.t;
      linkState = line.state;
    }
    const mark = marks[line.kind];
    if (mark === undefined) continue;
    svg.append('text').attr('class', `mark ${line.kind}`).attr('x', x(line.t)).attr('y', EVENTS_TOP + 14).text(mark)
      .append('title').text(`${(line.t / 1000).toFixed(3)} s: ${describeLine(line)}`);
  }
  band(linkFrom, span, linkState);
}

/** The cursor, following the pointer over the timeline or the slider under it; starts at the end. */
function attachCursor({ svg, width, span, x }: Canvas, slider: HTMLInputElement, lines: readonly Line[],
  onCursor: (t: number, summary: string) => void): Timeline {
  const cursor = svg.append('line').attr('class', 'cursor').attr('y1', LANES.axis).attr('y2', HEIGHT - 4);
  slider.min = '0';
  slider.max = String(Math.round(span));
  slider.step = '10';
  const setCursor = (t: number): void => {
    const clamped = Math.max(0, Math.min(span, t));
    cursor.attr('x1', x(clamped)).attr('x2', x(clamped));
    slider.value = String(Math.round(clamped));
    onCursor(clamped, summaryAt(lines, clamped));
  };
  svg.on('pointermove', (event: PointerEvent) => {
    const box = (svg.node() as SVGSVGElement).getBoundingClientRect();
    const px = ((event.clientX - box.left) * width) / box.width;
    setCursor(((px - PAD_X) * span) / (width - PAD_X - 8));
  });
  slider.oninput = () => setCursor(Number(slider.value));
  setCursor(span);
  return { setCursor };
}

/** The lines the summary names as the last event. */
const EVENTS: ReadonlySet<Line['kind']> = new Set(['watchdog', 'hold-expired', 'link', 'refusal', 'hold', 'place', 'release']);

/** What the car was told and held at time t. */
function summaryAt(lines: readonly Line[], t: number): string {
  let demand = 'nothing yet';
  let bytes = '–';
  let event = '';
  for (const line of lines) {
    if (line.t > t) break;
    if (line.kind === 'demand') demand = describeDemand(line.demand);
    else if (line.kind === 'write') bytes = line.bytes;
    else if (EVENTS.has(line.kind)) event = describeLine(line);
  }
  return `${(t / 1000).toFixed(3)} s · last demand: ${demand} · car holds: ${bytes}${event ? ` · last event: ${event}` : ''}`;
}

function describeLine(line: Line): string {
  switch (line.kind) {
    case 'watchdog': return 'the watchdog stopped the car';
    case 'hold-expired': return 'a timed command ended';
    case 'refusal': return `refused ${line.ref ?? 'a message'} from ${line.client}: ${line.code}`;
    case 'seat': return line.driver === null ? (line.reserved ? 'seat held for its driver' : 'seat empty') : `${line.driver} drives`;
    case 'link': return `link ${line.state}`;
    case 'dropped': return `${line.poses} poses not recorded (slow disk)`;
    case 'hold': return 'held for a race\'s countdown';
    case 'place': return 'put on its grid slot by the race';
    case 'release': return 'the race went: the hold lifted';
    default: return line.kind;
  }
}

function niceStep(raw: number): number {
  for (const step of [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000]) {
    if (step >= raw) return step;
  }
  return 1_800_000;
}
