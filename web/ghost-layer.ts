// Ghosts on the map (docs/recording.md "Ghosts"): recordings replayed on simulated cars of their own, which
// nobody drives. Each is drawn pale and dashed in its own colour, with its label beside it ("ghost · Ada's
// drive"), and listed under the map, so a ghost is never taken for a car (nor offered as one: it is in no
// list of cars, and this page has no control for it). Labels are text (textContent), never markup.

import type { Selection } from 'd3-selection';
import type { GhostCar, Pose } from './messages.js';

type Layer = Selection<SVGGElement, unknown, null, undefined>;

/** The ghosts into `layer`, each a car `shape(size)` placed by `place`, with its label above it. */
export function drawGhosts(layer: Layer, ghosts: readonly GhostCar[], size: number,
  shape: (size: number) => string, place: (pose: Pose) => string): void {
  const groups = layer.selectAll<SVGGElement, GhostCar>('g.ghost').data(ghosts, (g) => g.id).join((enter) => {
    const g = enter.append('g').attr('class', 'ghost');
    g.append('path');
    g.append('text');
    return g;
  });
  groups.attr('data-ghost', (g) => g.id).classed('ended', (g) => g.ended);
  groups.select('path').attr('fill', (g) => g.colour).attr('stroke', (g) => g.colour).attr('d', shape(size * 0.9))
    .attr('transform', (g) => place(g.pose));
  groups.select('text').text((g) => g.label).attr('fill', (g) => g.colour).attr('font-size', size * 0.9)
    .attr('x', (g) => g.pose.x).attr('y', (g) => -g.pose.y - size * 1.4);
}

/** The list under the map: every ghost by its label, so it can be read without the picture. */
export function listGhosts(section: HTMLElement, ghosts: readonly GhostCar[]): void {
  let list = section.querySelector<HTMLUListElement>('.ghost-legend');
  if (list === null) {
    list = document.createElement('ul');
    list.className = 'ghost-legend';
    list.setAttribute('aria-label', 'Ghosts on the map');
    section.querySelector('.track-map')!.after(list);
  }
  list.hidden = ghosts.length === 0;
  list.replaceChildren(...ghosts.map((g) => {
    const item = document.createElement('li');
    item.dataset.ghost = g.id;
    item.style.setProperty('--ghost', /^#[0-9a-f]{6}$/i.test(g.colour) ? g.colour : '#cfd8dc');
    item.textContent = `${g.label}${g.ended ? ' (ended)' : ''}: a replay, nobody drives it`;
    return item;
  }));
}
