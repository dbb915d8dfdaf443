// Stop and the joystick are always on the first screen (docs/safety.md, "The page's layout"): for every
// viewport from a small phone to a desktop, and every layout the page takes (one car or several, with
// the car's video or without, left-handed, and a race before, during its countdown, running and over),
// both are wholly inside the viewport at scroll 0 and nothing lies over them.
//
// One browser, three servers in this process (one car; one car with a camera; three cars, the first
// with a camera), one page per car layout and kind of device (eight), resized from viewport to viewport:
// the page lays itself out again on a resize, as it does when a phone turns. Each page is switched to the
// left-handed layout and back through its own Settings dialog, and the race phases come from the servers,
// so nothing reloads: every cell (viewport x layout x phase) is checked on a live page. Phones and tablets
// are touch devices (isMobile, hasTouch, a dense screen), desktops are not.

import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { WAIT_MS, ensureBuilt, startServer, watchPage, type ControlServer, type Watched } from './harness.js';
import { launchVideoBrowser, openCamera } from './video-harness.js';

type Profile = 'touch' | 'desktop';
interface Viewport { width: number; height: number; profile: Profile }

/** Eight pages (four of them video viewers) start, or see a race change, at once: more time than one page needs. */
const ALL_PAGES_MS = 4 * WAIT_MS;

const viewport = (width: number, height: number, profile: Profile): Viewport => ({ width, height, profile });
const VIEWPORTS: Viewport[] = [
  // phones upright, then the same phones sideways (839x412: a Pixel 7 sideways, where Stop was cut)
  viewport(320, 568, 'touch'), viewport(360, 640, 'touch'), viewport(390, 844, 'touch'), viewport(412, 915, 'touch'),
  viewport(568, 320, 'touch'), viewport(640, 360, 'touch'), viewport(844, 390, 'touch'), viewport(839, 412, 'touch'),
  viewport(915, 412, 'touch'),
  viewport(768, 1024, 'touch'), viewport(1024, 768, 'touch'), // tablets
  viewport(1280, 720, 'desktop'), viewport(1920, 1080, 'desktop'),
];

/** A page of one car layout: which server's car it shows (each is also checked mirrored, left-handed). */
interface Layout { name: string; server: 'one' | 'oneCamera' | 'fleet'; path: string; video: boolean }
const LAYOUTS: Layout[] = [
  { name: 'one car', server: 'one', path: '/', video: false },
  { name: 'one car, video', server: 'oneCamera', path: '/', video: true },
  { name: 'several cars', server: 'fleet', path: '/car/blue', video: false },
  { name: 'several cars, video', server: 'fleet', path: '/car/red', video: true },
];
const HANDS = [false, true] as const; // left-handed: the joystick on the right
const CELLS = VIEWPORTS.length * LAYOUTS.length * HANDS.length;

/**
 * In the page, for a screen of W x H: where Stop and the joystick are at scroll 0, and what a finger would
 * touch at points inside each (their middle and near their edges; inside the pad's circle for the
 * joystick). Problems as words. A page wider than the screen counts as one: a phone shows it zoomed out,
 * and the layout viewport (innerWidth, innerHeight) is then larger than what the user sees.
 */
const probe = (W: number, H: number) => `(async (W, H) => {
  // Two animation frames first: whatever the page does on a resize has been laid out and painted by then.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.scrollTo(0, 0);
  const problems = [];
  if (innerWidth !== W || innerHeight !== H) problems.push('the page is laid out ' + innerWidth + 'x' + innerHeight + ', wider than the screen');
  const check = (name, el, points) => {
    if (!el) return problems.push(name + ' is missing');
    const r = el.getBoundingClientRect();
    const box = Math.round(r.left) + ',' + Math.round(r.top) + ' to ' + Math.round(r.right) + ',' + Math.round(r.bottom);
    if (r.width === 0 || r.height === 0) return problems.push(name + ' is not shown');
    if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) problems.push(name + ' at ' + box + ' is not wholly in view');
    for (const [fx, fy] of points) {
      const x = r.left + fx * r.width, y = r.top + fy * r.height;
      if (x < 0 || y < 0 || x >= W || y >= H) continue; // out of view: said above
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(hit === el || el.contains(hit))) {
        const what = hit ? hit.tagName.toLowerCase() + (hit.id ? '#' + hit.id : '') + (hit.className && typeof hit.className === 'string' ? '.' + hit.className.split(' ')[0] : '') : 'nothing';
        problems.push(name + ' covered at (' + Math.round(x) + ',' + Math.round(y) + ') by ' + what);
      }
    }
  };
  const edges = [[0.5, 0.5], [0.08, 0.15], [0.92, 0.15], [0.08, 0.85], [0.92, 0.85]];
  check('Stop', document.querySelector('#stop'), edges);
  const ring = 0.5 * 212 / 276 * 0.85; // the pad's circle (joystick.ts: radius 106 of a 276 view), a little inside
  check('the joystick', document.querySelector('svg.joystick'),
    [[0.5, 0.5], [0.5 - ring, 0.5], [0.5 + ring, 0.5], [0.5, 0.5 - ring], [0.5, 0.5 + ring]]);
  return { problems, scrollY: Math.round(scrollY), leftHanded: document.body.classList.contains('left-handed') };
})(${W}, ${H})`;

