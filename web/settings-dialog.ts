// The settings panel: a modal <dialog> (keyboard reachable: the Settings button, Tab inside, Escape
// closes, focus returns to the button), built here from the settings model (settings.ts). Every change is
// saved at once. Opening it is an interruption for the page (main.ts stops what it set going), and while
// it is open no key or gamepad input drives: the keys belong to the panel, and the gamepad is watched for
// "which button is this?" (gamepad-probe.ts), whose Detect buttons take the next button or axis.

import { GamepadProbe, STANDARD_AXES, STANDARD_BUTTONS, type PadEvent } from './gamepad-probe.js';
import { canVibrate } from './haptics.js';
import {
  DEAD_ZONE_RANGE, FIXED_STOP_KEY, KEY_ACTIONS, KEYS_PER_ACTION, bindKey, clearKey, copySettings, keyName, keyOwner,
  type KeyAction, type Settings, type SettingsStore,
} from './settings.js';

const ACTION_LABELS: Record<KeyAction, string> = {
  forward: 'Forward', backward: 'Backward', left: 'Left', right: 'Right', stop: 'Stop', horn: 'Horn (held)', lights: 'Lights',
};

type AxisField = 'steerAxis' | 'throttleAxis';
type ButtonField = 'stopButton' | 'hornButton' | 'lightsButton';
const AXIS_FIELDS: ReadonlyArray<[AxisField, 'invertSteer' | 'invertThrottle', string]> = [
  ['steerAxis', 'invertSteer', 'Steering axis'],
  ['throttleAxis', 'invertThrottle', 'Throttle axis'],
];
const BUTTON_FIELDS: ReadonlyArray<[ButtonField, string]> = [
  ['stopButton', 'Stop button'], ['hornButton', 'Horn button'], ['lightsButton', 'Lights button'],
];
const AXES_OFFERED = 8;
const BUTTONS_OFFERED = 17;

