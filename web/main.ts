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
import { Connection, carOfPath, offeredSubprotocols, socketUrl, type ConnectionState } from './connection.js';
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
import { DISARM_CODES, SUBPROTOCOL, type ServerMessage } from './messages.js';
import { RacePanel } from './race-panel.js';
import { SeatResume } from './resume.js';
import { ServerRuns } from './server-restart.js';
import { applySettingsToPage, attachSettingsDialog } from './settings-dialog.js';
import { MAX_SPEED_STEP, SettingsStore, actionOf, copySettings } from './settings.js';
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

/** What this connection's server told us; all reset when the connection ends. */
let welcomed = false;
let isDriver = false;
let authRequired = false;
let authenticated = false;
/** Without a token, this page marshals races (welcome.marshal: it runs on the server's machine). */
let marshal = false;
/** The last state said the car moves: while this page drives, that motion is this page's doing. */
let carMoving = false;
/** The token offered at this connection's upgrade (docs/protocol.md, subprotocols), if any. */
let offeredToken: string | null = null;
/** The server's quantizer dead zone (welcome.limits.deadZone), for the speed mapping. */
let serverDeadZone = SERVER_DEAD_ZONE;

const canDrive = () => isDriver && connection.isOpen;
/** A modal dialog (settings, QR code) has the keys and covers the controls: no input drives meanwhile. */
const dialogOpen = () => document.querySelector('dialog[open]') !== null;
const inputsLive = () => canDrive() && !dialogOpen();
/** Anyone allowed to drive may stop: everyone without a token, whoever presented it with one. */
const mayStop = () => welcomed && connection.isOpen && (!authRequired || authenticated);
/** Who runs races (docs/races.md): a token holder; without a token, a driver or the marshal (the server checks again). */
const mayRace = () => (authRequired ? authenticated : isDriver || marshal);

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
const toWire = (fraction: Vector) => speedDemand(fraction, buttons.speedStep(), serverDeadZone);
const onAccessory = (action: 'horn' | 'lights', down: boolean) => {
  if (action === 'horn') accessories.horn(down);
  else if (down) accessories.toggleLights();
};
/** This page's car: the one its path names, or (at / and /index.html) the server's first. */
let ownCar = carOfPath(location.pathname) ?? '';
// The recordings page's Back link returns here (web/recordings/back-link.ts).
if (ownCar) document.querySelector<HTMLAnchorElement>('#recordings-link')!.search = `?car=${encodeURIComponent(ownCar)}`;
const race = new RacePanel(document, { send: (m) => connection.send(m), storage: localStorageOrNull() });
const fleet = new FleetStrip(document.querySelector<HTMLElement>('#fleet')!, () => ownCar);
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
  const owed = letGoOfEverything() || (isDriver && carMoving);
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
  if (driver !== isDriver) buzz('seat', settings.value.haptics);
  isDriver = driver;
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

