// The camera page (/camera, /car/NAME/camera): a phone on the car sends what it sees to every driver's
// and spectator's page, peer to peer (docs/video.md). It never drives: it connects as `role=camera`, so
// it never takes the driver's seat, and sends nothing but camera-on/off, auth and video signalling.
//
// It opens the camera at once (the rear one on a phone), becomes the car's camera as soon as the server
// welcomes it (after the token, when one is needed), keeps the screen awake while streaming, and after
// a reconnect becomes the camera again: the viewers, who asked once, are served again by themselves.

import { createAuth } from './auth.js';
import { describeBattery, watchBattery } from './battery.js';
import { cameraHref, fetchCars, whichCar } from './camera-car.js';
import { CameraMicrophone } from './camera-microphone.js';
import { CameraPeers } from './camera-peers.js';
import { CameraSource } from './camera-source.js';
import { DEFAULT_CAPTURE, captureProblem, type CaptureSettings } from './capture-settings.js';
import { cameraSocketUrl } from './camera-url.js';
import { Connection, offeredSubprotocols, type ConnectionState } from './connection.js';
import { IceRenewal } from './ice-renewal.js';
import type { CarListing, IceServer, ServerMessage } from './messages.js';
import { registerServiceWorker } from './sw-register.js';
import { ScreenWakeLock } from './wake-lock.js';
import { TALK_PEER } from './talk.js';

type CameraState = 'starting' | 'no-access' | 'connecting' | 'token' | 'waiting' | 'streaming' | 'refused' | 'paused';

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
const preview = $<HTMLVideoElement>('#preview');
const stateEl = $('#cam-state');
const message = $('#cam-message');
const viewersEl = $('#cam-viewers');
const talkAudio = $<HTMLAudioElement>('#cam-talk');
const batteryEl = $('#cam-battery');
const awakeEl = $('#cam-awake');
const connEl = $('#st-conn');
const notice = $('#notice');
const toggle = $<HTMLButtonElement>('#streaming');
const retry = $<HTMLButtonElement>('#retry');
const deviceSelect = $<HTMLSelectElement>('#device');
const switchButton = $<HTMLButtonElement>('#switch');
const resolutionSelect = $<HTMLSelectElement>('#resolution');
const fpsSelect = $<HTMLSelectElement>('#fps');
const peerList = $('#peer-list');

/** The user wants this page to stream (the toggle); it streams when it is also the car's camera. */
let wanted = true;
let state: CameraState = 'starting';
let problem = '';
let clientId: string | null = null;
let welcomed = false;
let authRequired = false;
let authenticated = false;
/** From the answer to camera-on (never the welcome), asked for again before they expire. */
let iceServers: IceServer[] = [];
const iceRenewal = new IceRenewal(() => {
  if (state === 'streaming' && connection.isOpen) connection.send({ type: 'camera-on' });
});
/** This page was the car's camera on an earlier connection: it takes the place back once it is free. */
let wasCamera = false;
/** The car this page serves, named in every message (never a connection id). */
let carName = 'the car';

const microphone = new CameraMicrophone();
const source = new CameraSource(() => cameraStopped('the camera stopped (unplugged, or taken by another app)'));
const peers = new CameraPeers({
  send: (m) => connection.send(m),
  iceServers: () => iceServers,
  track: () => source.track,
  audio: () => microphone.current,
  stream: () => source.mediaStream,
  frameRate: () => source.current.frameRate,
  changed: () => renderPeers(),
  problem: (text) => show(text),
});
const wakeLock = new ScreenWakeLock((s) => {
  awakeEl.textContent = { awake: 'kept on', off: 'may sleep', unsupported: 'may sleep (no Wake Lock here)', refused: 'may sleep (refused)' }[s];
  awakeEl.dataset.state = s === 'awake' ? 'streaming' : 'paused';
});
const auth = createAuth($<HTMLFormElement>('#auth-form'), (token) => connection.send({ type: 'auth', token }));

function show(text: string): void {
  notice.textContent = text;
  setTimeout(() => { if (notice.textContent === text) notice.textContent = ''; }, 6000);
}

function setState(next: CameraState, why = ''): void {
  state = next;
  problem = why;
  render();
}