export interface SettingsDialogOptions {
  /** The dialog is about to open: the page stops what it set going. */
  opening(): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const axisName = (i: number) => `Axis ${i}${STANDARD_AXES[i] ? ` (${STANDARD_AXES[i]})` : ''}`;
const buttonName = (i: number) => (i < 0 ? 'none' : `Button ${i}${STANDARD_BUTTONS[i] ? ` (${STANDARD_BUTTONS[i]})` : ''}`);

export function attachSettingsDialog(opener: HTMLButtonElement, dialog: HTMLDialogElement, store: SettingsStore, opts: SettingsDialogOptions): void {
  const status = el('p', { className: 'settings-status' });
  status.setAttribute('role', 'status');
  const probeText = el('p', { className: 'pad-probe', textContent: 'Press a button or move a stick on the gamepad to see its number.' });
  probeText.setAttribute('aria-live', 'polite');
  /** A key slot or a gamepad field waiting for the next key, button or axis. */
  let capturing: { kind: 'key'; action: KeyAction; slot: number; button: HTMLButtonElement }
    | { kind: 'button'; field: ButtonField } | { kind: 'axis'; field: AxisField } | null = null;

  const save = (next: Settings) => store.set(next);
  const change = (edit: (s: Settings) => void) => {
    const next = copySettings(store.value);
    edit(next);
    save(next);
  };
  const say = (text: string) => { status.textContent = text; };

  // ---- keys ----
  const keyRows = KEY_ACTIONS.map((action) => {
    const slots = Array.from({ length: KEYS_PER_ACTION }, (_, slot) => {
      const button = el('button', { type: 'button', className: 'small key-slot' });
      button.dataset.action = action;
      button.dataset.slot = String(slot);
      const fixed = action === 'stop' && slot === 0;
      if (fixed) button.disabled = true;
      else button.addEventListener('click', () => {
        capturing = { kind: 'key', action, slot, button };
        button.textContent = 'Press a key…';
        say(`Press the new key for ${ACTION_LABELS[action]}. Escape cancels; Delete empties the slot.`);
      });
      return button;
    });
    return { action, slots };
  });
  const keysSet = el('fieldset', { className: 'settings-group' }, el('legend', { textContent: 'Keys' }),
    el('p', { className: 'hint', textContent: 'Space always stops the car.' }));
  for (const { action, slots } of keyRows) {
    const row = el('div', { className: 'key-row' }, el('span', { className: 'key-action', textContent: ACTION_LABELS[action] }), ...slots);
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', ACTION_LABELS[action]);
    keysSet.append(row);
  }

  // ---- gamepad ----
  const selectOf = (id: string, count: number, name: (i: number) => string, first = 0) => {
    const select = el('select', { id });
    for (let i = first; i < count; i++) select.append(el('option', { value: String(i), textContent: name(i) }));
    return select;
  };
  const detectButton = (label: string, start: () => void) => {
    const b = el('button', { type: 'button', className: 'small', textContent: 'Detect' });
    b.setAttribute('aria-label', `Detect the ${label.toLowerCase()} on the gamepad`);
    b.addEventListener('click', start);
    return b;
  };
  const padSet = el('fieldset', { className: 'settings-group' }, el('legend', { textContent: 'Gamepad' }), probeText);
  const axisSelects = new Map<AxisField, HTMLSelectElement>();
  const invertBoxes = new Map<AxisField, HTMLInputElement>();
  for (const [field, invertField, label] of AXIS_FIELDS) {
    const select = selectOf(`set-${field}`, AXES_OFFERED, axisName);
    select.addEventListener('change', () => change((s) => { s.gamepad[field] = Number(select.value); }));
    const invert = el('input', { type: 'checkbox', id: `set-${invertField}` });
    invert.addEventListener('change', () => change((s) => { s.gamepad[invertField] = invert.checked; }));
    axisSelects.set(field, select);
    invertBoxes.set(field, invert);
    padSet.append(el('div', { className: 'field' },
      el('label', { htmlFor: select.id, textContent: label }), select,
      detectButton(label, () => {
        capturing = { kind: 'axis', field };
        say(`Move the stick for the ${label.toLowerCase()} all the way.`);
      }),
      el('label', { className: 'check' }, invert, 'inverted')));
  }
  const deadZone = el('input', { type: 'range', id: 'set-deadZone', min: String(DEAD_ZONE_RANGE.min), max: String(DEAD_ZONE_RANGE.max), step: '0.01' });
  const deadZoneOut = el('output');
  deadZoneOut.htmlFor.add(deadZone.id);
  deadZone.addEventListener('input', () => change((s) => { s.gamepad.deadZone = Number(deadZone.value); }));
  padSet.append(el('div', { className: 'field' }, el('label', { htmlFor: deadZone.id, textContent: 'Dead zone' }), deadZone, deadZoneOut));
  const buttonSelects = new Map<ButtonField, HTMLSelectElement>();
  for (const [field, label] of BUTTON_FIELDS) {
    const select = selectOf(`set-${field}`, BUTTONS_OFFERED, buttonName, -1);
    select.addEventListener('change', () => change((s) => { s.gamepad[field] = Number(select.value); }));
    buttonSelects.set(field, select);
    padSet.append(el('div', { className: 'field' }, el('label', { htmlFor: select.id, textContent: label }), select,
      detectButton(label, () => {
        capturing = { kind: 'button', field };
        say(`Press the gamepad button for ${label.toLowerCase().replace(' button', '')}.`);
      })));
  }

  // ---- driving, layout, feedback ----
  const expoInput = el('input', { type: 'range', id: 'set-expo', min: '0', max: '1', step: '0.05' });
  const expoOut = el('output');
  expoOut.htmlFor.add(expoInput.id);
  expoInput.setAttribute('aria-describedby', 'set-expo-hint');
  expoInput.addEventListener('input', () => change((s) => { s.expo = Number(expoInput.value); }));
  const leftHanded = el('input', { type: 'checkbox', id: 'set-leftHanded' });
  leftHanded.addEventListener('change', () => change((s) => { s.leftHanded = leftHanded.checked; }));
  const haptics = el('input', { type: 'checkbox', id: 'set-haptics' });
  haptics.addEventListener('change', () => change((s) => { s.haptics = haptics.checked; }));
  if (!canVibrate()) haptics.disabled = true;
  const driveSet = el('fieldset', { className: 'settings-group' }, el('legend', { textContent: 'Driving' }),
    el('div', { className: 'field' }, el('label', { htmlFor: expoInput.id, textContent: 'Stick sensitivity' }), expoInput, expoOut),
    el('p', { className: 'hint', id: 'set-expo-hint', textContent: 'Expo for the joystick and the gamepad stick: more is gentler around the centre, still full speed at the edge.' }),
    el('label', { className: 'check' }, leftHanded, 'Left-handed layout (the joystick on the right)'),
    el('label', { className: 'check' }, haptics, canVibrate() ? 'Vibrate on Stop and when the seat changes' : 'Vibrate on Stop and when the seat changes (this device cannot)'));

  const reset = el('button', { type: 'button', className: 'small', textContent: 'Reset to defaults' });
  reset.addEventListener('click', () => {
    store.reset();
    say('Settings reset to the defaults.');
  });
  const close = el('button', { type: 'button', className: 'small', textContent: 'Close' });
  close.addEventListener('click', () => dialog.close());
  // The fields are in the document only while the panel is open: Chromium gives a <select> inside a closed
  // dialog a stop of its own in the page's Tab order (focus lands on nothing once past the last control).
  const content = [keysSet, padSet, driveSet, status, el('div', { className: 'dialog-actions' }, reset, close)];

  const render = (s: Settings) => {
    for (const { action, slots } of keyRows) {
      slots.forEach((button, slot) => {
        const code = s.keys[action][slot];
        const fixed = action === 'stop' && slot === 0;
        button.textContent = fixed ? `${keyName(FIXED_STOP_KEY)} (always)` : keyName(code);
        button.setAttribute('aria-label', `${ACTION_LABELS[action]}, key ${slot + 1}: ${keyName(fixed ? FIXED_STOP_KEY : code)}${fixed ? '' : '. Change'}`);
      });
    }
    for (const [field, invertField] of AXIS_FIELDS) {
      axisSelects.get(field)!.value = String(s.gamepad[field]);
      invertBoxes.get(field)!.checked = s.gamepad[invertField];
    }
    for (const [field] of BUTTON_FIELDS) buttonSelects.get(field)!.value = String(s.gamepad[field]);
    deadZone.value = String(s.gamepad.deadZone);
    deadZoneOut.value = `${Math.round(s.gamepad.deadZone * 100)} %`;
    expoInput.value = String(s.expo);
    expoOut.value = s.expo === 0 ? 'linear' : `expo ${Math.round(s.expo * 100)} %`;
    leftHanded.checked = s.leftHanded;
    haptics.checked = s.haptics && canVibrate();
  };
  store.onChange(render);
  render(store.value);

  // ---- capturing keys ----
  const endKeyCapture = () => {
    capturing = null;
    render(store.value);
  };
  dialog.addEventListener('keydown', (event) => {
    if (capturing?.kind !== 'key') return;
    event.preventDefault();
    event.stopPropagation();
    const { action, slot, button } = capturing;
    if (event.code === 'Escape') {
      say('Unchanged.');
    } else if (event.code === 'Delete' || event.code === 'Backspace') {
      save(clearKey(store.value, action, slot));
      say(`${ACTION_LABELS[action]}, key ${slot + 1}: none.`);
    } else {
      const owner = keyOwner(store.value, event.code);
      const previous = store.value.keys[action][slot];
      const next = bindKey(store.value, action, slot, event.code);
      if (typeof next === 'string') say(next);
      else {
        save(next);
        say(`${ACTION_LABELS[action]}: ${keyName(event.code)}.${owner && owner.action !== action ? ` It was ${ACTION_LABELS[owner.action]}'s key: ${ACTION_LABELS[owner.action]} now has ${previous === '' ? 'no key in that slot' : keyName(previous)}.` : ''}`);
      }
    }
    endKeyCapture();
    button.focus();
  }, true);
  // Escape while waiting for a key cancels the wait, not the dialog.
  dialog.addEventListener('cancel', (event) => {
    if (capturing) {
      event.preventDefault();
      capturing = null;
      render(store.value);
    }
  });

  // ---- the gamepad: which button is this, and Detect ----
  const probe = new GamepadProbe((event: PadEvent) => {
    probeText.textContent = event.kind === 'button' ? `That was ${buttonName(event.index)}.` : `That was ${axisName(event.index)}: ${event.value.toFixed(2)}.`;
    if (capturing?.kind === 'button' && event.kind === 'button') {
      const field = capturing.field;
      change((s) => { s.gamepad[field] = event.index; });
      say(`${BUTTON_FIELDS.find(([f]) => f === field)![1]}: ${buttonName(event.index)}.`);
      capturing = null;
    } else if (capturing?.kind === 'axis' && event.kind === 'axis') {
      const field = capturing.field;
      change((s) => { s.gamepad[field] = event.index; });
      say(`${AXIS_FIELDS.find(([f]) => f === field)![2]}: ${axisName(event.index)}.`);
      capturing = null;
    }
  });

  opener.addEventListener('click', () => {
    opts.opening();
    capturing = null;
    say('');
    render(store.value);
    dialog.append(...content);
    dialog.showModal();
    probe.start();
  });
  dialog.addEventListener('close', () => {
    probe.stop();
    capturing = null;
    for (const node of content) node.remove();
  });
}

/** What the settings change on the page itself: the layout, and the key help at its foot. */
export function applySettingsToPage(s: Settings, help: HTMLElement | null): void {
  document.body.classList.toggle('left-handed', s.leftHanded);
  if (!help) return;
  const keys = (action: KeyAction) => s.keys[action].filter((c) => c !== '').map((c) => `<kbd>${keyName(c)}</kbd>`).join(' ');
  // Each action with its own keys, from the current mapping: after a remap the help still says which is which.
  const said = (action: KeyAction, text: string) => (s.keys[action].some((c) => c !== '') ? `${keys(action)} ${text}` : '');
  const drive = [said('forward', 'forward'), said('backward', 'backward'), said('left', 'left'), said('right', 'right')].filter(Boolean).join(', ');
  const extras = [said('horn', 'horn (held)'), said('lights', 'lights')].filter(Boolean).join(', ');
  // Key codes are letters and digits only (settings.ts checks them), so this markup is ours alone.
  help.innerHTML = `${drive ? `${drive} while held; ` : ''}${keys('stop')} stops.`
    + (extras ? ` ${extras}, on cars that have them.` : '');
}
