// The controller page: wires the connection to the inputs (joystick, buttons, keyboard, gamepad) and
// the server's messages to the status bar and the map. Each piece lives in its own file.
//
// Every way of stopping goes through one of two functions here:
// - stopPressed(): the user asked (the Stop button, Space, the gamepad's B). Anyone allowed to drive may
//   stop the car, so a spectator's page sends it too.
// - interrupted(): the page lost its user (hidden, blurred, going away, offline, the joystick's pointer
//   taken away by the browser). It stops what this page set going, and nothing else: a spectator's
//   hidden tab must not stop someone else's drive.
// Both, every reconnect, every change of seat, every stop the server says it made (the watchdog, a hold it
// cut at its limit, the car's link lost or back, someone else's Stop, a race's hold), and the page waking
// from a freeze (drive.ts) disarm the inputs still held (arming.ts): a stick held forward does not drive again
// until it has been back to the centre. The server keeps the same rule (docs/protocol.md "Arming").
// Every input's demand goes through one speed mapping (demand.ts speedDemand) before the drive loop; the
// lights and horn (accessories.ts) never go through the drive loop: they are not motion.

import { AccessoryControls } from './accessories.js';
import { createAuth } from './auth.js';
import { createButtons } from './buttons.js';
import { Connection, carOfPath, offeredSubprotocols, socketUrl, watching, type ConnectionState } from './connection.js';
import { JOYSTICK_DEAD_ZONE, SERVER_DEAD_ZONE, expo, speedDemand, withoutDeadZone, type Vector } from './demand.js';
import { DriveLoop } from './drive.js';
import { DriveChannel } from './drive-channel.js';
import { DrivePath } from './drive-path.js';
import { FleetStrip } from './fleet-strip.js';
import { attachFullscreen } from './fullscreen.js';
import { attachGamepads } from './gamepad.js';
import { createJoystick } from './joystick.js';
import { buzz } from './haptics.js';
import { attachJoinQr } from './join-qr.js';
import { attachKeyboard } from './keyboard.js';
import { measureFirstScreen } from './layout.js';
import { NameKey } from './name-key.js';
import { NamePrompt } from './name-prompt.js';
import { onMessage, type MessageParts, type PageFacts } from './on-message.js';
import { RacePanel, type RaceRights } from './race-panel.js';
import { SeatResume } from './resume.js';
import { ServerRuns } from './server-restart.js';
import { applySettingsToPage, attachSettingsDialog } from './settings-dialog.js';
import { SettingsStore, actionOf, copySettings } from './settings.js';
import { StatusBar } from './status.js';
import { registerServiceWorker } from './sw-register.js';
import { createTrack } from './track.js';
import { showDrivePath } from './path-status.js';
import { VideoView } from './video-view.js';
import { ScreenWakeLock } from './wake-lock.js';

const controls = document.querySelector<HTMLFieldSetElement>('#controls')!;
const stopButton = document.querySelector<HTMLButtonElement>('#stop')!;
const gamepadNote = document.querySelector<HTMLElement>('#gamepad-note')!;
const offlineNote = document.querySelector<HTMLElement>('#offline')!;

/** What this connection's server told us; all reset when the connection ends (on-message.ts sets them). */
const facts: PageFacts = {
  welcomed: false, isDriver: false, authRequired: false, authenticated: false, marshal: false, carMoving: false,
  offeredToken: null, serverDeadZone: SERVER_DEAD_ZONE, ownCar: carOfPath(location.pathname) ?? '',
};

const canDrive = () => facts.isDriver && connection.isOpen;
/** A modal dialog (settings, QR code) has the keys and covers the controls: no input drives meanwhile. */
const dialogOpen = () => document.querySelector('dialog[open]') !== null;
const inputsLive = () => canDrive() && !dialogOpen();
/** Anyone allowed to drive may stop: everyone without a token, whoever presented it with one. */
const mayStop = () => facts.welcomed && connection.isOpen && (!facts.authRequired || facts.authenticated);
/** Who runs races (docs/races.md): a token holder; without a token, the marshal, and a driver (the server checks again). */
const raceRights = (): RaceRights => {
  if (facts.authRequired) return facts.authenticated ? 'any' : 'none';
  return facts.marshal ? 'any' : facts.isDriver ? 'driver' : 'none';
};