/** This car's colour (the arena's) on the knob, its arrow on the map and its trail: style.css's --knob. */
function wearColour(colour: string | undefined): void {
  if (colour && /^#[0-9a-f]{6}$/i.test(colour)) document.documentElement.style.setProperty('--knob', colour);
}

function onMessage(message: ServerMessage): void {
  switch (message.type) {
    case 'welcome':
      welcome(message);
      break;
    case 'role':
      roleChanged(message);
      break;
    case 'state':
      status.vehicle(message);
      carMoving = message.direction !== 'stop';
      break;
    case 'telemetry':
      track.pose(message.pose);
      // A restarted server's car starts again at its origin: a new track, not a line back to it.
      if (serverRuns.telemetry(message.t, performance.now())) track.clear();
      break;
    case 'arena':
      ownCar ||= message.cars[0]?.name ?? '';
      track.arena(message.cars, message.circuit, ownCar);
      wearColour(message.cars.find((c) => c.name === ownCar)?.colour);
      race.arena(message.cars);
      fleet.cars(message.cars.length);
      break;
    case 'poses':
      track.poses(message.poses);
      if (serverRuns.telemetry(message.t, performance.now())) track.clear(); // as for telemetry
      break;
    case 'laps':
      race.laps(message);
      break;
    case 'race':
      race.update(message);
      break;
    case 'error':
      refused(message);
      break;
    case 'notice':
      noticed(message);
      break;
    case 'video':
    case 'viewing':
    case 'signal':
    case 'ice-servers':
      video.message(message);
      break;
    case 'queue':
      status.queue(message);
      break;
    case 'channel':
      driveChannel.signal(message);
      break;
    case 'pong':
    case 'viewer':
      break;
  }
}

/** A message of ours refused: a wrong token is never sent again; the rest is said. */
function refused(message: Extract<ServerMessage, { type: 'error' }>): void {
  if (message.code === 'unauthorized' && message.ref === 'auth') return tokenRefused();
  if (message.code === 'resume_failed') resume.failed();
  status.error(message);
}

/**
 * The server says something happened. When it stopped the car under this driver (or refused a push from a
 * new seat): a stop like any other (arming.ts). Nothing is sent: the next push, once re-armed here, goes
 * after a stop of this page's own, which re-arms the server too (drive.ts).
 */
function noticed(message: Extract<ServerMessage, { type: 'notice' }>): void {
  status.serverNotice(message);
  if ((DISARM_CODES as readonly string[]).includes(message.code)) standDown();
}

/** The server's first word on each connection: its limits, this client's role and the car's state. */
function welcome(message: Extract<ServerMessage, { type: 'welcome' }>): void {
  welcomed = true;
  drive.fitWatchdog(message.limits.watchdogMs);
  serverDeadZone = message.limits.deadZone ?? SERVER_DEAD_ZONE;
  serverRuns.welcome();
  accessories.welcome(message.vehicle.accessories);
  buttons.setMaxHold(message.limits.maxHoldMs);
  buttons.setSpeedCeiling(message.vehicle.maxSpeed ?? MAX_SPEED_STEP);
  track.show(message.vehicle.link === 'sim');
  authRequired = message.authRequired;
  authenticated = message.authenticated;
  marshal = message.marshal ?? true; // an older server let everyone allowed to drive run races
  status.limits(message.limits.idleTakeoverMs);
  status.vehicle(message.state);
  carMoving = message.state.direction !== 'stop';
  status.roleChanged(message.role, !authRequired || authenticated);
  // The seat back first, then the token: the server's answer to either is a `role` message.
  const resumeToken = resume.welcome(message);
  if (resumeToken) connection.send({ type: 'resume', token: resumeToken });
  // A server that speaks our subprotocol checked the token offered at the upgrade: not authenticated
  // means refused, and sending it again would only spend another of the address's wrong tokens.
  const refusedAtUpgrade = authRequired && !authenticated && offeredToken !== null && connection.protocol === SUBPROTOCOL;
  if (refusedAtUpgrade) tokenRefused();
  else auth.welcome(message.authRequired, message.authenticated);
  seatChanged(message.role === 'driver');
  race.connected(mayRace());
  video.welcome(message);
  if (mayStop()) driveChannel.start();
}

/** This client's role or authentication changed (a seat taken or lost, a token accepted). */
function roleChanged(message: Extract<ServerMessage, { type: 'role' }>): void {
  authenticated = message.authenticated;
  status.roleChanged(message.role, !authRequired || authenticated);
  auth.authenticated(message.authenticated);
  resume.role(message.role);
  if ((message.role === 'driver') !== isDriver) seatChanged(message.role === 'driver');
  else renderControls(); // authenticated may have changed who may stop
  race.allowed(mayRace());
  if (mayStop()) driveChannel.start();
}

/** Never sent again: each wrong token spends the address's budget, and would lock everyone there out. */
function tokenRefused(): void {
  auth.rejected();
  status.show('That access token was not accepted. Enter the current one to drive.');
}

/**
 * The token, when this tab knows one, goes with the upgrade: the server knows it before accepting us; so
 * does the seat's resume token when this tab drove, for a slot even on a full server (resume.ts).
 */
function subprotocols(): string[] {
  offeredToken = auth.known();
  return offeredSubprotocols(offeredToken, resume.offer());
}

function onConnectionState(state: ConnectionState, retryInMs?: number): void {
  status.connection(state, retryInMs);
  offlineNote.hidden = state !== 'reconnecting';
  if (state === 'open') return renderControls(); // the role comes with `welcome`
  if (welcomed) resume.ended();
  race.offline();
  video.disconnected();
  driveChannel.reset();
  welcomed = authenticated = carMoving = false;
  seatChanged(false); // nothing can be sent: held inputs are forgotten, the car's state is unknown
}

const connection = new Connection({ url: socketUrl(location), protocols: subprotocols }, {
  state: onConnectionState,
  message: onMessage,
  latency: (ms) => status.latency(ms),
});

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

/** Where the driver's name is kept between visits; null where the browser refuses storage. */
function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

connection.start();
