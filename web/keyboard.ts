// Keyboard driving: the keys of the settings (arrows and WASD unless changed; settings.ts), held keys
// combine (up + right drives forward-right); Space stops, always, and so does Stop's extra key if set.
// The drive loop re-sends the held direction at its steady rate, so key auto-repeat is ignored and
// the watchdog semantics are the joystick's: letting go of the last key stops the car.
// Keys stay held across a stop (the drive loop then waits for them to be let go: arming.ts). `release()`
// forgets them when their keyup may never come here (the window lost focus): a key still down then
// drives only when pressed again, since auto-repeat is ignored.
// The horn's key is held like the horn button; the lights' key toggles. Neither is motion: they go to
// `onAccessory`, never to the drive loop.

import { keysDemand, type Arrow, type Vector } from './demand.js';
import type { KeyAction } from './settings.js';

const ARROW_OF: Partial<Record<KeyAction, Arrow>> = { forward: 'up', backward: 'down', left: 'left', right: 'right' };

export interface KeyboardOptions {
  /** Held keys changed: the demand (the speed mapping applied), or null when none is held. */
  onMove(vector: Vector | null): void;
  /** Space (or Stop's extra key): stop the car, whatever moves it. */
  onStop(): void;
  /** The horn's key went down or up; the lights' key went down (`down` true). */
  onAccessory(action: 'horn' | 'lights', down: boolean): void;
  /** The action a key code is bound to (settings.ts). */
  actionOf(code: string): KeyAction | null;
  /** A held direction (length 1, or 0 when opposite keys cancel) as the wire vector: the speed mapping. */
  shape(fraction: Vector): Vector;
  enabled(): boolean;
}

/** Inputs where a space is a character; in every other one (a number, a slider) Space still stops. */
const TEXT_INPUTS = new Set(['text', 'password', 'search', 'email', 'url', 'tel']);

/** Where typing needs the key, a slider its arrows, or an open dialog every key, the key does not drive (nor stop). */
function ownsKey(target: EventTarget | null, code: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('dialog[open]')) return true; // the settings and the QR code: their own keys (opening one stopped the car)
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLSelectElement) return code !== 'Space';
  if (!(target instanceof HTMLInputElement)) return false;
  if (target.type === 'range') return code.startsWith('Arrow');
  if (code === 'Space') return TEXT_INPUTS.has(target.type);
  return !['button', 'checkbox', 'radio', 'submit'].includes(target.type);
}

/** `release()`: forget the held keys (their keyups may never arrive: the window lost focus). */
export function attachKeyboard(target: Window, opts: KeyboardOptions): { release(): void } {
  const held = new Map<string, Arrow>(); // key code -> the direction it holds
  let hornKey: string | null = null;

  const demand = () => {
    if (held.size === 0) return null;
    const fraction = keysDemand(new Set(held.values()), 1)!;
    return opts.shape(fraction);
  };
  const update = () => opts.onMove(demand());
  const release = () => {
    if (hornKey !== null) {
      hornKey = null;
      opts.onAccessory('horn', false);
    }
    if (held.size === 0) return;
    held.clear();
    opts.onMove(null);
  };

  target.addEventListener('keydown', (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey || ownsKey(event.target, event.code)) return;
    const action = opts.actionOf(event.code);
    if (action === 'stop') {
      event.preventDefault(); // stop, everywhere: Space must not also press a focused button
      if (!event.repeat) opts.onStop();
      return;
    }
    if (!action || !opts.enabled()) return;
    event.preventDefault(); // no page scroll under the arrows
    if (event.repeat) return;
    if (action === 'horn' || action === 'lights') {
      if (action === 'horn') hornKey = event.code;
      opts.onAccessory(action, true);
      return;
    }
    const arrow = ARROW_OF[action]!;
    if (held.has(event.code)) return;
    held.set(event.code, arrow);
    update();
  });
  target.addEventListener('keyup', (event: KeyboardEvent) => {
    // Some browsers press a focused button on space's keyup: it already stopped on keydown.
    if (opts.actionOf(event.code) === 'stop' && !ownsKey(event.target, event.code)) event.preventDefault();
    if (event.code === hornKey) {
      hornKey = null;
      opts.onAccessory('horn', false);
      return;
    }
    if (!held.delete(event.code)) return;
    update();
  });
  return { release };
}
