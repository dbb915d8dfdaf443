// The page's settings: the driver's name, the speed control's step, key bindings, the gamepad's axes, buttons and dead zone, the sticks' sensitivity,
// a left-handed layout and haptic feedback. Kept in localStorage (this browser, every tab), read field by
// field: a field that is missing or wrong takes its default, so an old or hand-edited entry never breaks
// the page. No DOM here (settings-dialog.ts is the panel), so the rules are unit-tested in Node.
//
// Nothing here can make an input drive past arming (arming.ts): settings only change which key or axis
// is which, and every input still goes through the drive loop's arming and pacing.

import { MAX_NAME_CHARS } from './messages.js';

export const KEY_ACTIONS = ['forward', 'backward', 'left', 'right', 'stop', 'horn', 'lights'] as const;
export type KeyAction = (typeof KEY_ACTIONS)[number];

/** Keys no action may take: they move the focus, close dialogs, press buttons. Space is always Stop. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['Tab', 'Escape', 'Enter', 'NumpadEnter', 'Space']);
/** Stop's key that no setting can take away (docs/safety.md: anyone may stop, with Space). */
export const FIXED_STOP_KEY = 'Space';
/** Each action has this many keys (a primary and an alternative). */
export const KEYS_PER_ACTION = 2;

export interface GamepadSettings {
  /** Axis indices (the "standard" mapping: 0/1 left stick, 2/3 right stick). */
  steerAxis: number;
  throttleAxis: number;
  /** Flip an axis (the throttle's up is forward, as the standard mapping's -1). */
  invertSteer: boolean;
  invertThrottle: boolean;
  /** The stick's own dead zone, 0.05 to 0.5: the only one (docs/design.md). */
  deadZone: number;
  /** Button indices; -1 for none. */
  stopButton: number;
  hornButton: number;
  lightsButton: number;
}

export interface Settings {
  /** Key codes (KeyboardEvent.code) per action; '' is an empty slot. Stop's first is always Space. */
  keys: Record<KeyAction, string[]>;
  gamepad: GamepadSettings;
  /** The sticks' (joystick and gamepad) expo, 0 (linear) to 1. */
  expo: number;
  leftHanded: boolean;
  haptics: boolean;
  /** The speed control's step, 1 to 15 (a car's ceiling, welcome.vehicle.maxSpeed, may hold it lower). */
  speed: number;
  /** The name shown in races, the lap book, the lobby and the queue; '' for none (the server's "Driver 3"),
   *  null until the page has asked (name-prompt.ts asks once). */
  name: string | null;
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  keys: {
    forward: ['ArrowUp', 'KeyW'],
    backward: ['ArrowDown', 'KeyS'],
    left: ['ArrowLeft', 'KeyA'],
    right: ['ArrowRight', 'KeyD'],
    stop: [FIXED_STOP_KEY, ''],
    horn: ['KeyH', ''],
    lights: ['KeyL', ''],
  },
  gamepad: {
    steerAxis: 0, throttleAxis: 1, invertSteer: false, invertThrottle: false, deadZone: 0.15,
    stopButton: 1, hornButton: 0, lightsButton: 3,
  },
  expo: 0,
  leftHanded: false,
  haptics: true,
  speed: 15,
  name: null,
}) as Settings;

/** The speed scale's top step (the i-Racer's nibble; the server's MAX_SPEED). */
export const MAX_SPEED_STEP = 15;

export const DEAD_ZONE_RANGE = { min: 0.05, max: 0.5 } as const;
const MAX_AXIS = 15;
const MAX_BUTTON = 31;
/** A key code as browsers give them: letters, digits, no spaces. */
const KEY_CODE = /^[A-Za-z][A-Za-z0-9]{0,31}$/;

