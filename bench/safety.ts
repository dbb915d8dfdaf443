/**
 * The time from each fault of docs/safety.md to the stop byte on the wire. Run by run.ts (safety-section.ts)
 * or alone:
 *
 *   node --import tsx bench/safety.ts [--trials 20] [--only TEXT]
 *
 * (--only: just the hazards whose name contains TEXT.)
 *
 * Every trial: the real `webracer` CLI (a child process, through tsx) with `--link tcp:` to a byte recorder
 * in this process (test/support/byte-recorder.ts), which stamps every byte with performance.now() as it
 * reads it; the fault is stamped just before it is made. The figure is the first stop byte at or after the
 * fault, minus the fault. How each hazard's trial goes:
 * - SIGINT / SIGTERM / SIGHUP: a fresh CLI per trial, a ws client holding the stick at 20 Hz; t0 just
 *   before kill().
 * - uncaught exception: the same, with WEBRACER_FAULTS=1 and {"type":"ping","id":"fault:uncaught"} as the
 *   fault (t0 before the send; the exception is thrown from a timer in the server).
 * - driver disconnects: one CLI (--watchdog-ms 10000, so nothing else stops the car), a new client per
 *   trial that takes the seat (with the previous one's resume token when the seat is held for it), holds
 *   the stick, and is terminated (no closing handshake); t0 before terminate().
 * - handler fault: the same, ending each trial with {"type":"ping","id":"fault:message"} (the connection
 *   closes with 1011).
 * - spectator's stop: one CLI (--max-hold-ms 10000), the driver holds a 10 s seed command; t0 before the
 *   spectator's {"type":"stop"}.
 * - analog silence: the driver sends drive messages for 200 ms, then nothing; t0 is the last send: the
 *   figure is the watchdog (500 ms) plus its lateness.
 * - timed command: {"command":"up","duration":10}; t0 is the drive byte's arrival: the figure is
 *   --max-hold-ms (2000) plus its lateness.
 * - page hidden: the real page in Chromium, the mouse held on the joystick; t0 before the page is told it
 *   is hidden (visibilityState stubbed, visibilitychange dispatched); then visible, released, held again.
 * - a closed log pipe, then SIGTERM: a fresh CLI per trial (--watchdog-ms 10000: only SIGTERM stops the
 *   car) whose stdout and stderr go into a FIFO read by `cat` (test/support/log-reader.ts), the stick held; `cat` is killed, a spectator connects (a log line
 *   into the broken pipe) and does a round trip; t0 just before kill(SIGTERM). The figure is the time to
 *   the process's exit, not to the stop; the stop bytes the car got after the pipe closed are counted
 *   (one is right: a loop would write thousands).
 * - a stop after a burst: one CLI; the driver sends 65 {"command":"up","duration":2} in one burst (60 is
 *   the rate's burst) and then {"type":"stop"}, over the rate; t0 just before the stop's send, after the
 *   burst's. A trial waits 1.1 s first, for the rate's bucket to fill again.
 * - a frozen page wakes: the same page, its renderer process stopped (SIGSTOP) for FREEZE_MS with the mouse
 *   held forward, past the page's own bound (web/drive.ts) and inside the watchdog, so the car still
 *   moves when it wakes; t0 just before SIGCONT. Then the mouse stays held, moving a little, for two
 *   watchdog periods, and every drive byte the car gets meanwhile is counted (there must be none); then it
 *   is let go (the knob back at the centre), and the next trial's press must drive again. A trial whose
 *   stop came before the waking (the watchdog, on a stalled machine) counts 0 and is said under the table.
 * - TCP bridge cut: the one figure that is not a stop on the wire (nothing reaches the car during a cut):
 *   t0 after the network to the bridge is cut (test/support/lossy-peer.ts, Linux and root only) while the
 *   driver steers, up to the state message that says the link is lost; the reconnect's first byte is checked
 *   to be the stop.
 * Prints progress on stderr and one JSON line (SafetyResult) on stdout. A hazard whose trial fails (a
 * feature missing, a stop that never comes within 15 s) is reported with the error, not retried.
 */
