// The lights and the horn, for a car whose welcome lists them (an rc-app car; an i-Racer has none, and
// the group stays hidden). The horn sounds while held (its button, its key, its gamepad button); each
// light toggles. They are the driver's only (the group sits in the commands fieldset, disabled for a
// spectator) and they are never motion: `{"type":"accessory"}` goes straight to the connection, never
// through the drive loop, and the server writes it without touching what the car does (docs/safety.md).
// The buttons show what this page last switched: the server does not report the car's accessories, so
// after a reconnect or a change of seat they start from off.

import { select } from 'd3-selection';
import type { AccessoryName } from '../src/control/protocol/messages.js'; // a type only: nothing of the server is bundled
import type { ClientMessage } from './messages.js';

interface AccessoryButton { name: AccessoryName; label: string; held: boolean }

const BUTTONS: readonly AccessoryButton[] = [
  { name: 'horn', label: 'Horn', held: true },
  { name: 'front-lights', label: 'Front lights', held: false },
  { name: 'back-lights', label: 'Back lights', held: false },
  { name: 'extra', label: 'Extra', held: false },
];

export interface AccessoryOptions {
  send(message: ClientMessage): boolean;
  /** The driver, connected: only then is anything sent. */
  canUse(): boolean;
}

export class AccessoryControls {
  private has = new Set<AccessoryName>();
  private readonly on = new Set<AccessoryName>();

  constructor(private readonly root: HTMLElement, private readonly opts: AccessoryOptions) {}

  /** The car's accessories, from `welcome.vehicle.accessories` (absent from older servers: none). */
  welcome(list: readonly AccessoryName[] | undefined): void {
    this.has = new Set(list ?? []);
    this.on.clear();
    const shown = BUTTONS.filter((b) => this.has.has(b.name));
    this.root.hidden = shown.length === 0;
    select(this.root)
      .selectAll<HTMLButtonElement, AccessoryButton>('button')
      .data(shown, (d) => d.name)
      .join((enter) => enter.append('button').each((d, i, nodes) => this.wire(nodes[i] as HTMLButtonElement, d)));
    this.render();
  }

  /** The horn's key or gamepad button went down (true) or up. */
  horn(down: boolean): void {
    if (!this.has.has('horn')) return;
    if (down) this.switch('horn', true);
    else if (this.on.has('horn')) this.switch('horn', false);
  }

  /** The lights' key or gamepad button: every light the car has, on together or off together. */
  toggleLights(): void {
    const lights = (['front-lights', 'back-lights'] as const).filter((n) => this.has.has(n));
    if (lights.length === 0) return;
    const next = !this.on.has(lights[0]);
    for (const name of lights) this.switch(name, next);
  }

  /** The page lost its user, or the seat: a horn still sounding is switched off while it still can be. */
  release(): void {
    if (this.on.has('horn')) this.switch('horn', false);
  }

  private wire(button: HTMLButtonElement, d: AccessoryButton): void {
    button.type = 'button';
    button.className = `small accessory accessory-${d.name}`;
    button.dataset.accessory = d.name;
    if (!d.held) {
      button.textContent = d.label;
      button.addEventListener('click', () => this.switch(d.name, !this.on.has(d.name)));
      return;
    }
    // The horn: on while pressed, by pointer or by Enter on the focused button (Space is Stop).
    button.textContent = `${d.label} (hold)`;
    button.title = 'Sounds while held';
    button.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      button.setPointerCapture?.(event.pointerId);
      this.horn(true);
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) button.addEventListener(type, () => this.horn(false));
    button.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        if (!event.repeat) this.horn(true);
      }
    });
    button.addEventListener('keyup', (event) => {
      if (event.key === 'Enter') this.horn(false);
    });
    button.addEventListener('blur', () => this.horn(false));
  }

  private switch(name: AccessoryName, on: boolean): void {
    if (on === this.on.has(name)) return; // e.g. the horn already sounding (its key and its button at once)
    if (!this.opts.canUse() || !this.opts.send({ type: 'accessory', name, on })) {
      if (!on) this.on.delete(name); // could not be sent: nothing this page can still switch off
      return this.render();
    }
    if (on) this.on.add(name);
    else this.on.delete(name);
    this.render();
  }

  private render(): void {
    select(this.root).selectAll<HTMLButtonElement, AccessoryButton>('button').each((d, i, nodes) => {
      const button = nodes[i];
      if (d.held) button.classList.toggle('active', this.on.has(d.name));
      else button.setAttribute('aria-pressed', String(this.on.has(d.name)));
    });
  }
}
