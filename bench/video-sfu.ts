/**
 * The car's video to a crowd, peer to peer against through the SFU (--sfu, Debian's Janus): the camera
 * page's upload (bytes a second of its outbound video, from its RTCPeerConnections' stats) with 1, 4 and 8
 * viewer pages, each viewer's frame rate (frames decoded over the window, from its stats), Janus's and
 * webracer's CPU at 8 viewers (from /proc, over the same window), and the time to the first frame for a
 * new viewer page, with no other viewer (the mode's own cost, before the crowd comes). One Chromium for every page, a context each (fake camera at
 * the camera page's default 640x480 and 30 fps, VP8 in software), webracer as its own process
 * (dist/cli/main.js, simulated car, --max-viewers 12 so peer to peer serves them all, the first-frame
 * trials' page included), Janus with test/support/janus.ts's minimal config. `npm run bench` runs it
 * (bench/video-sfu-section.ts; not with --quick); alone:
 *
 *   npm run build && node --import tsx bench/video-sfu.ts [--window-ms 5000]
 *
 * Prints progress on stderr and one JSON line on stdout, with the load averages at its start and end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ROOT, WAIT_MS, ensureBuilt } from '../test/web/harness.js';
import { launchVideoBrowser } from '../test/web/video-harness.js';
import { RECORD_PCS, cameraVideoSenders, decodedFps, openRecordedCamera } from '../test/web/video-sfu-harness.js';
import { startJanus, type Janus } from '../test/support/janus.js';
import { answersHttp, freePort, whenReady } from '../test/support/spawn-service.js';

const STEPS = [1, 4, 8];
const FIRST_FRAME_TRIALS = 3;
const FIRST_FRAME_WAIT_MS = 60_000;
const CLK_TCK = 100; // USER_HZ on Linux: /proc/PID/stat's times are in these

export interface Step { viewers: number; uploadBytesPerS: number; streams: number; fps: number[]; cpu?: { janus: number | null; webracer: number } }
/** firstFrameMs: a new viewer's, with no other viewer (the mode's own cost); `firstFrameTimeouts` of the trials saw none within FIRST_FRAME_WAIT_MS. */
export interface ModeResult { mode: 'p2p' | 'sfu'; steps: Step[]; firstFrameMs: number[]; firstFrameTimeouts: number }
/** What the bench prints: the load averages (1, 5, 15 min, as `uptime` gives them) at its start and end. */
export interface VideoSfuResult { windowMs: number; chromium: string; load: { start: string; end: string }; results: ModeResult[] }

const windowMs = (() => {
  const i = process.argv.indexOf('--window-ms');
  return i < 0 ? 5000 : Number(process.argv[i + 1]);
})();

/** Seconds of CPU (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime: fields 14 and 15 of stat
}

const loadAverages = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function startWebracer(sfu: string | null): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const args = ['dist/cli/main.js', '--host', '127.0.0.1', '--port', String(port), '--link', 'sim', '--max-viewers', '12', ...(sfu ? ['--sfu', `janus:${sfu}`] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // Its SFU log lines (sfu_up, sfu_down, a refused publish...) with the progress: why a step went wrong.
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (/sfu_/.test(line)) process.stderr.write(`webracer: ${line.slice(0, 300)}\n`);
    });
  }
  const url = `http://127.0.0.1:${port}/`;
  try {
    await whenReady(child, 'webracer', () => answersHttp(`${url}api/cars`), WAIT_MS);
  } catch (err) {
    child.kill();
    throw err;
  }
  return { url, child };
}

/** A new viewer page; resolves with the ms from its navigation's start to its first frame on screen. */
async function openViewer(browser: Browser, url: string): Promise<{ page: Page; firstFrameMs: number }> {
  const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
  await context.addInitScript(RECORD_PCS);
  await context.addInitScript(`addEventListener('DOMContentLoaded', () => {
    document.querySelector('#video-feed').requestVideoFrameCallback((now) => { window.firstFrameAt = now; });
  })`);
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction('window.firstFrameAt !== undefined', undefined, { timeout: FIRST_FRAME_WAIT_MS });
  } catch (err) {
    await context.close(); // not left as a viewer beside the next ones
    throw err;
  }
  return { page, firstFrameMs: Math.round(await page.evaluate('window.firstFrameAt') as number) };
}

