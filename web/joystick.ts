// The analog joystick: an SVG pad with the seed's red knob, dragged with d3-drag.
//
// d3-drag listens to mouse events and, on touch devices, to touch events tracked per finger
// (Touch.identifier), which every browser that can drive the car supports, Safari included. Only one
// finger may hold the knob at a time, so a second finger (on a button, or a stray palm) cannot make it jump.
// `touch-action: none` on the pad (style.css) keeps the browser from scrolling or zooming under a drag.
//
// A gesture ends on release, and also when the page stops for any other reason (`release()`): the knob
// springs back and that press no longer drives; the next press does (arming.ts). When the browser takes
// the holding pointer away (a cancelled touch or pointer, a lost pointer capture, a mouse button released
// where the page could not see it) the car must not keep going on a position nobody holds.

import { drag, type D3DragEvent } from 'd3-drag';
import { select } from 'd3-selection';
import { joystickDemand, type Vector } from './demand.js';

export interface Joystick {
  setEnabled(enabled: boolean): void;
  /** Ends the gesture (the knob springs back, the press no longer drives): the page stopped for another reason. */
  release(): void;
}

export interface JoystickHandlers {
  /** The knob moved (a demand) or was let go (null). */
  onMove(vector: Vector | null): void;
  /** The browser took the holding pointer away: stop everything, as on any interruption. */
  onInterrupted(): void;
}

const PAD = 100; // the knob's centre may travel this far from the middle (viewBox units)
const KNOB = 34;
const VIEW = PAD + KNOB + 4; // room for the knob at full deflection
const SVG_NS = 'http://www.w3.org/2000/svg';

type KnobDragEvent = D3DragEvent<SVGSVGElement, unknown, { x: number; y: number }>;

export function createJoystick(host: HTMLElement, on: JoystickHandlers): Joystick {
  const { svg, knob } = drawPad(host);
  let enabled = false;
  let holder: unknown = null; // the d3 gesture id (mouse or touch identifier) holding the knob

  const place = (x: number, y: number) => knob.style('transform', `translate(${x}px, ${y}px)`);
  const springBack = () => {
    holder = null;
    svg.classed('held', false);
    place(0, 0);
  };
  const letGo = () => {
    if (holder === null) return;
    springBack();
    on.onMove(null);
  };
  const interrupted = () => {
    if (holder !== null) on.onInterrupted(); // the page's stop then calls release()
  };
  const moveTo = (event: KnobDragEvent) => {
    const { knob: [kx, ky], vector } = joystickDemand(event.x, event.y, PAD);
    place(kx, ky);
    on.onMove(vector);
  };
  const hold = (event: KnobDragEvent) => {
    holder = event.identifier;
    svg.classed('held', true);
    moveTo(event);
  };

  svg.call(knobDrag({ mayStart: () => enabled && holder === null, holds: (id) => id === holder, hold, moveTo, letGo, interrupted }));
  watchPointerLoss(svg, interrupted);

  return {
    setEnabled(value: boolean) {
      enabled = value;
      svg.classed('disabled', !value);
      if (!value) letGo();
    },
    release: letGo,
  };
}

/** The pad, its ring, cross and arrows, and the knob at the centre. */
function drawPad(host: HTMLElement) {
  const svg = select(host)
    .append('svg')
    .attr('xmlns', SVG_NS)
    .attr('class', 'joystick')
    .attr('viewBox', `${-VIEW} ${-VIEW} ${2 * VIEW} ${2 * VIEW}`)
    .attr('role', 'img')
    .attr('aria-labelledby', 'joystick-label');

  svg.append('circle').attr('class', 'pad').attr('r', PAD + 6);
  svg.append('circle').attr('class', 'ring').attr('r', PAD / 2);
  svg.append('path').attr('class', 'cross').attr('d', `M0,${-PAD}V${PAD}M${-PAD},0H${PAD}`);
  svg.selectAll('text.arrow')
    .data([[0, -PAD + 18, '▲'], [0, PAD - 10, '▼'], [-PAD + 14, 5, '◀'], [PAD - 14, 5, '▶']] as const)
    .join('text')
    .attr('class', 'arrow')
    .attr('aria-hidden', 'true')
    .attr('x', (d) => d[0])
    .attr('y', (d) => d[1])
    .text((d) => d[2]);
  const knob = svg.append('circle').attr('class', 'knob').attr('r', KNOB);
  return { svg, knob };
}

interface KnobGesture {
  /** Whether a press may take the knob now (enabled, and no other finger holds it). */
  mayStart(): boolean;
  /** Whether this gesture id is the one holding the knob. */
  holds(identifier: unknown): boolean;
  hold(event: KnobDragEvent): void;
  moveTo(event: KnobDragEvent): void;
  letGo(): void;
  interrupted(): void;
}

/** d3-drag on the pad: one gesture at a time, in viewBox coordinates. */
function knobDrag(gesture: KnobGesture) {
  return drag<SVGSVGElement, unknown, { x: number; y: number }>()
    .container(function container() { return this; }) // viewBox coordinates, whatever the pad's size
    .filter((event: MouseEvent | TouchEvent) => gesture.mayStart() && !('button' in event && event.button !== 0))
    .subject((event: D3DragEvent<SVGSVGElement, unknown, unknown>) => ({ x: event.x, y: event.y }))
    .on('start', (event) => gesture.hold(event))
    .on('drag', (event) => {
      if (!gesture.holds(event.identifier)) return;
      // A mouse that moves with no button down was released where the page could not see it (over a
      // context menu, say): that is a release, not a drag.
      const source = event.sourceEvent as MouseEvent | TouchEvent;
      if ('buttons' in source && (source.buttons & 1) === 0) return gesture.letGo();
      gesture.moveTo(event);
    })
    .on('end', (event) => {
      if (!gesture.holds(event.identifier)) return;
      if ((event.sourceEvent as Event).type === 'touchcancel') gesture.interrupted();
      gesture.letGo(); // after the page's stop this finds nothing held
    });
}

/**
 * Pointer events fire alongside the mouse and touch events d3-drag follows. A pointer cancelled, or a
 * capture lost without the pointer going up first, is the browser taking the gesture away.
 */
function watchPointerLoss(svg: ReturnType<typeof drawPad>['svg'], interrupted: () => void): void {
  const wentUp = new Set<number>();
  svg.on('pointerdown.safety', (event: PointerEvent) => { wentUp.delete(event.pointerId); });
  svg.on('pointerup.safety', (event: PointerEvent) => { wentUp.add(event.pointerId); });
  svg.on('pointercancel.safety', interrupted);
  svg.on('lostpointercapture.safety', (event: PointerEvent) => {
    if (!wentUp.delete(event.pointerId)) interrupted();
  });
  // A long press on a phone opens the context menu, which cancels the touch holding the knob.
  svg.on('contextmenu.safety', (event: Event) => event.preventDefault());
}
