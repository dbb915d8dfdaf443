// The real page in Chromium, served by the real CLI, driving the byte-recorder car with the mouse held on
// the joystick: when the page goes hidden (tab switched, phone locked) the car stops, at worst by the
// watchdog, and the still-held mouse does not drive it again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ensureBuilt, holdKnobWithMouse, launchBrowser, openPage } from '../web/harness.js';
import { carAndServer, FULL_FORWARD, isMoving, SLACK_MS, stopLatency } from './scene.js';

const WATCHDOG_MS = 500;

describe('the page goes hidden while driving', { timeout: 90_000 }, () => {
  it('the car stops within the watchdog at worst, and stays stopped while the mouse is still held', async (t) => {
    await ensureBuilt();
    const { car, server } = await carAndServer(t);
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const page = await browser.newPage();
    await openPage(page, server.url, 'driver');
    await holdKnobWithMouse(page, 0, -1);
    await car.holds((b) => b === FULL_FORWARD, 'the knob held forward');

    const at = performance.now();
    // What the browser does when the tab is switched away or the phone locks. (A string: tsx would add
    // helpers to a function that do not exist in the page.)
    await page.evaluate(`(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    })()`);
    const stopMs = await stopLatency(car, at, 'the stop after the page went hidden');
    assert.ok(stopMs <= WATCHDOG_MS + SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after the page went hidden`);

    // Two watchdog periods with the mouse still down: a page that kept sending would have moved the car.
    const stoppedAt = performance.now();
    await new Promise((r) => setTimeout(r, 2 * WATCHDOG_MS));
    const after = car.bytes.filter((b) => b.at >= stoppedAt && isMoving(b.value));
    assert.deepEqual(after, [], `the car moved again while the page was hidden: ${car.describe()}`);
    await page.mouse.up();
  });
});