/** A new viewer page's first frame, FIRST_FRAME_TRIALS times one after the other, with no other viewer. */
async function firstFrames(browser: Browser, url: string): Promise<Pick<ModeResult, 'firstFrameMs' | 'firstFrameTimeouts'>> {
  const firstFrameMs: number[] = [];
  let firstFrameTimeouts = 0;
  for (let i = 0; i < FIRST_FRAME_TRIALS; i++) {
    try {
      const { page, firstFrameMs: ms } = await openViewer(browser, url);
      firstFrameMs.push(ms);
      await page.context().close();
    } catch {
      firstFrameTimeouts++;
    }
  }
  return { firstFrameMs, firstFrameTimeouts };
}

async function measure(camera: Page, viewers: Page[], pids: { janus: number | null; webracer: number }, withCpu: boolean): Promise<Step> {
  const before = await cameraVideoSenders(camera);
  const cpu0 = { janus: pids.janus === null ? null : cpuSeconds(pids.janus), webracer: cpuSeconds(pids.webracer) };
  const started = Date.now();
  const fps = await Promise.all(viewers.map((page) => decodedFps(page, windowMs)));
  const seconds = (Date.now() - started) / 1000;
  const after = await cameraVideoSenders(camera);
  const sum = (senders: typeof before) => senders.reduce((total, s) => total + s.bytesSent, 0);
  const step: Step = {
    viewers: viewers.length, streams: after.length, uploadBytesPerS: Math.round((sum(after) - sum(before)) / seconds),
    fps: fps.map((f) => Math.round(f * 10) / 10),
  };
  if (withCpu) {
    const percent = (now: number, then: number) => Math.round(((now - then) / seconds) * 1000) / 10;
    step.cpu = {
      janus: pids.janus === null || cpu0.janus === null ? null : percent(cpuSeconds(pids.janus), cpu0.janus),
      webracer: percent(cpuSeconds(pids.webracer), cpu0.webracer),
    };
  }
  return step;
}

async function runMode(browser: Browser, janus: Janus | null): Promise<ModeResult> {
  const mode = janus ? 'sfu' : 'p2p';
  const server = await startWebracer(janus?.url ?? null);
  try {
    const camera = await openRecordedCamera(browser, `${server.url}camera`);
    const { firstFrameMs, firstFrameTimeouts } = await firstFrames(browser, server.url);
    process.stderr.write(`${mode}: first frame ${firstFrameMs.join(', ')} ms, ${firstFrameTimeouts} timed out\n`);
    const viewers: Page[] = [];
    const steps: Step[] = [];
    const pids = { janus: janus?.process.pid ?? null, webracer: server.child.pid! };
    for (const count of STEPS) {
      while (viewers.length < count) viewers.push((await openViewer(browser, server.url)).page);
      steps.push(await measure(camera.page, viewers, pids, count === 8));
      process.stderr.write(`${mode}: ${JSON.stringify(steps.at(-1))}\n`);
    }
    await Promise.all([camera.context, ...viewers.map((p) => p.context())].map((c) => c.close()));
    return { mode, steps, firstFrameMs, firstFrameTimeouts };
  } finally {
    server.child.kill();
  }
}

await ensureBuilt();
const start = loadAverages();
const janus = await startJanus('sfu-bench', WAIT_MS);
const browser = await launchVideoBrowser();
try {
  const results = [await runMode(browser, null), await runMode(browser, janus)];
  const result: VideoSfuResult = { windowMs, chromium: browser.version(), load: { start, end: loadAverages() }, results };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await janus.stop();
}
