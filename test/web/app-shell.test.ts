// The page as an app on a phone, in headless Chromium against the real server (with a token) on the
// simulated car, on http://127.0.0.1 (a secure context, as service workers and wake locks need):
// - the manifest is valid to Chromium's own parser, its icons load at their sizes, and nothing but the
//   incognito context stands in the way of installing it;
// - the screen is kept awake while this page drives and let go when it stops driving (headless Chromium
//   has the Screen Wake Lock API: it is observed, not stubbed);
// - the join QR code decodes (jsQR) to the page's address, with the token when the tab holds one;
// - the full-screen button;
// - after a server restart the map starts a new track instead of drawing a line back to the origin;
// - with the server stopped, the service worker serves the page's shell, which says the server is not
//   reachable, and it never keeps an API answer.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import jsQRModule from 'jsqr';
import {
  WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForPose, type ControlServer,
} from './harness.js';

const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof import('jsqr').default;
const TOKEN = 's3cret token';
/** Every wake lock the page takes, kept where the test can see whether it was released. */
const WAKE_LOCK_WATCH = `(() => {
  window.testWakeLocks = [];
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = async (type) => {
    const sentinel = await request(type);
    window.testWakeLocks.push(sentinel);
    return sentinel;
  };
})()`;

/** The QR code in the open dialog, drawn at 300 px and read back by jsQR in Node. */
async function readQr(page: Page): Promise<string | null> {
  await page.locator('#qr-dialog .qr svg').waitFor({ timeout: WAIT_MS });
  const size = 300;
  const pixels = await page.evaluate(`(async () => {
    const svg = document.querySelector('#qr-dialog .qr svg');
    const img = new Image();
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = ${size};
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0, ${size}, ${size});
    return Array.from(g.getImageData(0, 0, ${size}, ${size}).data);
  })()`) as number[];
  return jsQR(Uint8ClampedArray.from(pixels), size, size)?.data ?? null;
}

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('the page as an app (service worker, manifest, wake lock, QR code, full screen)', () => {
  let server: ControlServer;
  let port = 0;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageUrl = () => `http://127.0.0.1:${port}/`;

  before(async () => {
    await ensureBuilt();
    server = await startServer('sim', { token: TOKEN });
    port = server.port;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(WAKE_LOCK_WATCH);
    page = await context.newPage();
    await openPage(page, `${pageUrl()}#${new URLSearchParams({ token: TOKEN })}`, 'driver');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the manifest is valid, its icons load at their sizes, and sw.js is served for the whole site, never cached', async () => {
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest') as { url: string; errors: unknown[]; data: string };
    assert.equal(manifest.url, `${pageUrl()}manifest.webmanifest`);
    assert.deepEqual(manifest.errors, [], 'Chromium\'s manifest parser has nothing to say');
    const data = JSON.parse(manifest.data) as { name: string; start_url: string; display: string; icons: Array<{ src: string; sizes: string; type: string; purpose: string }> };
    assert.equal(data.display, 'fullscreen');
    assert.equal(data.start_url, '/');
    for (const purpose of ['any', 'maskable']) {
      assert.deepEqual(data.icons.filter((i) => i.purpose === purpose).map((i) => i.sizes).sort(), ['192x192', '512x512']);
    }
    for (const icon of data.icons) {
      const response = await fetch(new URL(icon.src, pageUrl()));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      const [w, h] = pngSize(Buffer.from(await response.arrayBuffer()));
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
    }
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors') as { installabilityErrors: Array<{ errorId: string }> };
    assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito'), [], 'installable, but for the test\'s incognito context');
    const sw = await fetch(`${pageUrl()}sw.js`);
    assert.match(sw.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(sw.headers.get('cache-control'), 'no-cache');
    assert.equal(await page.evaluate('navigator.serviceWorker.ready.then((r) => r.scope)'), pageUrl());
  });

  it('keeps the screen awake while driving, and lets it go when the page stops driving', async () => {
    const held = () => page.evaluate('window.testWakeLocks.filter((s) => !s.released).length');
    await page.waitForFunction('window.testWakeLocks.some((s) => !s.released)', undefined, { timeout: WAIT_MS });
    await page.getByRole('button', { name: 'Give up the driver\'s seat' }).click();
    await page.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
    await page.waitForFunction('window.testWakeLocks.every((s) => s.released)', undefined, { timeout: WAIT_MS });
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    await page.waitForFunction('window.testWakeLocks.some((s) => !s.released)', undefined, { timeout: WAIT_MS });
    assert.equal(await held(), 1, 'one lock, not one per change');
  });

  it('the join QR code decodes to the page\'s address, with the token this tab holds, and says so', async () => {
    await page.getByRole('button', { name: 'Join QR' }).click();
    assert.equal(await readQr(page), `${pageUrl()}#${new URLSearchParams({ token: TOKEN })}`);
    await page.locator('#qr-dialog .qr-note', { hasText: 'whoever scans it can drive' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#qr-dialog .qr-url').textContent(), pageUrl(), 'the token is not written out');
    await page.keyboard.press('Escape');
    await page.locator('#qr-dialog').waitFor({ state: 'hidden', timeout: WAIT_MS });

    const other = await context.newPage(); // a tab without the token: a spectator
    await openPage(other, pageUrl(), 'spectator');
    await other.getByRole('button', { name: 'Join QR' }).click();
    assert.equal(await readQr(other), pageUrl());
    assert.doesNotMatch(await other.locator('#qr-dialog .qr-note').textContent() ?? '', /token/);
    await other.close();
  });

  it('the full-screen button enters and leaves full screen', async () => {
    const button = page.locator('#fullscreen');
    await button.click();
    await page.waitForFunction('document.fullscreenElement === document.documentElement', undefined, { timeout: WAIT_MS });
    await page.locator('#fullscreen[aria-pressed="true"]').waitFor({ timeout: WAIT_MS }); // at the fullscreenchange event
    await button.click();
    await page.waitForFunction('document.fullscreenElement === null', undefined, { timeout: WAIT_MS });
    await page.locator('#fullscreen[aria-pressed="false"]').waitFor({ timeout: WAIT_MS });
  });

  it('after a server restart the map starts a new track, with no line back to the origin', async () => {
    const trail = async () => {
      const d = await page.locator('svg.track path.trail').getAttribute('d');
      return (d ?? '').slice(1).split('L').filter(Boolean).map((p) => p.split(',').map(Number) as [number, number]);
    };
    await page.locator('body').click({ position: { x: 5, y: 780 } });
    await page.keyboard.down('ArrowUp');
    await waitForPose(server.driver, (p) => p.y > 1, 'the car a metre forward');
    await page.keyboard.up('ArrowUp');
    // The trail reaches a metre forward (drawn at -y).
    await page.waitForFunction(`(document.querySelector("svg.track path.trail")?.getAttribute("d") ?? "")
      .slice(1).split("L").some((p) => Number(p.split(",")[1]) < -1)`, undefined, { timeout: WAIT_MS });

    await server.close();
    await page.locator('#offline', { hasText: 'not reachable, retrying' }).waitFor({ timeout: WAIT_MS });
    server = await startServer('sim', { port, token: TOKEN });
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#offline').isHidden(), true);
    await page.locator('#pose-readout', { hasText: 'y 0.00 m' }).waitFor({ timeout: WAIT_MS }); // the new run's car
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const points = await trail();
    assert.ok(points.every(([x, y]) => Math.hypot(x, y) < 0.05), `a new track from the new origin, got ${JSON.stringify(points)}`);
  });

  it('with the server stopped, the service worker serves the shell, which says the server is not reachable', async () => {
    const cached = async () => await page.evaluate(`caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))
      .then((lists) => lists.flat().map((r) => new URL(r.url).pathname))`) as string[];
    await page.waitForFunction('navigator.serviceWorker.controller !== null', undefined, { timeout: WAIT_MS });
    await page.waitForFunction(`caches.open('webracer-shell-1').then((c) => c.match('/app.js')).then(Boolean)`, undefined, { timeout: WAIT_MS });
    await server.close();

    await page.reload();
    await page.locator('#offline', { hasText: 'The car\'s server is not reachable, retrying' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#stop').count(), 1, 'the driving page, from the cache');
    await page.goto(`${pageUrl()}camera`);
    await page.locator('h1', { hasText: 'webracer camera' }).waitFor({ timeout: WAIT_MS });
    await page.goto(`${pageUrl()}car/never-visited`);
    await page.locator('#offline').waitFor({ timeout: WAIT_MS });
    const paths = await cached();
    assert.ok(paths.includes('/app.js') && paths.includes('/index.html'));
    assert.deepEqual(paths.filter((p) => p.startsWith('/api') || p.startsWith('/ws')), [], 'no API answer is ever kept');

    await page.goto(pageUrl()); // the cached driving page again, which comes back by itself with its server
    await page.locator('#offline').waitFor({ timeout: WAIT_MS });
    server = await startServer('sim', { port, token: TOKEN });
    await page.locator('#st-conn[data-state="open"]').waitFor({ timeout: 20_000 });
    await page.locator('#offline').waitFor({ state: 'hidden', timeout: WAIT_MS });
  });
});
