// The analog joystick: an SVG pad with the seed's red knob, dragged with d3-drag.
//
// d3-drag listens to mouse events and, on touch devices, to touch events tracked per finger
// (Touch.identifier), which every browser that can drive the car supports, Safari included. Only one
// finger may hold the knob at a time, so a second finger (on a button, or a stray palm) cannot make it jump.
// `touch-action: none` on the pad (style.css) keeps the browser from scrolling or zooming under a drag.

import { drag, type D3DragEvent } from 'd3-drag';
import { select } from 'd3-selection';
import { joystickDemand, type Vector } from './demand.js';

export interface Joystick {
  setEnabled(enabled: boolean): void;
  /** Lets go as if released (without reporting it): used when the page stops driving for another reason. */
  release(): void;
}

const PAD = 100; // the knob's centre may travel this far from the middle (viewBox units)
const KNOB = 34;
const VIEW = PAD + KNOB + 4; // room for the knob at full deflection
const SVG_NS = 'http://www.w3.org/2000/svg';

export function createJoystick(host: HTMLElement, onMove: (vector: Vector | null) => void): Joystick {
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

  let enabled = false;
  let holder: unknown = null; // the d3 gesture id (mouse or touch identifier) holding the knob

  const place = (x: number, y: number) => knob.style('transform', `translate(${x}px, ${y}px)`);
  const springBack = () => {
    holder = null;
    svg.classed('held', false);
    place(0, 0);
  };
  const moveTo = (event: D3DragEvent<SVGSVGElement, unknown, { x: number; y: number }>) => {
    const { knob: [kx, ky], vector } = joystickDemand(event.x, event.y, PAD);
    place(kx, ky);
    onMove(vector);
  };

  const behaviour = drag<SVGSVGElement, unknown, { x: number; y: number }>()
    .container(function container() { return this; }) // viewBox coordinates, whatever the pad's size
    .filter((event: MouseEvent | TouchEvent) => enabled && holder === null && !('button' in event && event.button !== 0))
    .subject((event: D3DragEvent<SVGSVGElement, unknown, unknown>) => ({ x: event.x, y: event.y }))
    .on('start', (event) => {
      holder = event.identifier;
      svg.classed('held', true);
      moveTo(event);
    })
    .on('drag', (event) => {
      if (event.identifier === holder) moveTo(event);
    })
    .on('end', (event) => {
      if (event.identifier !== holder) return;
      springBack();
      onMove(null);
    });
  svg.call(behaviour);

  return {
    setEnabled(value: boolean) {
      enabled = value;
      svg.classed('disabled', !value);
      if (!value && holder !== null) {
        springBack();
        onMove(null);
      }
    },
    release() {
      if (holder !== null) springBack();
    },
  };
}