import { WebSocket } from 'ws';
import { Client } from '../test/control/helpers.js';
import { ByteRecorder } from '../test/support/byte-recorder.js';
import { LogReader } from '../test/support/log-reader.js';
import { startWebracer, type StartOptions, type WebracerProcess } from '../test/safety/webracer-process.js';
import type { HazardResult, SafetyResult } from './safety-section.js';

/** "At once": what a stop that needs no timer is held to (delivery, one event-loop turn, one TCP hop). */
const AT_ONCE_MS = 100;
const WATCHDOG_MS = 500;
const MAX_HOLD_MS = 2_000;
const LINK_TIMEOUT_MS = 1_000;
/** The shutdown's hard deadline (src/cli/shutdown.ts). */
const DEADLINE_MS = 2_000;
/** The default message rate's burst (60 a second), and a few more: as found, the stop came after 65. */
const BURST = 65;
/** How long the frozen page trial stops the renderer: past the page's bound (nothing sent for 300 ms: its
 *  refresh 250 ms late, web/drive.ts), inside the watchdog (500 ms). */
const FREEZE_MS = 350;
const WAIT_MS = 15_000;
const FULL_FORWARD = 0x1f;
const isStop = (b: number): boolean => b >> 4 === 0;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const cleanups: Array<() => Promise<void>> = [];

function trialsArg(): number {
  const i = process.argv.indexOf('--trials');
  const n = i < 0 ? 20 : Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error('usage: bench/safety.ts [--trials N]');
  return n;
}

interface Rig {
  car: ByteRecorder;
  server: WebracerProcess;
  /** Kills the CLI and closes the recorder. */
  stop(): Promise<void>;
}

async function rig(args: string[] = [], faults = false, output?: StartOptions['output']): Promise<Rig> {
  const car = await ByteRecorder.start();
  let server: WebracerProcess;
  try {
    server = await startWebracer(['--link', car.link, ...args], { faults, output });
  } catch (err) {
    await car.close();
    throw err;
  }
  const stop = async (): Promise<void> => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
    await car.close();
  };
  cleanups.push(stop);
  await car.holds(isStop, 'the stop a link sends on connecting', WAIT_MS);
  return { car, server, stop };
}

