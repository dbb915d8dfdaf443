/**
 * Time from opening the driving page to the first video frame on it, with the camera already streaming:
 * the real server (in this process, simulated car) on loopback, Debian's Chromium with a fake camera
 * (test/web/video-harness.ts), one camera page, and `--trials` fresh driving pages opened one after the
 * other, each in a new browser context (no cache, no connection kept). Run by run.ts (video-section.ts)
 * or alone:
 *
 *   node --import tsx bench/video.ts [--trials 10]
 *
 * Every time is read in the driving page itself, in milliseconds from the start of its navigation
 * (performance.now(), whose origin is that start), by hooks installed before the page's own script:
 * `loaded` (DOMContentLoaded), `welcome` (the server's welcome arrived), `offer` (the camera's offer
 * arrived), `decoded` (the <video> has its first frame: loadeddata) and `shown` (the first frame
 * composited on screen: requestVideoFrameCallback). `shown` is the figure of the issue.
 * Prints progress on stderr and one JSON line (VideoResult) on stdout.
 */
import type { Browser } from 'playwright-core';
import { ensureBuilt, startServer, WAIT_MS } from '../test/web/harness.js';
import { launchVideoBrowser, openCamera } from '../test/web/video-harness.js';
import type { VideoResult, VideoTrial } from './video-section.js';

const HOOKS = `(() => {
  const marks = {};
  window.videoMarks = marks;
  const mark = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  addEventListener('DOMContentLoaded', () => {
    mark('loaded');
    const video = document.querySelector('#video-feed');
    if (!video) return;
    video.addEventListener('loadeddata', () => mark('decoded'));
    video.requestVideoFrameCallback((now) => { marks.shown ??= now; });
  });
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true,
    set(handler) {
      onmessage.set.call(this, (event) => {
        if (typeof event.data === 'string') {
          if (event.data.startsWith('{"type":"welcome"')) mark('welcome');
          else if (event.data.includes('"type":"offer"')) mark('offer');
        }
        return handler.call(this, event);
      });
    },
    get() { return onmessage.get.call(this); },
  });
})()`;

function trialsArg(): number {
  const i = process.argv.indexOf('--trials');
  const n = i < 0 ? 10 : Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error('usage: bench/video.ts [--trials N]');
  return n;
}

async function trial(browser: Browser, url: string): Promise<VideoTrial> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(HOOKS);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction('window.videoMarks && window.videoMarks.shown !== undefined', undefined, { timeout: WAIT_MS });
    const marks = await page.evaluate('window.videoMarks') as Record<string, number>;
    return { loaded: marks.loaded, welcome: marks.welcome, offer: marks.offer, decoded: marks.decoded, shown: marks.shown };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const trials = trialsArg();
  await ensureBuilt();
  const server = await startServer('sim');
  const browser = await launchVideoBrowser();
  try {
    const camera = await openCamera(browser, `${server.url}camera`);
    const resolution = await camera.page.evaluate('(() => { const s = document.querySelector("#preview").srcObject.getVideoTracks()[0].getSettings(); return `${s.width}x${s.height} at ${s.frameRate} fps`; })()') as string;
    await trial(browser, server.url); // a first page warms up the browser and the server: not counted
    const samples: VideoTrial[] = [];
    for (let i = 0; i < trials; i++) {
      const t = await trial(browser, server.url);
      process.stderr.write(`video: trial ${i + 1}/${trials}: first frame shown at ${t.shown.toFixed(0)} ms\n`);
      samples.push(t);
    }
    const result: VideoResult = { trials: samples, camera: resolution, chromium: browser.version() };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`video: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
