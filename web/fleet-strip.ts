// On a car's page, when the server has several cars: the others at a glance (who drives them, their
// link) with a way to switch to one (drive it, or watch it). Fed by the lobby's live feed. One row that
// scrolls sideways (style.css): its height never changes with what it says, and it appears only while the
// joystick is not held, since it pushes the controls down (layout.ts).
import type { CarListing } from './messages.js';
import { whenReleased } from './layout.js';
import { openLobbyFeed } from './lobby-feed.js';
import { carHref, carState } from './race-text.js';

export class FleetStrip {
  private feed: { close(): void } | null = null;
  private shown = false;
  private readonly show = () => { this.nav.hidden = !this.shown; };

  constructor(private readonly nav: HTMLElement, private readonly own: () => string) {}

  /** The arena lists the server's cars: with more than one, show the others (opens the feed once). */
  cars(count: number): void {
    if (count < 2 || this.feed !== null) return;
    this.feed = openLobbyFeed({ cars: (cars) => this.render(cars) });
  }

  private render(cars: CarListing[]): void {
    this.shown = cars.length >= 2;
    whenReleased(this.show);
    const own = this.own();
    const list = document.createElement('ul');
    for (const car of cars) {
      const item = document.createElement('li');
      item.className = 'fleet-car';
      item.dataset.car = car.name;
      item.style.setProperty('--car', car.colour);
      const state = carState(car);
      item.title = `${state.link} · ${state.seat} · ${state.watching} · ${state.camera}`;
      if (car.name === own) {
        item.setAttribute('aria-current', 'page');
        item.append(span('car-name', car.name), span('fleet-seat', 'this car'));
      } else {
        const drive = document.createElement('a');
        drive.href = carHref(car.name);
        drive.className = 'car-name';
        drive.textContent = car.name;
        drive.setAttribute('aria-label', `Drive ${car.name} (${state.seat}, ${state.link})`);
        const watch = document.createElement('a');
        watch.href = carHref(car.name, true);
        watch.className = 'fleet-watch';
        watch.textContent = 'watch';
        watch.setAttribute('aria-label', `Watch ${car.name}`);
        item.append(drive, span('fleet-seat', car.linkState === 'connected' ? state.seat : car.linkState), watch);
      }
      list.append(item);
    }
    this.nav.replaceChildren(list);
  }
}

function span(className: string, text: string): HTMLElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}