async function client(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  const c = new Client(ws);
  cleanups.push(async () => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await c.next((m) => m.type === 'welcome', 'welcome');
  return c;
}

/** A client in the driver's seat: the empty seat, or the one held for `resumeToken`'s client. */
async function driver(server: WebracerProcess, resumeToken?: string): Promise<Client> {
  const c = await client(server.wsUrl);
  if (c.welcome.role === 'driver') return c;
  if (resumeToken) c.send({ type: 'resume', token: resumeToken });
  await c.next((m) => m.type === 'role' && m.role === 'driver', 'the seat');
  return c;
}

/** A fresh press: the stick at neutral (which arms the driver: docs/protocol.md "Arming"), then drive messages
 *  at 20 Hz until the returned function is called; it returns when the last was sent. */
function holdStick(c: Client): () => number {
  let lastSentAt = 0;
  if (c.ws.readyState === WebSocket.OPEN) c.arm();
  const send = (): void => {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    c.send({ type: 'drive', x: 0, y: 1 });
    lastSentAt = performance.now();
  };
  send();
  const timer = setInterval(send, 50);
  return () => {
    clearInterval(timer);
    return lastSentAt;
  };
}

/**
 * ms from `since` to the first stop the car got at or after it. Waits for the bound plus 3 s at most: a
 * stop that late is a failure to report, and waiting out a 10 s hold on each of 20 trials tells nothing more.
 */
async function stopAfter(car: ByteRecorder, since: number, what: string, boundMs = AT_ONCE_MS): Promise<number> {
  const stop = await car.waitFor(() => car.bytes.find((b) => b.at >= since && isStop(b.value)), what, boundMs + 3_000);
  return stop.at - since;
}

async function signalTrial(signal: NodeJS.Signals): Promise<number> {
  const { car, server, stop } = await rig();
  try {
    const c = await driver(server);
    const letGo = holdStick(c);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward', WAIT_MS);
    const t0 = server.signal(signal);
    const ms = await stopAfter(car, t0, `the stop after ${signal}`);
    letGo();
    return ms;
  } finally {
    await stop();
  }
}

async function uncaughtTrial(): Promise<number> {
  const { car, server, stop } = await rig([], true);
  try {
    const c = await driver(server);
    const letGo = holdStick(c);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward', WAIT_MS);
    const t0 = performance.now();
    c.send({ type: 'ping', id: 'fault:uncaught' });
    const ms = await stopAfter(car, t0, 'the stop after the uncaught exception');
    letGo();
    return ms;
  } finally {
    await stop();
  }
}

/** The log's reader goes away while the stick is held; then SIGTERM. The figure: SIGTERM to exit. */
async function closedLogPipeTrial(stopCounts: number[]): Promise<number> {
  const reader = await LogReader.start();
  cleanups.push(() => reader.close());
  const { car, server, stop } = await rig(['--watchdog-ms', '10000'], false, reader); // only SIGTERM stops it
  try {
    const c = await driver(server);
    const letGo = holdStick(c);
    const forward = await car.holds((b) => b === FULL_FORWARD, 'the stick held forward', WAIT_MS);
    await reader.goAway();
    const spectator = await client(server.wsUrl); // "connected": a log line into the broken pipe
    await spectator.roundTrip();
    const t0 = server.signal('SIGTERM');
    const exit = await Promise.race([server.exited, new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`no exit within ${DEADLINE_MS + 3_000} ms of SIGTERM`)), DEADLINE_MS + 3_000).unref();
    })]);
    letGo();
    stopCounts.push(car.bytes.filter((b) => b.at >= forward.at && isStop(b.value)).length);
    if (exit.code !== 0) throw new Error(`exit ${exit.code ?? exit.signal} after SIGTERM`);
    return exit.at - t0;
  } finally {
    await stop();
    await reader.close();
  }
}

/** 65 timed commands in one burst, over the rate, then a stop: from the stop's send to the stop byte. */
function burstThenStopTrials() {
  let shared: { rig: Rig; driver: Client } | null = null;
  return async (): Promise<number> => {
    if (shared === null) {
      const r = await rig();
      shared = { rig: r, driver: await driver(r.server) };
    }
    const { rig: { car }, driver: d } = shared;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the rate's bucket full again
    const since = performance.now();
    for (let i = 0; i < BURST; i++) d.sendText('{"command":"up","duration":2}');
    const t0 = performance.now();
    d.send({ type: 'stop' });
    const ms = await stopAfter(car, t0, 'the stop after the burst');
    if (!car.bytes.some((b) => b.at >= since && !isStop(b.value))) throw new Error('the burst never moved the car');
    return ms;
  };
}

/** The driver leaves, by `end`, once per trial; the next trial's driver takes the seat back. */
function leavingTrials(end: (c: Client) => void, what: string, faults: boolean) {
  let shared: Rig | null = null;
  let token: string | undefined;
  return async (): Promise<number> => {
    shared ??= await rig(['--watchdog-ms', '10000'], faults);
    const { car, server } = shared;
    const c = await driver(server, token);
    token = c.welcome.resumeToken || undefined;
    const letGo = holdStick(c);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward', WAIT_MS);
    const t0 = performance.now();
    end(c);
    const ms = await stopAfter(car, t0, what);
    letGo();
    c.ws.terminate();
    return ms;
  };
}

