// Shared by the browser tests: the built page, Debian's Chromium, the real control server, and waits
// that are driven by events (the machine is shared and slow at times, so nothing here sleeps blindly).
//
// `npm test` (scripts/run-tests.mjs) runs the files that start Chromium one at a time, beside the other files
// (two Chromium files at once on two cores time out); the page's unit tests in test/web run with the rest.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startControlServer, type ControlOptions } from '../../src/control/server.js';
import type { Driver, Pose, VehicleState } from '../../src/vehicle/index.js';
import { startPtyPair } from '../support/socat.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STATIC_DIR = join(ROOT, 'dist', 'web');
/**
 * Every run saves its screenshots under test-results/ (git-ignored); `UPDATE_SCREENSHOTS=1 npm test`
 * refreshes the ones the README shows, so a plain test run leaves the work tree clean.
 */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(ROOT, 'docs', 'screenshots')
  : join(ROOT, 'test-results', 'screenshots');

/** Generous: two cores are shared by a browser, a server and other test processes. */
export const WAIT_MS = 8_000;

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds dist/web when it is missing or older than any source of the page. Test files may run in
 * parallel processes, so one build at a time (mkdir is atomic); the others wait and then see it fresh.
 */
export async function ensureBuilt(): Promise<void> {
  const bundle = join(STATIC_DIR, 'app.js');
  const sources = () => Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'scripts', 'build-web.mjs')),
    newest(join(ROOT, 'src', 'control', 'protocol', 'messages.ts')));
  const fresh = () => existsSync(bundle) && statSync(bundle).mtimeMs >= sources();
  const lock = join(ROOT, 'dist', '.web-build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (fresh()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another process is building; a lock older than a build could take was left by a killed run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (!fresh()) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { stdio: 'inherit' });
    } finally {
      rmdirSync(lock);
    }
  }
  if (!fresh()) throw new Error('dist/web/app.js could not be built (see scripts/build-web.mjs)');
}

/** `extraArgs`: more Chromium switches for one test file (video.test.ts adds a fake camera). */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-quic', '--disable-sync', ...extraArgs],
  });
}

export type ControlServer = Awaited<ReturnType<typeof startControlServer>>;

/**
 * The real server on an ephemeral loopback port (unless `extra` names one), serving the built page.
 * Without drive channels unless `extra` asks for them: the page then drives on the WebSocket, where the
 * tests watch its frames (test/web/drive-channel*.test.ts drive over a channel).
 */
export function startServer(link = 'sim', extra: Partial<ControlOptions> = {}): Promise<ControlServer> {
  return startControlServer({ port: 0, host: '127.0.0.1', link, codec: 'iracer', watchdogMs: 500, staticDir: STATIC_DIR, driveChannels: false, ...extra });
}

