/**
 * `node --import tsx bench/drive-paths-lossy.ts [--moves 200] [--loss 0,1,2,5] [--no-outage]` (root)
 *
 * Issue 21's "Measure": from a pointer move in Chromium to the car's byte at a TCP byte recorder, through
 * ../shared/tools/lossy-path (20 ms each way, so a 40 ms round trip; the loss each way), the WebSocket and
 * the drive channel in the same run. Run by run.ts (drive-paths-section.ts) or alone.
 *
 * How. The path's far end is a network namespace (this branch's name and our pid) behind two TUN devices
 * and tunpath.py's forwarder, run through bench/lossy-path-control.py so one path serves every loss level
 * and the outage. In the namespace, bench/lossy-path-server.ts runs two control servers with a simulated
 * car each behind a TCP byte recorder: one without drive channels (its page drives on the WebSocket), one
 * with (its page drives on the channel once it opens). Chromium, here, opens one page on each, each the
 * driver of its own car, and the same moves go to each in turn at every level.
 * - A move is one `page.mouse.move()` of the held knob to the next of a cycle of joystick positions, each
 *   giving its own byte (learnt first, at no loss), 20 a second. t0 is taken just before the move is sent
 *   to Chromium; t1 is the recorder's read of the first byte that is this move's or a later one's (a lost
 *   datagram is superseded by the next move: what the car runs on is what counts). Both on the
 *   monotonic clock the namespaces share.
 * - Stale: the time the car ran on an older move's byte than the newest move sent, summed over the run
 *   and its longest stretch.
 * - The outage: the knob driven as above, then the path cut for 2 s (every packet dropped) while the moves
 *   go on, then 1 s more of moves once it is back, then let go. Reported: the stop's time from the cut
 *   (the watchdog's, 500 ms after the last input that got through), the drive bytes the car got after that
 *   stop before the knob was let go (stale input replayed: must be none), and the time from pressing the
 *   knob again to driving.
 * DRIVE_PATHS_DUMP=1: each run's moves and the car's bytes on stderr, to see where a tail comes from.
 * Prints progress on stderr and one JSON line (LossyPathResult, or `{"skipped":"why"}`) on stdout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { LossyPathResult, OutageResult, PathName, RunResult } from './drive-paths-section.js';
import { runMoves, type Arrival, type Position } from './drive-paths-moves.js';

const NS = `wr-channel-finish-${process.pid}`;
/** The path's far end: 10.212.N.2, N not in use here (10.212.0.x is the tool's own, for runs by hand). */
const HOST = `10.212.${freeSubnet()}.2`;
const TUNPATH = fileURLToPath(new URL('../../shared/tools/lossy-path/tunpath.py', import.meta.url));
const CONTROL = fileURLToPath(new URL('./lossy-path-control.py', import.meta.url));
const SERVER = fileURLToPath(new URL('./lossy-path-server.ts', import.meta.url));
const PATHS: PathName[] = ['websocket', 'channel'];
const OUTAGE_MS = 2_000;
const WAIT_MS = 15_000;
/**
 * How long a helper may take to say it is ready (the path's `ready`, the servers' ports): starting tsx and
 * node-datachannel in a namespace took over 15 s on a loaded machine, which aborted 3 of 9 runs. Setting up
 * is not measured, so waiting longer costs nothing but time on a failure.
 */
const SETUP_MS = 60_000;
const isStop = (b: number): boolean => b >> 4 === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => void process.stderr.write(`drive paths: ${line}\n`);
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Lines a child prints, kept, with a wait for one that matches. */
function lines(child: ChildProcess, what: string) {
  const all: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    all.push(line);
    for (const w of waiters) w();
  });
  const next = (match: (line: string) => boolean, from = 0): Promise<string> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = all.slice(from).find(match);
      if (found === undefined) return false;
      waiters.delete(wake);
      clearTimeout(timer);
      resolve(found);
      return true;
    };
    const wake = (): void => void check();
    const timer = setTimeout(() => { waiters.delete(wake); reject(new Error(`${what}: no such line in ${SETUP_MS} ms`)); }, SETUP_MS);
    if (!check()) waiters.add(wake);
  });
  return { all, next };
}

/** A third byte for 10.212.N.x that no address here has, from our pid on (two benches at once differ). */
function freeSubnet(): number {
  const used = spawnSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 254; i++) {
    const n = 1 + ((process.pid + i) % 254);
    if (!used.includes(`10.212.${n}.`)) return n;
  }
  throw new Error('no free 10.212.N.x subnet');
}

