// A phone: a touch screen, a narrow portrait viewport. Real touch events (through the DevTools protocol,
// as a finger would make them) drive the car; a second finger cannot hijack the knob; the page does not
// scroll under the drag; and the phone screenshot for the README.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';
import {
  SCREENSHOTS, WAIT_MS, joystickGeometry, openPage, waitForPose, waitForSent, waitForState, watchPage,
  withPage, type ControlServer, type Watched,
} from './harness.js';

interface Finger { id: number; x: number; y: number }

/**
 * Sends the touch points that are down after this event; Chromium turns the difference from the previous
 * event into per-finger touchstart/touchmove/touchend (so lifting one of two fingers is a touchMove with
 * the other alone; touchEnd lifts all and carries no points).
 */
function touch(cdp: CDPSession, type: 'touchStart' | 'touchMove' | 'touchEnd' | 'touchCancel', fingers: Finger[]): Promise<unknown> {
  return cdp.send('Input.dispatchTouchEvent', { type, touchPoints: fingers.map((f) => ({ id: f.id, x: f.x, y: f.y })) });
}

describe('controller page on a phone (touch)', () => {
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let watched: Watched;
  withPage({ name: 'Ada', context: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } }, async (r) => {
    ({ server, browser, page, watched } = r);
    cdp = await r.context.newCDPSession(page);
  });

  it('loads on a phone with the joystick and the stop button in view, without errors', async () => {
    await openPage(page, server.url, 'driver');
    const pad = await page.locator('svg.joystick').boundingBox();
    const stop = await page.locator('#stop').boundingBox();
    assert.ok(pad && stop, 'joystick and stop are laid out');
    assert.ok(pad.width >= 300, `the joystick fills the width of a phone (${pad.width}px)`);
    assert.ok(stop.y + stop.height <= 844, 'the stop button is reachable without scrolling');
    assert.ok(stop.height >= 48, 'the stop button is a large touch target');
    assert.deepEqual(watched.errors, []);
  });

  it('held sideways, the joystick and the stop button both fit the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 844, height: 390 }, isMobile: true, hasTouch: true });
    try {
      const sideways = await context.newPage();
      const seen = watchPage(sideways);
      await openPage(sideways, server.url, 'spectator'); // the portrait page holds the seat
      const pad = await sideways.locator('svg.joystick').boundingBox();
      const stop = await sideways.locator('#stop').boundingBox();
      assert.ok(pad && stop);
      assert.ok(pad.y + pad.height <= 390 && stop.y + stop.height <= 390, `pad ${JSON.stringify(pad)}, stop ${JSON.stringify(stop)}`);
      assert.ok(pad.width >= 200, 'a joystick a thumb can use');
      const commands = await sideways.getByRole('button', { name: 'Forward' }).boundingBox();
      assert.ok(commands && commands.x > pad.x + pad.width, 'the commands sit beside the joystick');
      assert.deepEqual(seen.errors, []);
    } finally {
      await context.close();
    }
  });

  it('a finger dragging the knob up drives forward; a second finger does not move it; lifting stops', async () => {
    const { cx, cy, travel } = await joystickGeometry(page);
    const startY = server.driver.pose?.y ?? 0;
    const scrollBefore = await page.evaluate('window.scrollY');
    const thumb: Finger = { id: 1, x: cx, y: cy };
    await touch(cdp, 'touchStart', [thumb]);
    for (let i = 1; i <= 6; i++) {
      thumb.y = cy - (travel * i) / 6;
      await touch(cdp, 'touchMove', [thumb]);
    }
    await waitForState(server.driver, (s) => s.direction === 'forward' && s.speed === 15, 'forward from a touch drag');
    await waitForPose(server.driver, (p) => p.y > startY + 0.3, 'the car to move forward');
    await page.locator('#st-motion', { hasText: 'forward' }).waitFor({ timeout: WAIT_MS });

    // A second finger lands on the left of the pad and slides: the knob stays with the first.
    const other: Finger = { id: 2, x: cx - travel * 0.9, y: cy };
    await touch(cdp, 'touchStart', [thumb, other]);
    other.y = cy + travel * 0.5;
    await touch(cdp, 'touchMove', [thumb, other]);
    await touch(cdp, 'touchMove', [thumb]); // the second finger lifts
    const drives = await waitForSent(watched.sent, watched.sent.length, 'drive', 5); // still driving
    assert.ok(drives.every((f) => f.message.x === 0 && f.message.y === 1), `only the first finger steers: ${JSON.stringify(drives.map((f) => f.message))}`);
    assert.equal(server.driver.state.direction, 'forward');

    await touch(cdp, 'touchEnd', []);
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop when the finger lifts');
    await page.locator('#st-last[data-state="stop"]').waitFor({ timeout: WAIT_MS }); // sent, not the watchdog
    assert.equal(await page.evaluate('window.scrollY'), scrollBefore, 'the page did not scroll under the drag');
  });

  it('a second finger tapping Stop stops the car; the thumb still on the knob drives no more until lifted', async () => {
    const { cx, cy, travel } = await joystickGeometry(page);
    const thumb: Finger = { id: 4, x: cx, y: cy };
    await touch(cdp, 'touchStart', [thumb]);
    thumb.y = cy - travel;
    await touch(cdp, 'touchMove', [thumb]);
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward from the thumb');
    const stop = await page.locator('#stop').boundingBox();
    assert.ok(stop);
    const finger: Finger = { id: 5, x: stop.x + stop.width / 2, y: stop.y + stop.height / 2 };
    const before = watched.sent.length;
    await touch(cdp, 'touchStart', [thumb, finger]);
    await touch(cdp, 'touchMove', [thumb]); // the second finger lifts: a tap on Stop
    await waitForSent(watched.sent, before, 'stop', 1);
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop from the tap');
    const from = watched.sent.length;
    for (const dx of [0.3, 0.6, -0.4]) {
      thumb.x = cx + travel * dx;
      await touch(cdp, 'touchMove', [thumb]);
    }
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    assert.deepEqual(watched.sent.slice(from).filter((f) => f.message.type === 'drive'), [], 'the thumb no longer drives');
    await touch(cdp, 'touchEnd', []);
    assert.equal(server.driver.state.direction, 'stop');
    // Lifted and put down again: a new press drives.
    await touch(cdp, 'touchStart', [{ id: 6, x: cx, y: cy - travel }]);
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward from a fresh touch');
    await touch(cdp, 'touchEnd', []);
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop');
  });

  it('a touch the browser cancels stops the car at once (not after the watchdog)', async () => {
    const { cx, cy, travel } = await joystickGeometry(page);
    await touch(cdp, 'touchStart', [{ id: 7, x: cx + travel, y: cy }]);
    await waitForState(server.driver, (s) => s.direction === 'right', 'right from the thumb');
    const before = watched.sent.length;
    await touch(cdp, 'touchCancel', []);
    await waitForSent(watched.sent, before, 'stop', 1);
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop on touchcancel');
    await page.locator('#st-last[data-state="stop"]').waitFor({ timeout: WAIT_MS }); // sent, not the watchdog
  });

  it('tapping the stop button stops a running command', async () => {
    await page.locator('#hold').fill('10');
    await page.getByRole('button', { name: 'Backward' }).tap();
    await waitForState(server.driver, (s) => s.direction === 'backward', 'backward from a tap');
    await page.getByRole('button', { name: 'Stop' }).tap();
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop from a tap', 5000);
  });

  it('saves a phone screenshot while driving', async () => {
    await page.locator('#hold').fill('0.5');
    await page.evaluate('window.scrollTo(0, 0)'); // tapping the buttons scrolled them into view
    const { cx, cy, travel } = await joystickGeometry(page);
    const thumb: Finger = { id: 3, x: cx, y: cy };
    await touch(cdp, 'touchStart', [thumb]);
    thumb.x = cx - travel * 0.5;
    thumb.y = cy - travel * 0.8;
    await touch(cdp, 'touchMove', [thumb]);
    await waitForState(server.driver, (s) => s.direction === 'forward-left', 'a left curve');
    const start = server.driver.pose?.heading ?? 0;
    await waitForPose(server.driver, (p) => Math.abs(p.heading - start) > 1, 'the car to turn');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });
    await touch(cdp, 'touchEnd', []);
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop');
    assert.deepEqual(watched.errors, [], 'no console errors during the whole session');
  });
});