export function copySettings(s: Settings): Settings {
  return {
    keys: Object.fromEntries(KEY_ACTIONS.map((a) => [a, [...s.keys[a]]])) as Record<KeyAction, string[]>,
    gamepad: { ...s.gamepad },
    expo: s.expo,
    leftHanded: s.leftHanded,
    haptics: s.haptics,
    speed: s.speed,
    name: s.name,
  };
}

/** The server's rule for a name (message-schemas.ts, `name`): printable, something besides spaces, not too long. */
const NAME_CHARS = /^(?=.*\S)[^\p{C}]+$/u;

/** Why `raw` (trimmed) cannot be a name, or null when it can. */
export function nameProblem(raw: string): string | null {
  const name = raw.trim();
  if (name === '') return 'Type a name, or leave it empty for a name like "Driver 3".';
  if (name.length > MAX_NAME_CHARS) return `A name has at most ${MAX_NAME_CHARS} characters.`;
  if (!NAME_CHARS.test(name)) return 'A name can have letters, digits, spaces and signs, but no line breaks or control characters.';
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intIn = (v: unknown, min: number, max: number, fallback: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
const numberIn = (v: unknown, min: number, max: number, fallback: number) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback;
const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);

/** Settings from whatever was stored (JSON.parse's result): each field checked, wrong ones defaulted. */
export function parseSettings(raw: unknown): Settings {
  const s = copySettings(DEFAULT_SETTINGS);
  if (!isObject(raw)) return s;
  if (isObject(raw.keys)) {
    const taken = new Set<string>([FIXED_STOP_KEY]);
    for (const action of KEY_ACTIONS) {
      const stored = raw.keys[action];
      if (!Array.isArray(stored)) continue;
      const slots = Array.from({ length: KEYS_PER_ACTION }, (_, i) => {
        const code = stored[i];
        if (action === 'stop' && i === 0) return FIXED_STOP_KEY;
        if (typeof code !== 'string' || !KEY_CODE.test(code) || RESERVED_KEYS.has(code) || taken.has(code)) return '';
        return code;
      });
      s.keys[action] = slots;
    }
    // A key that two actions claim (a hand-edited entry) keeps the first action's meaning only.
    const seen = new Set<string>();
    for (const action of KEY_ACTIONS) {
      s.keys[action] = s.keys[action].map((code) => {
        if (code === '' || (action === 'stop' && code === FIXED_STOP_KEY)) return code;
        if (seen.has(code)) return '';
        seen.add(code);
        return code;
      });
    }
  }
  if (isObject(raw.gamepad)) {
    const g = raw.gamepad;
    const d = DEFAULT_SETTINGS.gamepad;
    s.gamepad = {
      steerAxis: intIn(g.steerAxis, 0, MAX_AXIS, d.steerAxis),
      throttleAxis: intIn(g.throttleAxis, 0, MAX_AXIS, d.throttleAxis),
      invertSteer: bool(g.invertSteer, d.invertSteer),
      invertThrottle: bool(g.invertThrottle, d.invertThrottle),
      deadZone: numberIn(g.deadZone, DEAD_ZONE_RANGE.min, DEAD_ZONE_RANGE.max, d.deadZone),
      stopButton: intIn(g.stopButton, -1, MAX_BUTTON, d.stopButton),
      hornButton: intIn(g.hornButton, -1, MAX_BUTTON, d.hornButton),
      lightsButton: intIn(g.lightsButton, -1, MAX_BUTTON, d.lightsButton),
    };
  }
  s.expo = numberIn(raw.expo, 0, 1, DEFAULT_SETTINGS.expo);
  s.leftHanded = bool(raw.leftHanded, DEFAULT_SETTINGS.leftHanded);
  s.haptics = bool(raw.haptics, DEFAULT_SETTINGS.haptics);
  s.speed = intIn(raw.speed, 1, MAX_SPEED_STEP, DEFAULT_SETTINGS.speed);
  s.name = typeof raw.name === 'string' && (raw.name === '' || nameProblem(raw.name) === null) ? raw.name.trim() : null;
  return s;
}

/**
 * Binds `code` to `action`'s slot: the key leaves any other action that had it (one key, one meaning).
 * Reserved keys are refused with the reason, and Stop's Space stays.
 */
export function bindKey(s: Settings, action: KeyAction, slot: number, code: string): Settings | string {
  if (action === 'stop' && slot === 0) return 'Space always stops the car.';
  if (code === FIXED_STOP_KEY) return 'Space is always Stop.';
  if (RESERVED_KEYS.has(code)) return `${keyName(code)} is kept for moving around the page.`;
  if (!KEY_CODE.test(code)) return 'That key cannot be used.';
  const owner = keyOwner(s, code);
  const previous = s.keys[action][slot];
  // A key means one thing: the action that had it gets this slot's old key in its place (a swap), unless
  // that leaves it with no key at all (then the person must give it another first).
  if (owner && owner.action !== action && previous === '' && s.keys[owner.action].every((c) => c === '' || c === code)) {
    return `${keyName(code)} is ${owner.action}'s only key: give ${owner.action} another key first.`;
  }
  const next = copySettings(s);
  if (owner) next.keys[owner.action][owner.slot] = previous;
  next.keys[action][slot] = code;
  return next;
}

/** The action and slot a key is bound to, if any (Space, Stop's fixed key, is not in the slots' sense). */
export function keyOwner(s: Settings, code: string): { action: KeyAction; slot: number } | null {
  for (const action of KEY_ACTIONS) {
    const slot = s.keys[action].indexOf(code);
    if (slot >= 0) return { action, slot };
  }
  return null;
}

/** Empties one slot (Stop's Space cannot be emptied). */
export function clearKey(s: Settings, action: KeyAction, slot: number): Settings {
  const next = copySettings(s);
  if (!(action === 'stop' && slot === 0)) next.keys[action][slot] = '';
  return next;
}

/** The action a key code means, if any. */
export function actionOf(s: Settings, code: string): KeyAction | null {
  if (code === FIXED_STOP_KEY) return 'stop';
  for (const action of KEY_ACTIONS) if (s.keys[action].includes(code)) return action;
  return null;
}

/** A key code as people name it: `KeyW` is W, `ArrowUp` is ↑. */
export function keyName(code: string): string {
  if (code === '') return 'none';
  const arrows: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→' };
  if (arrows[code]) return arrows[code];
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit[0-9]$/.test(code)) return code.slice(5);
  return code;
}