/** Resolves with the first value `read` gives that satisfies `ok`, checked now and on every `event`. */
function waitOn<T>(driver: Driver, event: string, read: () => T, ok: (v: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const v = read();
      if (!ok(v)) return;
      clearTimeout(timer);
      driver.off(event, check);
      resolve(v);
    };
    const timer = setTimeout(() => {
      driver.off(event, check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last ${event}: ${JSON.stringify(read())}`));
    }, timeoutMs);
    driver.on(event, check);
    check();
  });
}

export function waitForState(driver: Driver, ok: (s: VehicleState) => boolean, what: string, timeoutMs = WAIT_MS): Promise<VehicleState> {
  return waitOn(driver, 'state', () => driver.state, ok, what, timeoutMs);
}

export function waitForPose(driver: Driver, ok: (p: Pose) => boolean, what: string, timeoutMs = WAIT_MS): Promise<Pose> {
  return waitOn(driver, 'pose', () => driver.pose ?? { x: 0, y: 0, heading: 0, speed: 0 }, ok, what, timeoutMs);
}

export interface SentFrame { at: number; message: Record<string, unknown> }

export interface Watched {
  errors: string[];
  sent: SentFrame[];
  /** Frames from the server, in order. */
  received: SentFrame[];
  /** WebSockets the page opened (each reconnect is one more). */
  sockets: number;
}

/** Records what a page logs as an error and every frame it sends and receives over its WebSockets. */
export function watchPage(page: Page): Watched {
  const watched: Watched = { errors: [], sent: [], received: [], sockets: 0 };
  const { errors, sent, received } = watched;
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('websocket', (ws) => {
    watched.sockets += 1;
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string') sent.push({ at: Date.now(), message: JSON.parse(f.payload) as Record<string, unknown> });
    });
    ws.on('framereceived', (f) => {
      if (typeof f.payload === 'string') received.push({ at: Date.now(), message: JSON.parse(f.payload) as Record<string, unknown> });
    });
  });
  return watched;
}

/**
 * Test hooks installed before the page's own script runs (BrowserContext.addInitScript):
 * - `window.testPad`: a standard gamepad behind navigator.getGamepads (headless Chromium has none),
 *   announced on load; tests set its `axes` and `buttons[i].pressed`;
 * - `window.testSetHidden(hidden)`: document.visibilityState as a hidden tab has it, plus the event;
 * - `window.testSends`: every text frame the page hands to a WebSocket, with performance.now(): the
 *   page's own clock, free of the jitter of reporting frames to the test process.
 */
export async function installTestHooks(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const pad = {
      id: 'Test pad (STANDARD GAMEPAD)', index: 0, connected: true, mapping: 'standard', timestamp: 0,
      axes: [0, 0, 0, 0], buttons: Array.from({ length: 17 }, () => ({ pressed: false, touched: false, value: 0 })),
    };
    window.testPad = pad;
    Object.defineProperty(navigator, 'getGamepads', { configurable: true, value: () => [pad, null, null, null] });
    addEventListener('load', () => dispatchEvent(new Event('gamepadconnected')));

    let hidden = false;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    window.testSetHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    };

    const sends = [];
    window.testSends = sends;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (typeof data === 'string') sends.push({ t: performance.now(), data });
      return send.call(this, data);
    };
  })()`);
}

/** Waits for `count` animation frames in the page: the gamepad is polled once a frame, so a stick change
 *  that would have driven has been seen by then. */
export function waitFrames(page: Page, count = 10): Promise<unknown> {
  return page.evaluate(`new Promise((resolve) => {
    let left = ${count};
    const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
    requestAnimationFrame(tick);
  })`);
}

/** Resolves with the frames sent after index `from` once `count` of them are of `type` (polled: Playwright reports frames as events of its own). */
export async function waitForSent(sent: SentFrame[], from: number, type: string, count: number): Promise<SentFrame[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const frames = sent.slice(from).filter((f) => f.message.type === type);
    if (frames.length >= count) return frames;
    if (Date.now() > deadline) throw new Error(`only ${frames.length} of ${count} '${type}' frames after ${WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The page is connected and knows its role (the controls follow the role). */
export async function openPage(page: Page, url: string, role: 'driver' | 'spectator'): Promise<void> {
  await page.goto(url);
  await page.locator('#st-conn[data-state="open"]').waitFor({ timeout: WAIT_MS });
  await page.locator(`#st-role[data-state="${role}"]`).waitFor({ timeout: WAIT_MS });
}

/** One server, one browser, one page in it: what most browser test files start with (withPage). */
export interface PageRig {
  server: ControlServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  watched: Watched;
}

export interface PageRigOptions {
  /** The server's link and options (startServer's); a simulated car by default. A function is called in
   *  before(), after the file's own earlier before() hooks (a TURN server's port, say). */
  link?: string;
  server?: Partial<ControlOptions> | (() => Partial<ControlOptions>);
  /** The browser context's options: a 1280x800 desktop unless they say otherwise. */
  context?: BrowserContextOptions;
  /** installTestHooks first, then these scripts, before any of the page's own runs. */
  hooks?: boolean;
  initScripts?: readonly string[];
  /** Another Chromium (video-harness.ts launchVideoBrowser: a fake camera). */
  launch?: () => Promise<Browser>;
  /** Opens the car's page and waits for this role (openPage). */
  open?: 'driver' | 'spectator';
  /** The name this browser gave on an earlier visit (nameThisBrowser): the page does not ask for one. */
  name?: string;
}

/**
 * The describe's before() and after(): the built page, a server, Chromium, one context and one watched page
 * in it; after() closes the browser, then the server. The rig's fields are there from before() on;
 * `ready` hands them to the file's own variables (`(rig) => ({ server, page } = rig)`).
 */
export function withPage(opts: PageRigOptions = {}, ready?: (rig: PageRig) => unknown): PageRig {
  const rig = {} as PageRig;
  before(async () => {
    await ensureBuilt();
    rig.server = await startServer(opts.link ?? 'sim', typeof opts.server === 'function' ? opts.server() : opts.server);
    rig.browser = await (opts.launch ?? launchBrowser)();
    rig.context = await rig.browser.newContext(opts.context ?? { viewport: { width: 1280, height: 800 } });
    if (opts.hooks) await installTestHooks(rig.context);
    if (opts.name !== undefined) await nameThisBrowser(rig.context, opts.name);
    for (const script of opts.initScripts ?? []) await rig.context.addInitScript(script);
    rig.page = await rig.context.newPage();
    rig.watched = watchPage(rig.page);
    if (opts.open) await openPage(rig.page, rig.server.url, opts.open);
    await ready?.(rig);
  });
  after(async () => {
    await rig.browser?.close();
    await rig.server?.close();
  });
  return rig;
}

/** The joystick's centre and the knob's travel radius, in CSS pixels (see web/joystick.ts: 100 of 276 units). */
export async function joystickGeometry(page: Page): Promise<{ cx: number; cy: number; travel: number }> {
  const box = await page.locator('svg.joystick').boundingBox();
  if (!box) throw new Error('joystick not visible');
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, travel: (box.width * 100) / 276 };
}

/** Presses the knob and drags it to (fx, fy) of full travel (fy < 0 is up, i.e. forward), holding it there. */
export async function holdKnobWithMouse(page: Page, fx: number, fy: number): Promise<void> {
  const { cx, cy, travel } = await joystickGeometry(page);
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + fx * travel, cy + fy * travel, { steps: 6 });
}

/** A pair of connected pseudo-terminals from socat (test/support/socat.ts); `close` ends socat. */
export async function ptyPair(): Promise<{ a: string; b: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'webracer-pty-'));
  const pair = await startPtyPair(dir, WAIT_MS).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    a: pair.a,
    b: pair.b,
    close: async () => {
      await pair.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The browser has answered the name question before (`name`, or '' for skipped): its pages do not ask. */
export async function nameThisBrowser(context: BrowserContext, name: string): Promise<void> {
  await context.addInitScript(`if (localStorage.getItem('webracer-settings') === null) {
    localStorage.setItem('webracer-settings', JSON.stringify({ name: ${JSON.stringify(name)} }));
  }`);
}

/**
 * A network that lets no UDP through but to a TURN server, as the page's WebRTC sees it: relayed candidates
 * only (with no relay given, no channel can open). Chromium's --force-webrtc-ip-handling-policy=
 * disable_non_proxied_udp is ignored by Debian's Chromium 156 headless: its answer still carried a host UDP
 * candidate, and the channel opened. The page's own code runs unchanged; only the browser's ICE is limited.
 */
export const RELAY_ONLY = `(() => {
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = function (config) { return new Native({ ...config, iceTransportPolicy: 'relay' }); };
  window.RTCPeerConnection.prototype = Native.prototype;
})()`;

/** `window.testChannelSends`: every message the page sends on a data channel (its drive channel; the WebSocket's are watchPage's). */
export const COUNT_CHANNEL_SENDS = `(() => {
  const sends = [];
  window.testChannelSends = sends;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (typeof data === 'string') sends.push(JSON.parse(data));
    return send.call(this, data);
  };
})()`;
