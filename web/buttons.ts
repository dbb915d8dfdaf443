// The command buttons (made by a d3 data join, as the seed's were), the speed and hold-time controls,
// and the raw byte field. Buttons send the seed's own messages: {command, duration}, plus our `speed`.
// A command holds the car for its duration: the page remembers until when, so that a page that loses
// its user meanwhile (hidden, blurred) knows it owes the server a stop.

import { select } from 'd3-selection';
import { parseByte } from './bytes.js';
import type { ClientMessage } from './messages.js';
import { MAX_SPEED_STEP } from './settings.js';

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

/** The protocol's own bound on `duration` (seconds), until the server tells its hold limit. */
const PROTOCOL_MAX_HOLD_S = 10;
/** How long the server holds a raw byte (the seed's 1.0 s), before its hold limit applies. */
const RAW_HOLD_MS = 1000;
/** The server's hold starts when the command arrives: allow for the trip (a spare stop costs nothing). */
const ARRIVAL_MARGIN_MS = 1000;

export interface ButtonsOptions {
  send(message: ClientMessage): boolean;
  /** The person moved the speed control (to keep it with the settings). */
  onSpeed?(step: number): void;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

export interface Buttons {
  /** The speed control's step (1..15): the buttons' speed, and every input's top speed (demand.ts speedDemand). */
  speedStep(): number;
  /** Shows the step kept in the settings (held to the car's ceiling). */
  setSpeed(step: number): void;
  /** The car's ceiling (welcome.vehicle.maxSpeed): the control goes no further and says so. */
  setSpeedCeiling(max: number): void;
  /** The server's limit on a timed command (limits.maxHoldMs): the hold input is capped to it and says so. */
  setMaxHold(ms: number): void;
  /** A command this page sent may still be holding the car. */
  timedRunning(): boolean;
  /** The car was stopped, or the connection ended: no command of this page holds it any more. */
  forgetTimed(): void;
}

export function createButtons(root: HTMLElement, opts: ButtonsOptions): Buttons {
  const hold = root.querySelector<HTMLInputElement>('#hold')!;
  const holdLabel = root.querySelector<HTMLLabelElement>('label[for="hold"]')!;
  const now = opts.now ?? (() => performance.now());
  let maxHoldS = PROTOCOL_MAX_HOLD_S;
  let runningUntil = -Infinity;

  const speed = attachSpeed(root, opts.onSpeed ?? (() => {}));
  const speedStep = speed.step;
  const holdSeconds = () => {
    const s = Number(hold.value);
    return Number.isFinite(s) && s > 0 ? Math.min(maxHoldS, s) : Math.min(0.5, maxHoldS);
  };
  /** Shows the value that will be sent, so a longer one typed in does not promise more than it does. */
  const clampHold = () => {
    if (Number(hold.value) > maxHoldS) hold.value = String(maxHoldS);
  };
  hold.addEventListener('change', clampHold);
  const sendTimed = (message: ClientMessage, holdMs: number) => {
    if (opts.send(message)) runningUntil = Math.max(runningUntil, now() + holdMs + ARRIVAL_MARGIN_MS);
  };
  drawCommandButtons(root, (d) => {
    const duration = holdSeconds();
    sendTimed({ command: d.command, duration, speed: speedStep() }, duration * 1000);
  });
  attachRawForm(root, (byte) => sendTimed({ command: 'raw', data: byte }, Math.min(RAW_HOLD_MS, maxHoldS * 1000)));

  return {
    speedStep,
    setSpeed: speed.set,
    setSpeedCeiling: speed.setCeiling,
    setMaxHold(ms) {
      maxHoldS = Math.max(0.1, Math.min(PROTOCOL_MAX_HOLD_S, Math.floor(ms / 100) / 10)); // in the input's 0.1 s steps
      hold.max = String(maxHoldS);
      holdLabel.textContent = `Hold for (s, max ${maxHoldS})`;
      clampHold();
    },
    timedRunning: () => now() < runningUntil,
    forgetTimed() {
      runningUntil = -Infinity;
    },
  };
}

/**
 * The speed slider, showing its step out of 15. Its top is the car's ceiling (the server caps every
 * demand there anyway); the step the person chose is kept, so a car without a ceiling gets it back.
 */
function attachSpeed(root: HTMLElement, onSpeed: (step: number) => void) {
  const speed = root.querySelector<HTMLInputElement>('#speed')!;
  const speedOut = root.querySelector<HTMLOutputElement>('#speed-value')!;
  const label = root.querySelector<HTMLLabelElement>('label[for="speed"]')!;
  let chosen = Number(speed.value);
  let ceiling = MAX_SPEED_STEP;
  const step = () => Number(speed.value);
  const show = () => {
    speed.max = String(ceiling);
    speed.value = String(Math.min(chosen, ceiling));
    speedOut.value = `${step()} / ${MAX_SPEED_STEP}`;
    label.textContent = ceiling < MAX_SPEED_STEP ? `Speed (max ${ceiling} on this car)` : 'Speed';
  };
  speed.addEventListener('input', () => {
    chosen = step();
    show();
    onSpeed(chosen);
  });
  show();
  return {
    step,
    set(next: number) {
      chosen = next;
      show();
    },
    setCeiling(max: number) {
      ceiling = Math.max(1, Math.min(MAX_SPEED_STEP, max));
      show();
    },
  };
}

function drawCommandButtons(root: HTMLElement, onCommand: (d: CommandButton) => void): void {
  select(root.querySelector<HTMLElement>('.dpad')!)
    .selectAll<HTMLButtonElement, CommandButton>('button')
    .data(COMMANDS)
    .join('button')
    .attr('type', 'button')
    .attr('class', (d) => `command command-${d.command}`)
    .attr('title', (d) => `${d.label} for the hold time (keys: ${d.key})`)
    .attr('aria-label', (d) => d.label)
    .html((d) => `<span aria-hidden="true">${d.glyph}</span><span class="command-label">${d.label}</span>`)
    .on('click', (_event: MouseEvent, d: CommandButton) => onCommand(d));
}

/** The raw byte field: a byte that parses is sent, anything else is named next to the field. */
function attachRawForm(root: HTMLElement, onByte: (byte: number) => void): void {
  const rawForm = root.querySelector<HTMLFormElement>('#raw-form')!;
  const rawInput = root.querySelector<HTMLInputElement>('#raw-byte')!;
  const rawError = root.querySelector<HTMLElement>('#raw-error')!;
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
    onByte(byte);
  });
}