/** Why this machine cannot run the path, or null. */
function unavailable(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux (a network namespace and TUN devices)';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  if (!existsSync(TUNPATH)) return `no ${TUNPATH}`;
  if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) return 'cannot make a network namespace here (iproute2, root)';
  return null;
}

/** The car's bytes, per path, as the server in the namespace prints them. */
class Cars {
  readonly bytes: Record<PathName, Arrival[]> = { websocket: [], channel: [] };
  ports!: Record<PathName, number>;

  constructor(readonly out: ReturnType<typeof lines>, child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"path"')) return;
      const b = JSON.parse(line) as { path: PathName; t: number; byte: number };
      this.bytes[b.path].push({ t: b.t, byte: b.byte });
    });
  }

  async until(path: PathName, ok: (a: Arrival[]) => boolean, what: string, ms = WAIT_MS): Promise<void> {
    for (const end = monotonicMs() + ms; !ok(this.bytes[path]);) {
      if (monotonicMs() > end) throw new Error(`${path}: timed out waiting for ${what}; last bytes ${this.bytes[path].slice(-5).map((a) => a.byte.toString(16))}`);
      await sleep(5);
    }
  }
}

interface Rig { tun: ChildProcess; tunOut: ReturnType<typeof lines>; server: ChildProcess; cars: Cars; browser: Browser; pages: Record<PathName, Page> }

async function tell(rig: Rig, command: string): Promise<void> {
  const from = rig.tunOut.all.length;
  rig.tun.stdin!.write(`${command}\n`);
  await rig.tunOut.next((l) => l === `ok ${command}`, from);
}

