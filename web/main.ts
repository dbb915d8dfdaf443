// The controller page: wires the connection to the inputs (joystick, buttons, keyboard, gamepad) and
// the server's messages to the status bar and the map. Each piece lives in its own file.

import { createAuth } from './auth.js';
import { createButtons } from './buttons.js';
import { Connection, socketUrl } from './connection.js';
import { DriveLoop } from './drive.js';
import { attachGamepads } from './gamepad.js';
import { createJoystick } from './joystick.js';
import { attachKeyboard } from './keyboard.js';
import type { ServerMessage } from './messages.js';
import { StatusBar } from './status.js';
import { createTrack } from './track.js';

const controls = document.querySelector<HTMLFieldSetElement>('#controls')!;
const stopButton = document.querySelector<HTMLButtonElement>('#stop')!;
const gamepadNote = document.querySelector<HTMLElement>('#gamepad-note')!;

let isDriver = false;
let authRequired = false;
const canDrive = () => isDriver && connection.isOpen;

const auth = createAuth(document.querySelector<HTMLFormElement>('#auth-form')!, (token) => connection.send({ type: 'auth', token }));
const status = new StatusBar(document, {
  claim: () => connection.send({ type: 'claim' }),
  release: () => connection.send({ type: 'release' }),
});
const track = createTrack(document.querySelector<HTMLElement>('#map')!);
const drive = new DriveLoop({ send: (m, droppable) => connection.send(m, droppable), canDrive });
const joystick = createJoystick(document.querySelector<HTMLElement>('#joystick')!, (v) => drive.set('joystick', v));
const buttons = createButtons(document.querySelector<HTMLElement>('#controls')!, { send: (m) => connection.send(m) });
const keyboard = attachKeyboard(window, {
  onMove: (v) => drive.set('keyboard', v),
  onStop: () => stopAll(),
  magnitude: () => buttons.speedFraction(),
  enabled: canDrive,
});
attachGamepads(window, {
  onMove: (v) => drive.set('gamepad', v),
  onStop: () => stopAll(),
  onConnected: (names) => {
    gamepadNote.textContent = names.length > 0 ? `Gamepad: ${names[0]} (left stick drives, B stops)` : '';
  },
  enabled: canDrive,
});

function stopAll(): void {
  drive.stop(); // first: the releases below then find nothing held and send no second stop
  joystick.release();
  keyboard.release();
}

/** Enables the controls only when a press can reach the car: a spectator's would be refused. */
function setDriver(driver: boolean): void {
  isDriver = driver;
  const usable = canDrive();
  controls.disabled = !usable;
  stopButton.disabled = !usable;
  joystick.setEnabled(usable);
  if (!usable) {
    keyboard.release();
    drive.reset();
  }
}

function onMessage(message: ServerMessage): void {
  switch (message.type) {
    case 'welcome':
      drive.fitWatchdog(message.limits.watchdogMs);
      track.show(message.vehicle.link === 'sim');
      authRequired = message.authRequired;
      status.vehicle(message.state);
      status.roleChanged(message.role, !authRequired || message.authenticated);
      auth.welcome(message.authRequired, message.authenticated);
      setDriver(message.role === 'driver');
      break;
    case 'role':
      status.roleChanged(message.role, !authRequired || message.authenticated);
      auth.authenticated(message.authenticated);
      setDriver(message.role === 'driver');
      break;
    case 'state':
      status.vehicle(message);
      break;
    case 'telemetry':
      track.pose(message.pose);
      break;
    case 'error':
      status.error(message);
      break;
    case 'pong':
      break;
  }
}

const connection = new Connection({ url: socketUrl(location) }, {
  state: (state, retryInMs) => {
    status.connection(state, retryInMs);
    if (state !== 'open') setDriver(false);
  },
  message: onMessage,
  latency: (ms) => status.latency(ms),
});

// A page that is hidden (tab switched, phone locked) cannot see its car: stop it rather than let the
// last held input ride until the watchdog.
// Back in view, or back online: no reason to sit out the rest of a long backoff.
document.addEventListener('visibilitychange', () => {
  if (document.hidden && drive.active) stopAll();
  if (!document.hidden) connection.retryNow();
});
window.addEventListener('online', () => connection.retryNow());
stopButton.addEventListener('click', () => stopAll());
document.querySelector<HTMLButtonElement>('#clear-track')!.addEventListener('click', () => track.clear());

connection.start();