function spectatorStopTrials() {
  let shared: { rig: Rig; driver: Client; spectator: Client } | null = null;
  return async (): Promise<number> => {
    if (shared === null) {
      const r = await rig(['--max-hold-ms', '10000']);
      shared = { rig: r, driver: await driver(r.server), spectator: await client(r.server.wsUrl) };
    }
    const { rig: { car }, driver: d, spectator } = shared;
    d.sendText('{"command":"up","duration":10}');
    await car.holds((b) => !isStop(b), 'the seed command\'s byte', WAIT_MS);
    const t0 = performance.now();
    spectator.send({ type: 'stop' });
    return stopAfter(car, t0, 'the stop after the spectator\'s stop');
  };
}

function silenceTrials() {
  let shared: { rig: Rig; driver: Client } | null = null;
  return async (): Promise<number> => {
    if (shared === null) {
      const r = await rig();
      shared = { rig: r, driver: await driver(r.server) };
    }
    const { rig: { car }, driver: d } = shared;
    const letGo = holdStick(d);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward', WAIT_MS);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = letGo(); // the last drive message: the watchdog counts from there
    return stopAfter(car, t0, 'the watchdog\'s stop', WATCHDOG_MS + AT_ONCE_MS);
  };
}

function maxHoldTrials() {
  let shared: { rig: Rig; driver: Client } | null = null;
  return async (): Promise<number> => {
    if (shared === null) {
      const r = await rig();
      shared = { rig: r, driver: await driver(r.server) };
    }
    const { rig: { car }, driver: d } = shared;
    const since = performance.now();
    d.sendText('{"command":"up","duration":10}');
    const moving = await car.waitFor(() => car.bytes.find((b) => b.at >= since && !isStop(b.value)), 'the seed command\'s byte', WAIT_MS);
    return stopAfter(car, moving.at, 'the stop at the end of the hold', MAX_HOLD_MS + AT_ONCE_MS);
  };
}

/** The page in Chromium, the mouse held; hidden, then visible again and released for the next trial. */
function pageHiddenTrials() {
  let shared: { rig: Rig; page: import('playwright-core').Page } | null = null;
  return async (): Promise<number> => {
    if (shared === null) {
      const harness = await import('../test/web/harness.js');
      await harness.ensureBuilt();
      const r = await rig();
      const browser = await harness.launchBrowser();
      cleanups.push(() => browser.close());
      const page = await browser.newPage();
      await harness.openPage(page, r.server.url, 'driver');
      shared = { rig: r, page };
    }
    const { rig: { car }, page } = shared;
    const harness = await import('../test/web/harness.js');
    const since = performance.now();
    await harness.holdKnobWithMouse(page, 0, -1);
    await car.waitFor(() => car.bytes.find((b) => b.at >= since && b.value === FULL_FORWARD), 'the knob held forward', WAIT_MS);
    const t0 = performance.now();
    await page.evaluate(visibility('hidden'));
    const ms = await stopAfter(car, t0, 'the stop after the page went hidden', WATCHDOG_MS + AT_ONCE_MS);
    await page.evaluate(visibility('visible'));
    await page.mouse.up();
    return ms;
  };
}