async function start(children: ChildProcess[]): Promise<Rig> {
  const harness = await import('../test/web/harness.js');
  await harness.ensureBuilt();
  const tun = spawn('python3', [CONTROL, TUNPATH, NS, '20', '0', HOST.split('.')[2]], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(tun);
  const tunOut = lines(tun, 'the lossy path');
  await tunOut.next((l) => l === 'ready');
  const server = spawn('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', SERVER, HOST, harness.STATIC_DIR], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(server);
  const out = lines(server, 'the servers in the namespace');
  const cars = new Cars(out, server);
  cars.ports = (JSON.parse(await out.next((l) => l.startsWith('{"ports"'))) as { ports: Record<PathName, number> }).ports;
  const browser = await harness.launchBrowser();
  const pages = {} as Record<PathName, Page>;
  for (const path of PATHS) {
    pages[path] = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await harness.openPage(pages[path], `http://${HOST}:${cars.ports[path]}/`, 'driver');
  }
  await pages.channel.locator('#st-path[data-path="direct"]').waitFor({ timeout: WAIT_MS });
  return { tun, tunOut, server, cars, browser, pages };
}

/** The byte the car holds once it has held it for 200 ms after a move (undefined: none within 3 s). */
async function settled(cars: Cars, path: PathName, from: number): Promise<number | undefined> {
  const steady = (a: Arrival[]): boolean => a.length > from && !isStop(a.at(-1)!.byte) && monotonicMs() - a.at(-1)!.t >= 200;
  return cars.until(path, steady, 'a steady byte', 3_000).then(() => cars.bytes[path].at(-1)!.byte, () => undefined);
}

/** The joystick positions of the cycle (fx, fy of full travel; fy < 0 is forward), each with its own byte. */
async function learnPositions(rig: Rig, path: PathName): Promise<Position[]> {
  const harness = await import('../test/web/harness.js');
  const page = rig.pages[path];
  const { cx, cy, travel } = await harness.joystickGeometry(page);
  const found: Position[] = [];
  await harness.holdKnobWithMouse(page, 0, -0.5);
  for (const fx of [0, -0.6, 0.6]) {
    for (const fy of [-0.35, -0.45, -0.55, -0.65, -0.75, -0.85, -0.95]) {
      const x = cx + fx * travel;
      const y = cy + fy * travel;
      const from = rig.cars.bytes[path].length;
      await page.mouse.move(x, y);
      const byte = await settled(rig.cars, path, from);
      if (byte !== undefined && !isStop(byte) && !found.some((p) => p.byte === byte)) found.push({ x, y, byte });
    }
  }
  await page.mouse.up();
  await rig.cars.until(path, (a) => isStop(a.at(-1)!.byte), 'the stop on letting go');
  // Slowest first: the cycle steps through the speeds, each move a byte of its own.
  return found.sort((a, b) => (a.byte & 0x0f) - (b.byte & 0x0f) || a.byte - b.byte);
}

/** One run of moves on one path: the knob pressed, moved `moves` times at 20 Hz, let go. */
async function measure(rig: Rig, path: PathName, positions: Position[], moves: number): Promise<RunResult> {
  const page = rig.pages[path];
  const { mouse } = page;
  await mouse.move(positions[0].x, positions[0].y);
  await mouse.down();
  await rig.cars.until(path, (a) => a.at(-1)?.byte === positions[0].byte, 'the first position');
  const result = await runMoves({ mouse, positions, moves, arrivals: () => rig.cars.bytes[path], now: monotonicMs });
  await mouse.up();
  await rig.cars.until(path, (a) => isStop(a.at(-1)!.byte), 'the stop on letting go');
  await sleep(300);
  return result;
}

/** The 2 s outage on one path: bench header. */
async function outage(rig: Rig, path: PathName, positions: Position[]): Promise<OutageResult> {
  const page = rig.pages[path];
  const { mouse } = page;
  await mouse.move(positions[0].x, positions[0].y);
  await mouse.down();
  await rig.cars.until(path, (a) => a.at(-1)?.byte === positions[0].byte, 'the first position');
  const moving = runMoves({ mouse, positions, moves: 80, arrivals: () => rig.cars.bytes[path], now: monotonicMs });
  await sleep(800);
  const cutAt = monotonicMs();
  await tell(rig, `outage ${OUTAGE_MS}`);
  await moving;
  const bytes = rig.cars.bytes[path];
  const stop = bytes.find((a) => a.t >= cutAt && isStop(a.byte));
  const replayed = stop === undefined ? [] : bytes.filter((a) => a.t > stop.t && !isStop(a.byte));
  await mouse.up();
  await sleep(500);
  const pressAt = monotonicMs();
  await mouse.move(positions[0].x, positions[0].y);
  await mouse.down();
  let againMs: number | null = null;
  try {
    await rig.cars.until(path, (a) => a.some((b) => b.t >= pressAt && !isStop(b.byte)), 'driving again after the outage', 10_000);
    againMs = bytes.find((b) => b.t >= pressAt && !isStop(b.byte))!.t - pressAt;
  } catch { /* reported as never */ }
  await mouse.up();
  await rig.cars.until(path, (a) => isStop(a.at(-1)!.byte), 'the stop on letting go').catch(() => {});
  await sleep(1000);
  return { stopAfterCutMs: stop === undefined ? null : stop.t - cutAt, replayedDriveBytes: replayed.length, drivingAgainMs: againMs };
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

async function main(): Promise<LossyPathResult | { skipped: string }> {
  const moves = Number(option('moves') ?? 200);
  const losses = (option('loss') ?? '0,1,2,5').split(',').map(Number);
  const why = unavailable();
  if (why !== null) return { skipped: why };
  const children: ChildProcess[] = [];
  let browser: Browser | undefined;
  try {
    const rig = await start(children);
    browser = rig.browser;
    const positions = { websocket: await learnPositions(rig, 'websocket'), channel: await learnPositions(rig, 'channel') };
    log(`positions: ${PATHS.map((p) => `${p} ${positions[p].map((x) => x.byte.toString(16)).join(' ')}`).join('; ')}`);
    const levels: LossyPathResult['levels'] = [];
    for (const loss of losses) {
      await tell(rig, `loss ${loss}`);
      const runs = {} as Record<PathName, RunResult>;
      for (const path of PATHS) {
        runs[path] = await measure(rig, path, positions[path], moves);
        log(`loss ${loss}% ${path}: p50 ${runs[path].p50.toFixed(0)} p99 ${runs[path].p99.toFixed(0)} max ${runs[path].max.toFixed(0)} ms`);
      }
      levels.push({ loss, runs });
    }
    await tell(rig, 'loss 0');
    const outages = {} as Record<PathName, OutageResult>;
    if (!process.argv.includes('--no-outage')) for (const path of PATHS) outages[path] = await outage(rig, path, positions[path]);
    return { moves, levels, outageMs: OUTAGE_MS, outages: process.argv.includes('--no-outage') ? null : outages };
  } finally {
    await browser?.close().catch(() => {});
    for (const child of children.reverse()) child.kill('SIGTERM');
    await sleep(300);
    spawnSync('ip', ['netns', 'del', NS]);
  }
}

main().then(
  (result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  },
  (err: Error) => {
    console.error(`drive paths: ${err.stack ?? err.message}`);
    spawnSync('ip', ['netns', 'del', NS]);
    process.exit(1);
  },
);