const auth = createAuth(document.querySelector<HTMLFormElement>('#auth-form')!, (token) => connection.send({ type: 'auth', token }));
const resume = new SeatResume(sessionStorage);
const status = new StatusBar(document, {
  claim: () => connection.send({ type: 'claim' }),
  release: () => drivePath.send({ type: 'release' }),
});
/** Drive input and stops go on the drive channel while it carries, else on the WebSocket (drive-path.ts). */
const drivePath = new DrivePath({ socketSend: (m, droppable) => connection.send(m, droppable), changed: (p) => showDrivePath(document, p) });
const driveChannel = new DriveChannel(drivePath, (m) => connection.send(m));
const track = createTrack(document.querySelector<HTMLElement>('#map')!);
const serverRuns = new ServerRuns();
const settings = new SettingsStore(localStorageOrNull());
const wakeLock = new ScreenWakeLock(() => {}); // the driver's screen stays on while it drives
const accessories = new AccessoryControls(document.querySelector<HTMLElement>('#accessories')!, {
  send: (m) => connection.send(m),
  canUse: inputsLive,
});
/** Every input's last step: its fraction of the speed control's step, as the wire vector (demand.ts). */
const toWire = (fraction: Vector) => speedDemand(fraction, buttons.speedStep(), facts.serverDeadZone);
const onAccessory = (action: 'horn' | 'lights', down: boolean) => {
  if (action === 'horn') accessories.horn(down);
  else if (down) accessories.toggleLights();
};
// The recordings page's Back link returns here (web/recordings/back-link.ts).
if (facts.ownCar) document.querySelector<HTMLAnchorElement>('#recordings-link')!.search = `?car=${encodeURIComponent(facts.ownCar)}`;
const race = new RacePanel(document, { send: (m) => connection.send(m), ownCar: () => facts.ownCar });
const names = new NamePrompt(document.querySelector<HTMLFormElement>('#name-prompt')!, settings,
  { send: (m) => connection.send(m), watching: watching(location.search), key: new NameKey(localStorageOrNull()) });
const fleet = new FleetStrip(document.querySelector<HTMLElement>('#fleet')!, () => facts.ownCar);
const video = new VideoView(document, { send: (m) => connection.send(m) }); // video never drives (docs/safety.md)
const drive = new DriveLoop({ send: (m, droppable) => drivePath.send(m, droppable), canDrive: inputsLive, stalled: (ms) => woke(ms) });
const joystick = createJoystick(document.querySelector<HTMLElement>('#joystick')!, {
  onMove: (v) => drive.set('joystick', v && toWire(expo(withoutDeadZone(v, JOYSTICK_DEAD_ZONE), settings.value.expo))),
  onInterrupted: () => interrupted(),
});
const buttons = createButtons(controls, {
  send: (m) => connection.send(m),
  onSpeed: (speed) => settings.set({ ...copySettings(settings.value), speed }),
});
buttons.setSpeed(settings.value.speed);
settings.onChange((s) => buttons.setSpeed(s.speed));
const keyboard = attachKeyboard(window, {
  onMove: (v) => drive.set('keyboard', v),
  onStop: () => stopPressed(),
  onAccessory,
  actionOf: (code) => actionOf(settings.value, code),
  shape: toWire,
  enabled: inputsLive,
});
attachGamepads(window, {
  onMove: (v) => drive.set('gamepad', v),
  onStop: () => stopPressed(),
  onAccessory,
  settings: () => settings.value,
  shape: toWire,
  onConnected: (names) => {
    gamepadNote.textContent = names.length > 0 ? `Gamepad: ${names[0]} (its axes and buttons are in Settings)` : '';
  },
});

/**
 * Nothing held drives any more until it has been let go or back at the centre. Sends nothing; true when
 * this page may have the car moving (a drive, or a timed command it sent), so that a stop is owed.
 */
function standDown(): boolean {
  const owed = drive.halt() || buttons.timedRunning(); // first: the releases below then owe no stop of their own
  buttons.forgetTimed();
  joystick.release();
  return owed;
}

/** The Stop button, Space, the gamepad's B. */
function stopPressed(): void {
  buzz('stop', settings.value.haptics);
  standDown();
  if (mayStop()) drivePath.send({ type: 'stop' });
}

/** The page lost its user: stop what it set going. */
function interrupted(): void {
  const owed = letGoOfEverything() || (facts.isDriver && facts.carMoving);
  if (owed && canDrive()) drivePath.send({ type: 'stop' });
}

/** Nothing held drives any more; keys are forgotten (their keyups may never come), the horn is off. True when a stop is owed. */
function letGoOfEverything(): boolean {
  const owed = standDown();
  keyboard.release();
  accessories.release(); // a horn held when the user went away
  return owed;
}

/** The page was frozen while it drove (drive.ts has sent the stop): as if it had lost its user meanwhile. */
function woke(frozenMs: number): void {
  letGoOfEverything();
  status.show(`This page was frozen for ${(frozenMs / 1000).toFixed(1)} s, so the car was stopped; centre the stick (or let go) to drive again.`);
}

/**
 * The seat changed hands, or the connection came or went. The server stops the car itself when the
 * seat changes hands or its driver leaves, so nothing is sent; held inputs must be let go or re-centred.
 */
function seatChanged(driver: boolean): void {
  if (driver !== facts.isDriver) buzz('seat', settings.value.haptics);
  facts.isDriver = driver;
  standDown();
  keyboard.release();
  renderControls();
}