/** The page in Chromium frozen (its renderer stopped) with the mouse held, then woken: bench/safety.ts header. */
function frozenPageTrials() {
  let shared: { rig: Rig; page: import('playwright-core').Page; pid: number } | null = null;
  const counts = { unwanted: 0, stoppedBefore: 0 };
  const trial = async (): Promise<number> => {
    const harness = await import('../test/web/harness.js');
    if (shared === null) {
      const { rendererOf } = await import('../test/support/renderer.js');
      await harness.ensureBuilt();
      const r = await rig();
      const browser = await harness.launchBrowser();
      cleanups.push(() => browser.close());
      const page = await browser.newPage();
      await harness.openPage(page, r.server.url, 'driver');
      shared = { rig: r, page, pid: await rendererOf(page) };
    }
    const { rig: { car }, page, pid } = shared;
    const since = performance.now();
    await harness.holdKnobWithMouse(page, 0, -1);
    await car.waitFor(() => car.bytes.find((b) => b.at >= since && b.value === FULL_FORWARD), 'the knob held forward', WAIT_MS);
    const frozenAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, FREEZE_MS));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const t0 = performance.now();
    const stop = await car.waitFor(() => car.bytes.find((b) => b.at >= frozenAt && isStop(b.value)), 'the stop on waking', AT_ONCE_MS + 3_000);
    if (stop.at < t0) counts.stoppedBefore++;
    const { cx, cy, travel } = await harness.joystickGeometry(page);
    for (const dx of [0.05, -0.05, 0]) await page.mouse.move(cx + dx * travel, cy - travel); // the hand still on the knob
    await new Promise((r) => setTimeout(r, 2 * WATCHDOG_MS));
    counts.unwanted += car.bytes.filter((b) => b.at > stop.at && !isStop(b.value)).length;
    await page.mouse.up();
    return Math.max(0, stop.at - t0);
  };
  const report = (): Pick<HazardResult, 'unwantedDriveBytes' | 'note'> => ({
    unwantedDriveBytes: counts.unwanted,
    note: `its renderer stopped for ${FREEZE_MS} ms with the mouse held forward, then woken; the mouse held two watchdog periods more, then let go`
      + (counts.stoppedBefore ? `; in ${counts.stoppedBefore} trial(s) the watchdog stopped the car before the page woke (counted as 0 ms)` : ''),
  });
  return { trial, report };
}

/**
 * A TCP bridge whose network is cut mid-drive (test/support/lossy-peer.ts: no FIN, no RST, no ACK). Nothing
 * can reach the car during the cut, so the figure is the time to the link being marked lost (the state
 * message reaching the driver's client); each trial then restores the network and checks that the first
 * byte on the new connection is the stop.
 */
function bridgeCutTrials() {
  let shared: { driver: Client; peer: import('../test/support/lossy-peer.js').LossyPeer } | null = null;
  let left = false;
  return async (): Promise<number> => {
    if (shared === null) {
      const { startLossyPeer } = await import('../test/support/lossy-peer.js');
      const peer = await startLossyPeer();
      cleanups.push(() => peer.close());
      const server = await startWebracer(['--link', peer.spec]);
      cleanups.push(async () => {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
        await server.exited;
      });
      await peer.until(() => peer.lastByte !== undefined && isStop(peer.lastByte), 'the stop a link sends on connecting', WAIT_MS);
      shared = { driver: await driver(server), peer };
    }
    const { driver: d, peer } = shared;
    // The driver steers, so new bytes keep going into the cut network; the last trial's outage disarmed it.
    d.arm();
    const steer = setInterval(() => {
      if (d.ws.readyState === WebSocket.OPEN) d.send({ type: 'drive', x: (left = !left) ? -0.5 : 0.5, y: 1 });
    }, 50);
    try {
      await peer.until(() => peer.lastByte !== undefined && !isStop(peer.lastByte), 'the car driving', WAIT_MS);
      const mark = d.mark();
      await peer.cut();
      const t0 = performance.now();
      await d.next((m) => m.type === 'state' && m.link !== 'connected', 'the link to be marked lost', mark, LINK_TIMEOUT_MS + 3_000);
      const ms = performance.now() - t0;
      const before = peer.connections.length;
      await peer.restore();
      await peer.until(() => peer.connections.length > before && peer.connections.at(-1)!.length > 0, 'the reconnect', 30_000);
      if (!isStop(peer.connections.at(-1)![0])) throw new Error(`the first byte after the reconnect was not the stop: ${JSON.stringify(peer.connections.at(-1))}`);
      return ms;
    } finally {
      clearInterval(steer);
    }
  };
}

/** A script (a string: tsx would add helpers to a function that the page does not have). */
function visibility(state: 'hidden' | 'visible'): string {
  return `(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${state === 'hidden'} });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`;
}

