// Keyboard driving: arrows and WASD, held keys combine (up + right drives forward-right); space stops.
// The drive loop re-sends the held direction at its steady rate, so key auto-repeat is ignored and
// the watchdog semantics are the joystick's: letting go of the last key stops the car.
// Keys stay held across a stop (the drive loop then waits for them to be let go: arming.ts). `release()`
// forgets them when their keyup may never come here (the window lost focus): a key still down then
// drives only when pressed again, since auto-repeat is ignored.

import { keysDemand, type Arrow, type Vector } from './demand.js';

const KEYS: Record<string, Arrow> = {
  ArrowUp: 'up', KeyW: 'up',
  ArrowDown: 'down', KeyS: 'down',
  ArrowLeft: 'left', KeyA: 'left',
  ArrowRight: 'right', KeyD: 'right',
};

export interface KeyboardOptions {
  /** Held keys changed: the demand, or null when none is held. */
  onMove(vector: Vector | null): void;
  /** Space: stop the car, whatever moves it. */
  onStop(): void;
  /** The fraction of full speed that a key press asks for (the speed control). */
  magnitude(): number;
  enabled(): boolean;
}

/** Inputs where a space is a character; in every other one (a number, a slider) Space still stops. */
const TEXT_INPUTS = new Set(['text', 'password', 'search', 'email', 'url', 'tel']);

/** Where typing needs the key, or a slider its arrows, the key does not drive (nor stop). */
function ownsKey(target: EventTarget | null, code: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLSelectElement) return code !== 'Space';
  if (!(target instanceof HTMLInputElement)) return false;
  if (target.type === 'range') return code.startsWith('Arrow');
  if (code === 'Space') return TEXT_INPUTS.has(target.type);
  return !['button', 'checkbox', 'radio', 'submit'].includes(target.type);
}

/** `release()`: forget the held keys (their keyups may never arrive: the window lost focus). */
export function attachKeyboard(target: Window, opts: KeyboardOptions): { release(): void } {
  const held = new Set<Arrow>();

  const update = () => opts.onMove(keysDemand(held, opts.magnitude()));
  const release = () => {
    if (held.size === 0) return;
    held.clear();
    opts.onMove(null);
  };

  target.addEventListener('keydown', (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey || ownsKey(event.target, event.code)) return;
    if (event.code === 'Space') {
      event.preventDefault(); // space is stop, everywhere: it must not also press a focused button
      if (!event.repeat) opts.onStop();
      return;
    }
    const key = KEYS[event.code];
    if (!key || !opts.enabled()) return;
    event.preventDefault(); // no page scroll under the arrows
    if (event.repeat || held.has(key)) return;
    held.add(key);
    update();
  });
  target.addEventListener('keyup', (event: KeyboardEvent) => {
    // Some browsers press a focused button on space's keyup: it already stopped on keydown.
    if (event.code === 'Space' && !ownsKey(event.target, event.code)) event.preventDefault();
    const key = KEYS[event.code];
    if (!key || !held.delete(key)) return;
    if (held.size === 0) opts.onMove(null);
    else update();
  });
  return { release };
}