describe('Stop and the joystick on the first screen, on every viewport and in every layout', () => {
  const servers: Partial<Record<Layout['server'], ControlServer>> = {};
  let browser: Browser;
  const pages = new Map<string, Page>(); // `${profile} ${layout.name}`: eight
  const seen: Watched[] = [];
  const racers: WebSocket[] = [];
  let started = 0;

  before(async () => {
    started = performance.now();
    await ensureBuilt();
    servers.one = await startServer('sim');
    servers.oneCamera = await startServer('sim');
    servers.fleet = await startServer('sim', {
      cars: ['red', 'blue', 'green'].map((name) => ({ name, link: 'sim', codec: 'iracer' as const })),
    });
    browser = await launchVideoBrowser();
    for (const url of [`${servers.oneCamera.url}camera`, new URL('/car/red/camera', servers.fleet.url).href]) {
      const camera = await openCamera(browser, url);
      // Four viewers each: the smallest picture at the lowest rate the camera page offers keeps the CPU for the pages.
      await camera.page.locator('#resolution').selectOption('320x240');
      await camera.page.locator('#fps').selectOption('15');
    }
    // A context (a device) per page: pages that share a context share a renderer, and there each page's
    // animation frames came about once a second (20 s for ten double frames on four pages, 0.3 s apart).
    for (const profile of ['touch', 'desktop'] as const) {
      const first = VIEWPORTS.find((v) => v.profile === profile)!;
      await Promise.all(LAYOUTS.map(async (layout) => openLayout(await browser.newContext({
        viewport: { width: first.width, height: first.height },
        ...(profile === 'touch' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      }), profile, layout)));
    }
    for (const server of Object.values(servers)) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      racers.push(ws);
    }
  });

  /** A page in the layout: connected, with its video on the stage and its strip of cars where it has them. */
  async function openLayout(context: BrowserContext, profile: Profile, layout: Layout): Promise<void> {
    const page = await context.newPage();
    const watched = watchPage(page);
    seen.push(watched);
    pages.set(`${profile} ${layout.name}`, page);
    try {
      await page.goto(new URL(layout.path, servers[layout.server]!.url).href);
      await page.locator('#st-conn[data-state="open"]').waitFor({ state: 'attached', timeout: ALL_PAGES_MS });
      if (layout.video) await page.waitForFunction('document.body.classList.contains("video-on")', undefined, { timeout: ALL_PAGES_MS });
      if (layout.server === 'fleet') await page.locator('#fleet:not([hidden]) .fleet-car').first().waitFor({ timeout: ALL_PAGES_MS });
    } catch (err) {
      throw new Error(`${profile} ${layout.name}: ${(err as Error).message.split('\n')[0]} (page errors: ${watched.errors.join('; ') || 'none'})`);
    }
  }

  after(async () => {
    for (const ws of racers) ws.close();
    await browser?.close();
    for (const server of Object.values(servers)) await server.close();
  });

  /** Every race of the three servers, started or ended, as the pages see it. */
  const race = async (message: object, pageShows: string) => {
    for (const ws of racers) ws.send(JSON.stringify(message));
    await Promise.all([...pages.values()].map((p) => p.waitForFunction(pageShows, undefined, { timeout: ALL_PAGES_MS })));
  };
  const COUNTING_DOWN = `!document.querySelector('#countdown').hidden && /^\\d+$/.test(document.querySelector('#countdown').textContent)`;
  const setCountdown = (ms: number) => {
    for (const server of Object.values(servers)) server.raceway.race.countdownMs = ms;
  };

  /** Every page to the left-handed layout, or back, as a person does it: Settings, the check box, Close. */
  async function handedness(leftHanded: boolean) {
    await Promise.all([...pages.values()].map(async (page) => {
      await page.locator('#open-settings').click();
      await page.locator('#set-leftHanded').setChecked(leftHanded);
      await page.keyboard.press('Escape');
      await page.waitForFunction(`!document.querySelector('dialog[open]') && document.body.classList.contains('left-handed') === ${leftHanded}`,
        undefined, { timeout: ALL_PAGES_MS });
    }));
  }

  /** Resizes the pages of the viewport's kind of device to it (all four at once), and checks each. */
  async function checkViewport(v: Viewport, cell: string, leftHanded: boolean, failures: string[]) {
    await Promise.all(LAYOUTS.map(async (layout) => {
      const page = pages.get(`${v.profile} ${layout.name}`)!;
      await page.setViewportSize({ width: v.width, height: v.height });
      const seen = await page.evaluate(probe(v.width, v.height)) as { problems: string[]; scrollY: number; leftHanded: boolean };
      const { problems } = seen;
      if (seen.scrollY !== 0) problems.push(`the page cannot be at scroll 0 (it is at ${seen.scrollY})`);
      if (seen.leftHanded !== leftHanded) problems.push(`the page is ${seen.leftHanded ? '' : 'not '}left-handed`);
      const name = `${layout.name}${leftHanded ? ', left-handed' : ''}`;
      for (const problem of problems) failures.push(`${v.width}x${v.height} ${name}, ${cell}: ${problem}`);
    }));
  }

  /** Every viewport, every layout, right- and left-handed: the failures are listed cell by cell. */
  async function sweep(t: TestContext, phase: string) {
    const from = performance.now();
    const failures: string[] = [];
    for (const leftHanded of HANDS) {
      await handedness(leftHanded);
      // The touch pages and the desktop pages are resized side by side: each kind goes through its own viewports.
      await Promise.all((['touch', 'desktop'] as const).map(async (profile) => {
        for (const v of VIEWPORTS.filter((w) => w.profile === profile)) await checkViewport(v, phase, leftHanded, failures);
      }));
    }
    failures.sort();
    t.diagnostic(`${phase}: ${CELLS} cells in ${Math.round(performance.now() - from)} ms`);
    assert.deepEqual(failures, [], `${failures.length} of ${CELLS} cells:\n${failures.join('\n')}`);
  }

  it('before any race: in view and uncovered', async (t) => {
    t.diagnostic(`set-up (three servers, two cameras, ${pages.size} pages): ${Math.round(performance.now() - started)} ms`);
    await sweep(t, 'no race');
  });

  it('during a race\'s countdown', async (t) => {
    setCountdown(600_000); // ten minutes: the countdown lasts the whole sweep, however busy the machine
    await race({ type: 'race-start', laps: 3 }, COUNTING_DOWN);
    await sweep(t, 'countdown');
    assert.deepEqual(await Promise.all([...pages.values()].map((p) => p.evaluate(COUNTING_DOWN))), [...pages.values()].map(() => true));
    await race({ type: 'race-end' }, `document.querySelector('#countdown').hidden`); // called off
  });

  it('while a race runs', async (t) => {
    setCountdown(0);
    await race({ type: 'race-start', laps: 3 }, `/^Racing/.test(document.querySelector('#race-status').textContent) && document.querySelector('#countdown').hidden`);
    await sweep(t, 'race running');
  });

  it('with a race over: its leaderboard and the lap book open', async (t) => {
    await race({ type: 'race-end' }, `/^Race over/.test(document.querySelector('#race-status').textContent)`);
    await Promise.all([...pages.values()].map((p) => p.evaluate(`document.querySelector('details.lap-book').open = true`)));
    await sweep(t, 'race over, panel open');
    for (const w of seen) assert.deepEqual(w.errors.filter((e) => !e.includes('/api/cars/live')), []);
    t.diagnostic(`whole file: ${Math.round(performance.now() - started)} ms`);
  });
});
