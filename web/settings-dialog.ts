// The settings panel: a modal <dialog> (keyboard reachable: the Settings button, Tab inside, Escape
// closes, focus returns to the button), built here from the settings model (settings.ts). Every change is
// saved at once. Opening it is an interruption for the page (main.ts stops what it set going), and while
// it is open no key or gamepad input drives: the keys belong to the panel, and the gamepad is watched for
// "which button is this?" (gamepad-probe.ts), whose Detect buttons take the next button or axis.

import { GamepadProbe, STANDARD_AXES, STANDARD_BUTTONS, type PadEvent } from './gamepad-probe.js';
import { canVibrate } from './haptics.js';
import { MAX_NAME_CHARS } from './messages.js';
import {
  DEAD_ZONE_RANGE, FIXED_STOP_KEY, MAX_SPEED_STEP, KEY_ACTIONS, KEYS_PER_ACTION, bindKey, clearKey, copySettings, keyName, keyOwner, nameProblem,
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

/** A key slot or a gamepad field waiting for the next key, button or axis. */
type Capture = { kind: 'key'; action: KeyAction; slot: number; button: HTMLButtonElement }
  | { kind: 'button'; field: ButtonField } | { kind: 'axis'; field: AxisField } | null;

/** What every part of the panel shares: the settings, the status line, and what is being captured. */
interface Panel {
  readonly store: SettingsStore;
  capturing: Capture;
  readonly status: HTMLParagraphElement;
  say(text: string): void;
  save(next: Settings): void;
  /** Saves a copy of the settings with this edit made. */
  change(edit: (s: Settings) => void): void;
}

/** A part of the panel: its elements, and how it shows the settings. */
interface Section {
  element: HTMLElement;
  render(s: Settings): void;
}

export function attachSettingsDialog(opener: HTMLButtonElement, dialog: HTMLDialogElement, store: SettingsStore, opts: SettingsDialogOptions): void {
  const panel = createPanel(store);
  const pad = gamepadSection(panel);
  const sections = [nameField(panel), keysSection(panel), pad, speedField(panel), drivingSection(panel)];
  // The fields are in the document only while the panel is open: Chromium gives a <select> inside a closed
  // dialog a stop of its own in the page's Tab order (focus lands on nothing once past the last control).
  const content = [...sections.map((section) => section.element), panel.status, dialogActions(dialog, panel)];
  const render = (s: Settings) => { for (const section of sections) section.render(s); };
  store.onChange(render);
  render(store.value);
  captureKeys(dialog, panel, render);
  const probe = detectOnGamepad(panel, pad.probeText);

  opener.addEventListener('click', () => {
    opts.opening();
    panel.capturing = null;
    panel.say('');
    render(store.value);
    dialog.append(...content);
    dialog.showModal();
    probe.start();
  });
  dialog.addEventListener('close', () => {
    probe.stop();
    panel.capturing = null;
    for (const node of content) node.remove();
  });
}

function createPanel(store: SettingsStore): Panel {
  const status = el('p', { className: 'settings-status' });
  status.setAttribute('role', 'status');
  const save = (next: Settings) => store.set(next);
  return {
    store,
    capturing: null,
    status,
    say: (text) => { status.textContent = text; },
    save,
    change(edit) {
      const next = copySettings(store.value);
      edit(next);
      save(next);
    },
  };
}

/** The driver's name (name-prompt.ts asks for it once): saved when the field is left or Enter pressed; empty for none. */
function nameField(panel: Panel): Section {
  const input = el('input', { type: 'text', id: 'set-name', maxLength: MAX_NAME_CHARS, spellcheck: false });
  input.setAttribute('autocomplete', 'nickname');
  input.setAttribute('aria-describedby', 'set-name-hint');
  input.addEventListener('change', () => {
    const problem = input.value.trim() === '' ? null : nameProblem(input.value);
    input.setAttribute('aria-invalid', String(problem !== null));
    if (problem !== null) return panel.say(problem);
    panel.change((s) => { s.name = input.value.trim(); });
    panel.say(said(panel.store.value.name));
  });
  const said = (name: string | null) => (name ? `Your name is ${name}.` : 'No name: races show one like "Driver 3".');
  const element = el('div', {},
    el('div', { className: 'field' }, el('label', { htmlFor: input.id, textContent: 'Your name' }), input),
    el('p', { className: 'hint', id: 'set-name-hint', textContent: 'Shown to everyone in races, the lap times and the line to drive. Empty: a name like "Driver 3".' }));
  return {
    element,
    render(settings) {
      if (document.activeElement !== input) input.value = settings.name ?? '';
    },
  };
}

/** A button per key slot of each action; a click waits for the next key (captureKeys). */
function keysSection(panel: Panel): Section {
  const keyRows = KEY_ACTIONS.map((action) => {
    const slots = Array.from({ length: KEYS_PER_ACTION }, (_, slot) => {
      const button = el('button', { type: 'button', className: 'small key-slot' });
      button.dataset.action = action;
      button.dataset.slot = String(slot);
      const fixed = action === 'stop' && slot === 0;
      if (fixed) button.disabled = true;
      else button.addEventListener('click', () => {
        panel.capturing = { kind: 'key', action, slot, button };
        button.textContent = 'Press a key…';
        panel.say(`Press the new key for ${ACTION_LABELS[action]}. Escape cancels; Delete empties the slot.`);
      });
      return button;
    });
    return { action, slots };
  });
  const element = el('fieldset', { className: 'settings-group' }, el('legend', { textContent: 'Keys' }),
    el('p', { className: 'hint', textContent: 'Space always stops the car.' }));
  for (const { action, slots } of keyRows) {
    const row = el('div', { className: 'key-row' }, el('span', { className: 'key-action', textContent: ACTION_LABELS[action] }), ...slots);
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', ACTION_LABELS[action]);
    element.append(row);
  }
  const render = (s: Settings) => {
    for (const { action, slots } of keyRows) {
      slots.forEach((button, slot) => {
        const code = s.keys[action][slot];
        const fixed = action === 'stop' && slot === 0;
        button.textContent = fixed ? `${keyName(FIXED_STOP_KEY)} (always)` : keyName(code);
        button.setAttribute('aria-label', `${ACTION_LABELS[action]}, key ${slot + 1}: ${keyName(fixed ? FIXED_STOP_KEY : code)}${fixed ? '' : '. Change'}`);
      });
    }
  };
  return { element, render };
}

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

/** The gamepad's axes, dead zone and buttons, and the line that names what the pad just did. */
function gamepadSection(panel: Panel): Section & { probeText: HTMLParagraphElement } {
  const probeText = el('p', { className: 'pad-probe', textContent: 'Press a button or move a stick on the gamepad to see its number.' });
  probeText.setAttribute('aria-live', 'polite');
  const fields = [
    ...AXIS_FIELDS.map(([field, invertField, label]) => axisField(panel, field, invertField, label)),
    deadZoneField(panel),
    ...BUTTON_FIELDS.map(([field, label]) => buttonField(panel, field, label)),
  ];
  const element = el('fieldset', { className: 'settings-group' }, el('legend', { textContent: 'Gamepad' }), probeText,
    ...fields.map((field) => field.element));
  return { element, probeText, render: (s) => { for (const field of fields) field.render(s); } };
}

function axisField(panel: Panel, field: AxisField, invertField: 'invertSteer' | 'invertThrottle', label: string): Section {
  const select = selectOf(`set-${field}`, AXES_OFFERED, axisName);
  select.addEventListener('change', () => panel.change((s) => { s.gamepad[field] = Number(select.value); }));
  const invert = el('input', { type: 'checkbox', id: `set-${invertField}` });
  invert.addEventListener('change', () => panel.change((s) => { s.gamepad[invertField] = invert.checked; }));
  const element = el('div', { className: 'field' },
    el('label', { htmlFor: select.id, textContent: label }), select,
    detectButton(label, () => {
      panel.capturing = { kind: 'axis', field };
      panel.say(`Move the stick for the ${label.toLowerCase()} all the way.`);
    }),
    el('label', { className: 'check' }, invert, 'inverted'));
  return {
    element,
    render(s) {
      select.value = String(s.gamepad[field]);
      invert.checked = s.gamepad[invertField];
    },
  };
}

function deadZoneField(panel: Panel): Section {
  const deadZone = el('input', { type: 'range', id: 'set-deadZone', min: String(DEAD_ZONE_RANGE.min), max: String(DEAD_ZONE_RANGE.max), step: '0.01' });
  const deadZoneOut = el('output');
  deadZoneOut.htmlFor.add(deadZone.id);
  deadZone.addEventListener('input', () => panel.change((s) => { s.gamepad.deadZone = Number(deadZone.value); }));
  return {
    element: el('div', { className: 'field' }, el('label', { htmlFor: deadZone.id, textContent: 'Dead zone' }), deadZone, deadZoneOut),
    render(s) {
      deadZone.value = String(s.gamepad.deadZone);
      deadZoneOut.value = `${Math.round(s.gamepad.deadZone * 100)} %`;
    },
  };
}

function buttonField(panel: Panel, field: ButtonField, label: string): Section {
  const select = selectOf(`set-${field}`, BUTTONS_OFFERED, buttonName, -1);
  select.addEventListener('change', () => panel.change((s) => { s.gamepad[field] = Number(select.value); }));
  const element = el('div', { className: 'field' }, el('label', { htmlFor: select.id, textContent: label }), select,
    detectButton(label, () => {
      panel.capturing = { kind: 'button', field };
      panel.say(`Press the gamepad button for ${label.toLowerCase().replace(' button', '')}.`);
    }));
  return { element, render: (s) => { select.value = String(s.gamepad[field]); } };
}

/** The speed control's step, the same one as on the page (the car's ceiling may hold it lower there). */
function speedField(panel: Panel): Section {
  const input = el('input', { type: 'range', id: 'set-speed', min: '1', max: String(MAX_SPEED_STEP), step: '1' });
  const out = el('output');
  out.htmlFor.add(input.id);
  input.setAttribute('aria-describedby', 'set-speed-hint');
  input.addEventListener('input', () => panel.change((s) => { s.speed = Number(input.value); }));
  const element = el('div', {},
    el('div', { className: 'field' }, el('label', { htmlFor: input.id, textContent: 'Speed' }), input, out),
    el('p', { className: 'hint', id: 'set-speed-hint', textContent: 'The speed control on the page, kept in this browser: a slow speed for a child stays slow after a reload.' }));
  return {
    element,
    render(s) {
      input.value = String(s.speed);
      out.value = `${s.speed} / ${MAX_SPEED_STEP}`;
    },
  };
}

/** Driving, layout and feedback: the stick's expo, the left-handed layout, vibration. */
function drivingSection(panel: Panel): Section {
  const expoInput = el('input', { type: 'range', id: 'set-expo', min: '0', max: '1', step: '0.05' });
  const expoOut = el('output');
  expoOut.htmlFor.add(expoInput.id);
  expoInput.setAttribute('aria-describedby', 'set-expo-hint');
  expoInput.addEventListener('input', () => panel.change((s) => { s.expo = Number(expoInput.value); }));
  const leftHanded = el('input', { type: 'checkbox', id: 'set-leftHanded' });
  leftHanded.addEventListener('change', () => panel.change((s) => { s.leftHanded = leftHanded.checked; }));
  const haptics = el('input', { type: 'checkbox', id: 'set-haptics' });
  haptics.addEventListener('change', () => panel.change((s) => { s.haptics = haptics.checked; }));
  if (!canVibrate()) haptics.disabled = true;
  const element = el('fieldset', { className: 'settings-group' }, el('legend', { textContent: 'Driving' }),
    el('div', { className: 'field' }, el('label', { htmlFor: expoInput.id, textContent: 'Stick sensitivity' }), expoInput, expoOut),
    el('p', { className: 'hint', id: 'set-expo-hint', textContent: 'Expo for the joystick and the gamepad stick: more is gentler around the centre, still full speed at the edge.' }),
    el('label', { className: 'check' }, leftHanded, 'Left-handed layout (the joystick on the right)'),
    el('label', { className: 'check' }, haptics, canVibrate() ? 'Vibrate on Stop and when the seat changes' : 'Vibrate on Stop and when the seat changes (this device cannot)'));
  return {
    element,
    render(s) {
      expoInput.value = String(s.expo);
      expoOut.value = s.expo === 0 ? 'linear' : `expo ${Math.round(s.expo * 100)} %`;
      leftHanded.checked = s.leftHanded;
      haptics.checked = s.haptics && canVibrate();
    },
  };
}

function dialogActions(dialog: HTMLDialogElement, panel: Panel): HTMLElement {
  const reset = el('button', { type: 'button', className: 'small', textContent: 'Reset to defaults' });
  reset.addEventListener('click', () => {
    panel.store.reset();
    panel.say('Settings reset to the defaults.');
  });
  const close = el('button', { type: 'button', className: 'small', textContent: 'Close' });
  close.addEventListener('click', () => dialog.close());
  return el('div', { className: 'dialog-actions' }, reset, close);
}

/** While a key slot waits, the next key is its new key (Escape cancels, Delete empties), not the dialog's. */
function captureKeys(dialog: HTMLDialogElement, panel: Panel, render: (s: Settings) => void): void {
  const { store, say, save } = panel;
  dialog.addEventListener('keydown', (event) => {
    const capturing = panel.capturing;
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
    panel.capturing = null;
    render(store.value);
    button.focus();
  }, true);
  // Escape while waiting for a key cancels the wait, not the dialog.
  dialog.addEventListener('cancel', (event) => {
    if (panel.capturing) {
      event.preventDefault();
      panel.capturing = null;
      render(store.value);
    }
  });
}

/** The gamepad while the panel is open: which button is this, and a waiting Detect takes it. */
function detectOnGamepad(panel: Panel, probeText: HTMLParagraphElement): GamepadProbe {
  return new GamepadProbe((event: PadEvent) => {
    probeText.textContent = event.kind === 'button' ? `That was ${buttonName(event.index)}.` : `That was ${axisName(event.index)}: ${event.value.toFixed(2)}.`;
    const capturing = panel.capturing;
    if (capturing?.kind === 'button' && event.kind === 'button') {
      const field = capturing.field;
      panel.change((s) => { s.gamepad[field] = event.index; });
      panel.say(`${BUTTON_FIELDS.find(([f]) => f === field)![1]}: ${buttonName(event.index)}.`);
      panel.capturing = null;
    } else if (capturing?.kind === 'axis' && event.kind === 'axis') {
      const field = capturing.field;
      panel.change((s) => { s.gamepad[field] = event.index; });
      panel.say(`${AXIS_FIELDS.find(([f]) => f === field)![2]}: ${axisName(event.index)}.`);
      panel.capturing = null;
    }
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