const STORAGE_KEY = 'webracer-settings';
/** Where the race panel kept the name before it moved into the settings: read once, if the settings have none. */
const OLD_NAME_KEY = 'webracer.name';

/** What the store needs of localStorage (so the rules run in Node too). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The settings of this browser, saved on every change; listeners hear every change (and the reset). */
export class SettingsStore {
  private current: Settings;
  private readonly listeners: Array<(s: Settings) => void> = [];

  constructor(private readonly storage: KeyValueStorage | null) {
    let raw: unknown = null;
    let oldName: string | null | undefined = null;
    try {
      oldName = storage?.getItem(OLD_NAME_KEY);
      raw = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
    } catch {
      raw = null; // not JSON: the defaults
    }
    this.current = parseSettings(raw);
    if (this.current.name === null) this.current.name = parseSettings({ name: oldName }).name;
  }

  get value(): Settings {
    return this.current;
  }

  set(next: Settings): void {
    this.current = parseSettings(next); // the same checks as a stored entry
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.current));
    } catch {
      // Storage full or refused (a private window): the settings hold for this page only.
    }
    for (const listener of this.listeners) listener(this.current);
  }

  reset(): void {
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // as above
    }
    this.current = copySettings(DEFAULT_SETTINGS);
    for (const listener of this.listeners) listener(this.current);
  }

  onChange(listener: (s: Settings) => void): void {
    this.listeners.push(listener);
  }
}