function render(): void {
  const viewers = peers.size;
  const texts: Record<CameraState, [string, string]> = {
    starting: ['starting…', 'Asking for the camera…'],
    'no-access': ['no camera', `No picture: ${problem}`],
    connecting: ['connecting…', 'Connecting to the server…'],
    token: ['needs the token', `Enter the access token to be ${carName}'s camera.`],
    waiting: ['starting…', `Becoming ${carName}'s camera…`],
    streaming: [viewers === 0 ? 'streaming (no one watching)' : `streaming to ${viewers}`, ''],
    refused: ['refused', `${carName} already has a camera (another phone or tab). Close it there first, then try again.`],
    paused: ['paused', `Not streaming for ${carName}.`],
  };
  const [status, overlay] = texts[state];
  stateEl.textContent = status;
  stateEl.dataset.state = state;
  message.textContent = overlay;
  message.dataset.state = state === 'refused' || state === 'no-access' ? 'lost' : state;
  toggle.textContent = wanted ? 'Stop streaming' : 'Start streaming';
  toggle.setAttribute('aria-pressed', String(wanted));
  retry.hidden = state !== 'refused';
  wakeLock.set(state === 'streaming');
}

/** The driver's client id (the `state` messages): the only viewer whose voice the car phone plays. */
let driver: string | null = null;

/**
 * Plays the driver's push-to-talk, and no one else's (talk.ts): a spectator's page that sent some is not
 * heard. Through the SFU it comes on TALK_PEER, which the server connects to the driver only.
 */
function playDriver(): void {
  const track = driver === null ? null : peers.talkFrom(driver) ?? peers.talkFrom(TALK_PEER);
  // Named even when the track stays: through the SFU the server hands TALK_PEER to the new driver before its `state` comes.
  if (track) talkAudio.dataset.from = driver!;
  else delete talkAudio.dataset.from;
  const current = talkAudio.srcObject as MediaStream | null;
  if ((current?.getAudioTracks()[0] ?? null) === track) return;
  talkAudio.srcObject = track ? new MediaStream([track]) : null;
  if (track) void talkAudio.play().catch(() => {}); // a phone may want a tap on the page first (docs/video.md)
}

function renderPeers(): void {
  playDriver();
  const list = peers.list();
  viewersEl.textContent = String(list.length);
  peerList.replaceChildren(...(list.length === 0
    ? [Object.assign(document.createElement('li'), { className: 'muted', textContent: 'No one is watching.' })]
    : list.map(({ id, state: s }) => Object.assign(document.createElement('li'), { textContent: `${id}: ${s}` }))));
  if (state === 'streaming') render();
}

/** Opens the camera for the current settings; false (and the reason shown) when there is none. */
async function openCamera(settings: CaptureSettings): Promise<boolean> {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    setState('no-access', `a phone's browser gives the camera only to a secure page: open this page at https://`
      + ` (start webracer with --tls self-signed, see docs/video.md)`);
    return false;
  }
  try {
    const track = await source.change(settings);
    preview.srcObject = source.mediaStream;
    void preview.play().catch(() => {});
    await peers.replaceTrack(track);
    void listCameras();
    return true;
  } catch (err) {
    setState('no-access', captureProblem(err));
    return false;
  }
}

async function listCameras(): Promise<void> {
  const cameras = await source.cameras();
  const chosen = source.current.deviceId;
  deviceSelect.replaceChildren(...cameras.map((c, i) => {
    const option = new Option(c.label || `Camera ${i + 1}`, c.deviceId);
    option.selected = c.deviceId === chosen;
    return option;
  }));
  switchButton.disabled = cameras.length < 2;
}

/** Asks to be the car's camera when everything for it is there. */
function requestCamera(): void {
  if (!wanted || !source.track || !welcomed || !connection.isOpen) return;
  if (authRequired && !authenticated) return setState('token');
  setState('waiting');
  connection.send({ type: 'camera-on' });
}

function cameraStopped(why: string): void {
  if (connection.isOpen && state === 'streaming') connection.send({ type: 'camera-off' });
  peers.closeAll();
  setState('no-access', why);
}

async function start(): Promise<void> {
  wanted = true;
  setState('starting');
  if (await openCamera(source.track ? source.current : DEFAULT_CAPTURE)) {
    await microphone.start(); // after the camera: its refusal costs only the sound
    setState(connection.isOpen ? 'waiting' : 'connecting');
    requestCamera();
  }
}

function pause(): void {
  wanted = false;
  if (connection.isOpen && state === 'streaming') connection.send({ type: 'camera-off' });
  peers.closeAll();
  source.stop();
  microphone.stop();
  preview.srcObject = null;
  setState('paused');
}

