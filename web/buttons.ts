// The command buttons (made by a d3 data join, as the seed's were), the speed and hold-time controls,
// and the raw byte field. Buttons send the seed's own messages: {command, duration}, plus our `speed`.

import { select } from 'd3-selection';
import { parseByte } from './bytes.js';
import type { ClientMessage } from './messages.js';

interface CommandButton {
  command: 'up' | 'down' | 'left' | 'right';
  label: string;
  glyph: string;
  key: string; // the keyboard equivalent, for the tooltip
}

const COMMANDS: readonly CommandButton[] = [
  { command: 'up', label: 'Forward', glyph: '▲', key: 'W / ↑' },
  { command: 'left', label: 'Left', glyph: '◀', key: 'A / ←' },
  { command: 'right', label: 'Right', glyph: '▶', key: 'D / →' },
  { command: 'down', label: 'Backward', glyph: '▼', key: 'S / ↓' },
];

const MAX_SPEED = 15;

export interface ButtonsOptions {
  send(message: ClientMessage): boolean;
}

export interface Buttons {
  /** The speed control as a fraction of full speed (the keyboard uses it too). */
  speedFraction(): number;
}

export function createButtons(root: HTMLElement, opts: ButtonsOptions): Buttons {
  const speed = root.querySelector<HTMLInputElement>('#speed')!;
  const speedOut = root.querySelector<HTMLOutputElement>('#speed-value')!;
  const hold = root.querySelector<HTMLInputElement>('#hold')!;
  const rawForm = root.querySelector<HTMLFormElement>('#raw-form')!;
  const rawInput = root.querySelector<HTMLInputElement>('#raw-byte')!;
  const rawError = root.querySelector<HTMLElement>('#raw-error')!;

  const speedStep = () => Number(speed.value);
  const holdSeconds = () => {
    const s = Number(hold.value);
    return Number.isFinite(s) && s > 0 ? Math.min(10, s) : 0.5; // the server accepts 0 < d <= 10
  };
  const showSpeed = () => {
    speedOut.value = `${speedStep()} / ${MAX_SPEED}`;
  };
  speed.addEventListener('input', showSpeed);
  showSpeed();

  select(root.querySelector<HTMLElement>('.dpad')!)
    .selectAll<HTMLButtonElement, CommandButton>('button')
    .data(COMMANDS)
    .join('button')
    .attr('type', 'button')
    .attr('class', (d) => `command command-${d.command}`)
    .attr('title', (d) => `${d.label} for the hold time (keys: ${d.key})`)
    .attr('aria-label', (d) => d.label)
    .html((d) => `<span aria-hidden="true">${d.glyph}</span><span class="command-label">${d.label}</span>`)
    .on('click', (_event: MouseEvent, d: CommandButton) => {
      opts.send({ command: d.command, duration: holdSeconds(), speed: speedStep() });
    });

  rawInput.addEventListener('input', () => {
    rawInput.removeAttribute('aria-invalid');
    rawError.textContent = '';
  });
  rawForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const byte = parseByte(rawInput.value);
    if (typeof byte === 'string') {
      rawInput.setAttribute('aria-invalid', 'true');
      rawError.textContent = byte;
      return;
    }
    opts.send({ command: 'raw', data: byte });
  });

  return { speedFraction: () => speedStep() / MAX_SPEED };
}