/** Enables the controls only when a press can reach the car: a spectator's would be refused. */
function renderControls(): void {
  const usable = canDrive();
  controls.disabled = !usable;
  joystick.setEnabled(usable);
  stopButton.disabled = !mayStop();
  wakeLock.set(usable);
}

// The skip link: focus on the joystick's section (named by its label; the next Tab is Stop), scrolled only
// as far as it takes to show it, never past its top (a jump to #drive scrolled the joystick away).
document.querySelector<HTMLAnchorElement>('a.skip')!.addEventListener('click', (event) => {
  event.preventDefault();
  const section = document.querySelector<HTMLElement>('#drive')!;
  section.focus({ preventScroll: true });
  section.scrollIntoView({ block: 'nearest' });
});

/**
 * The token, when this tab knows one, goes with the upgrade: the server knows it before accepting us; so
 * does the seat's resume token when this tab drove, for a slot even on a full server (resume.ts), and
 * this browser's name key, for its default name (name-key.ts).
 */
function subprotocols(): string[] {
  facts.offeredToken = auth.known();
  return offeredSubprotocols(facts.offeredToken, resume.offer(), names.key);
}

function onConnectionState(state: ConnectionState, retryInMs?: number): void {
  status.connection(state, retryInMs);
  offlineNote.hidden = state !== 'reconnecting';
  if (state === 'open') return renderControls(); // the role comes with `welcome`
  if (facts.welcomed) resume.ended();
  race.offline();
  names.offline();
  video.disconnected();
  driveChannel.reset();
  facts.welcomed = facts.authenticated = facts.carMoving = false;
  seatChanged(false); // nothing can be sent: held inputs are forgotten, the car's state is unknown
}

const connection = new Connection({ url: socketUrl(location), protocols: subprotocols }, {
  state: onConnectionState,
  message: (message) => onMessage(page, message),
  latency: (ms) => status.latency(ms),
});
/** The page's parts the server's messages reach (on-message.ts). */
const page: MessageParts = {
  facts, connection, status, track, race, names, fleet, video, driveChannel, serverRuns, resume, auth, accessories, buttons,
  drive, seatChanged, standDown, renderControls, raceRights, mayStop,
};

document.addEventListener('visibilitychange', () => {
  // A page that is hidden (tab switched, phone locked) cannot see its car.
  if (document.visibilityState === 'hidden') interrupted();
  else connection.retryNow(); // back in view: no reason to sit out the rest of a long backoff
  video.visibility(document.visibilityState === 'hidden');
});
window.addEventListener('pagehide', () => {
  interrupted();
  resume.ended();
});
window.addEventListener('blur', interrupted); // keys and mouse now go to another window
window.addEventListener('offline', interrupted);
// A native context menu takes the mouse: the button's release may never reach the page. The joystick
// prevents its own (a long press on a phone), which is no interruption.
window.addEventListener('contextmenu', (event) => {
  if (!event.defaultPrevented) interrupted();
});
window.addEventListener('online', () => connection.retryNow());
// Stop acts on the press, not the click: a browser makes no click of a second finger's tap while the
// first holds the joystick (Chromium's tap needs a lone finger), which is exactly when Stop is needed.
// A click without a pointer press behind it (detail 0: Enter on the focused button) still stops.
stopButton.addEventListener('pointerdown', (event) => {
  if (event.button === 0 && !stopButton.disabled) stopPressed();
});
stopButton.addEventListener('click', (event) => {
  if (event.detail === 0) stopPressed();
});
document.querySelector<HTMLButtonElement>('#clear-track')!.addEventListener('click', () => track.clear());

// Everyday use: settings, the join QR code, full screen, the cached shell (docs: README "The controller page").
const keyHelp = document.querySelector<HTMLElement>('#key-help');
settings.onChange((s) => applySettingsToPage(s, keyHelp));
applySettingsToPage(settings.value, keyHelp);
// Opening a dialog takes the controls away: a stop like losing the user; closing it, inputs held
// meanwhile wait for the centre again (arming.ts).
const dialogs = { opening: () => interrupted() };
attachSettingsDialog(document.querySelector<HTMLButtonElement>('#open-settings')!,
  document.querySelector<HTMLDialogElement>('#settings')!, settings, dialogs);
attachJoinQr(document.querySelector<HTMLButtonElement>('#show-qr')!, document.querySelector<HTMLDialogElement>('#qr-dialog')!,
  { token: () => auth.known(), ...dialogs });
for (const dialog of document.querySelectorAll('dialog')) dialog.addEventListener('close', () => standDown());
attachFullscreen(document.querySelector<HTMLButtonElement>('#fullscreen')!);
// Stop and the joystick first: style.css sizes them from the room under the top of the page.
measureFirstScreen(document.querySelector<HTMLElement>('#top')!, document.querySelector<HTMLElement>('main')!);
registerServiceWorker();

/** Where the settings (the driver's name with them) are kept between visits; null where the browser refuses storage. */
function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

connection.start();