function onMessage(m: ServerMessage): void {
  switch (m.type) {
    case 'welcome':
      clientId = m.clientId;
      driver = m.state.driver;
      welcomed = true;
      authRequired = m.authRequired;
      authenticated = m.authenticated;
      iceServers = [];
      iceRenewal.cancel();
      auth.welcome(m.authRequired, m.authenticated);
      if (state === 'connecting' || state === 'waiting' || state === 'streaming') setState('waiting');
      requestCamera();
      break;
    case 'role':
      authenticated = m.authenticated;
      auth.authenticated(m.authenticated);
      if (state === 'token' || state === 'waiting') requestCamera();
      break;
    case 'video':
      if (m.camera !== null && m.camera === clientId) {
        wasCamera = true;
        if (state !== 'streaming') setState('streaming');
      } else if (m.camera === null && state === 'refused' && wasCamera) {
        requestCamera(); // our own place, held by our previous connection until the server saw it close
      }
      break;
    case 'ice-servers': // the answer to camera-on: before any viewer to offer to
      iceServers = m.iceServers;
      iceRenewal.schedule(m.expiresInS);
      break;
    case 'state':
      driver = m.driver;
      playDriver();
      break;
    case 'viewer': // sent only to the camera, and before the `video` that says it is one
      if (m.joined) peers.add(m.id);
      else peers.remove(m.id);
      break;
    case 'signal':
      void peers.signal(m);
      break;
    case 'error':
      if (m.code === 'camera_taken') {
        setState('refused');
      } else if (m.code === 'unauthorized' && m.ref === 'auth') {
        auth.rejected();
        setState('token');
        show('That access token was not accepted.');
      } else if (m.code === 'unauthorized' && m.ref === 'camera-on') {
        setState('token');
      } else {
        show(m.message);
      }
      break;
    default:
  }
}

function onConnectionState(s: ConnectionState, retryInMs?: number): void {
  connEl.textContent = s === 'open' ? 'connected' : s === 'connecting' ? 'connecting…'
    : retryInMs !== undefined ? `reconnecting in ${Math.ceil(retryInMs / 1000)} s` : 'reconnecting…';
  connEl.dataset.state = s;
  if (s === 'open') return;
  // The viewers' connections were set up through this one; the server drops them with it, and
  // announces the viewers again when this page is the camera again.
  welcomed = authenticated = false;
  clientId = null;
  iceRenewal.cancel();
  peers.closeAll();
  if (state === 'streaming' || state === 'waiting' || state === 'refused') setState('connecting');
}

const connection = new Connection({
  url: cameraSocketUrl(location),
  protocols: () => offeredSubprotocols(auth.known()),
}, { state: onConnectionState, message: onMessage, latency: () => {} });

toggle.addEventListener('click', () => (wanted ? pause() : void start()));
retry.addEventListener('click', () => requestCamera());
const settingsFromControls = (): CaptureSettings => {
  const [width, height] = resolutionSelect.value.split('x').map(Number);
  return { ...source.current, width, height, frameRate: Number(fpsSelect.value) };
};
for (const select of [resolutionSelect, fpsSelect]) {
  select.addEventListener('change', () => { if (wanted) void openCamera(settingsFromControls()); });
}
deviceSelect.addEventListener('change', () => {
  if (wanted) void openCamera({ ...settingsFromControls(), deviceId: deviceSelect.value || null });
});
switchButton.addEventListener('click', () => {
  const options = [...deviceSelect.options];
  const next = options[(deviceSelect.selectedIndex + 1) % options.length];
  if (!next || !wanted) return;
  deviceSelect.value = next.value;
  void openCamera({ ...settingsFromControls(), deviceId: next.value || null });
});
void watchBattery((reading) => {
  const { text, low } = describeBattery(reading);
  batteryEl.textContent = text;
  batteryEl.dataset.state = low ? 'low' : '';
  if (low) show('The camera phone\'s battery is low: plug it in, or the picture ends soon.');
});
window.addEventListener('pagehide', () => connection.close()); // the viewers hear "camera lost" at once

/** Shows the car this page serves: its name and colour, in the status bar and the tab's title. */
function showCar(name: string, colour: string | null): void {
  carName = name;
  $('#cam-car-name').textContent = name;
  if (colour) $('#cam-car .car-swatch').style.background = colour;
  document.title = `${name}'s camera · webracer`;
}

/** Several cars and none named: a link to each car's camera page, and nothing opened or sent. */
function pickCar(cars: CarListing[]): void {
  document.body.classList.add('picking');
  $('#car-pick').hidden = false;
  $('#car-pick-list').replaceChildren(...cars.map((car) => {
    const link = Object.assign(document.createElement('a'), { href: cameraHref(car.name), className: 'button' });
    const swatch = Object.assign(document.createElement('span'), { className: 'car-swatch' });
    swatch.style.background = car.colour;
    link.append(swatch, `Be ${car.name}'s camera`);
    const item = document.createElement('li');
    item.append(link);
    return item;
  }));
  stateEl.textContent = 'pick a car';
  connEl.textContent = '–';
}

async function boot(): Promise<void> {
  const car = whichCar(location.pathname, await fetchCars());
  if (car.kind === 'pick') return pickCar(car.cars);
  showCar(car.name, car.colour);
  render();
  connection.start();
  await start();
}

render();
void boot();
registerServiceWorker(); // the cached shell when the server is away (sw.ts)