async function measure(trials: number, hazard: string, stopper: string, boundMs: number,
  trial: () => Promise<number>): Promise<HazardResult> {
  const result: HazardResult = { hazard, stopper, boundMs, samples: [] };
  try {
    for (let i = 0; i < trials; i++) result.samples.push(await trial());
    log(`safety: ${hazard}: ${result.samples.map((s) => s.toFixed(1)).join(' ')} ms`);
  } catch (err) {
    result.error = (err as Error).message.split('\n')[0].slice(0, 200);
    log(`safety: ${hazard}: FAILED after ${result.samples.length} trial(s): ${result.error}`);
  }
  return result;
}

async function main(): Promise<void> {
  const trials = trialsArg();
  const hazards: HazardResult[] = [];
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt < 0 ? null : process.argv[onlyAt + 1];
  const run = async (...args: Parameters<typeof measure> extends [number, ...infer R] ? R : never): Promise<HazardResult | null> => {
    if (only !== null && !args[0].includes(only)) return null;
    const result = await measure(trials, ...args);
    hazards.push(result);
    // Each hazard's shared CLI, clients and browser end before the next hazard starts.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    return result;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    await run(signal, 'the signal handler\'s emergency stop', AT_ONCE_MS, () => signalTrial(signal));
  }
  await run('uncaught exception', 'the process fault handler\'s emergency stop', AT_ONCE_MS, uncaughtTrial);
  await run('driver disconnects', 'the car world: its driver left', AT_ONCE_MS,
    leavingTrials((c) => c.ws.terminate(), 'the stop after the driver left', false));
  await run('exception in the message handler', 'containment: close 1011, the driver left', AT_ONCE_MS,
    leavingTrials((c) => c.send({ type: 'ping', id: 'fault:message' }), 'the stop after the handler fault', true));
  await run('spectator\'s stop', 'anyone may stop', AT_ONCE_MS, spectatorStopTrials());
  await run('a stop after a burst', 'a stop is never dropped by the rate limit', AT_ONCE_MS, burstThenStopTrials());
  const stopCounts: number[] = [];
  const closedPipe = await run('a closed log pipe, then SIGTERM (to exit)', 'the signal handler; a failed log write is dropped',
    DEADLINE_MS, () => closedLogPipeTrial(stopCounts));
  if (closedPipe) closedPipe.stopBytes = stopCounts;
  await run('analog drive, then silence', 'the watchdog', WATCHDOG_MS + AT_ONCE_MS, silenceTrials());
  await run('timed command, then silence', '--max-hold-ms', MAX_HOLD_MS + AT_ONCE_MS, maxHoldTrials());
  await run('page hidden (Chromium)', 'the page\'s stop on visibilitychange', WATCHDOG_MS + AT_ONCE_MS, pageHiddenTrials());
  const frozen = frozenPageTrials();
  const woken = await run('a frozen page wakes (Chromium)', 'the page\'s stop on waking (web/drive.ts); the server refuses a stale push',
    AT_ONCE_MS, frozen.trial);
  if (woken) Object.assign(woken, frozen.report());
  const { lossyPeerUnsupported } = await import('../test/support/lossy-peer.js');
  const noLossyPeer = lossyPeerUnsupported();
  if (noLossyPeer === undefined) {
    await run('TCP bridge cut (to link lost)', '--link-timeout-ms; the reconnect writes the stop first',
      LINK_TIMEOUT_MS + AT_ONCE_MS, bridgeCutTrials());
  } else if (only === null || 'TCP bridge cut'.includes(only)) {
    hazards.push({ hazard: 'TCP bridge cut (to link lost)', stopper: '--link-timeout-ms; the reconnect writes the stop first',
      boundMs: LINK_TIMEOUT_MS + AT_ONCE_MS, samples: [], error: `the lossy peer ${noLossyPeer}` });
  }
  const result: SafetyResult = { trials, hazards };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), async (err: Error) => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  process.stderr.write(`safety bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
