// The speed control as a person uses it, in headless Chromium against the real server, on a phone (a
// finger slides the control) and a desktop (the keyboard): a speed set on the page stays after a reload
// (kept with the settings, and shown in the Settings panel), and a car with a ceiling (--max-speed) shows
// it on the control, which goes no further; a raw seed client asking for full speed drives that car at the
// ceiling (the bytes read off its link).

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { ByteRecorder } from '../support/byte-recorder.js';
import { WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForState } from './harness.js';
import { PROFILES, type Profile } from './profiles.js';

const speedShown = (page: Page) => page.locator('#speed').inputValue().then(Number);

/** Moves the speed slider from the keyboard: Home (1), then right `steps - 1` times. */
async function keySpeed(page: Page, step: number): Promise<void> {
  await page.locator('#speed').focus();
  await page.keyboard.press('Home');
  for (let i = 1; i < step; i++) await page.keyboard.press('ArrowRight');
}

/**
 * As a finger does it: down on the slider's left end, then slides right a few pixels at a time, watching
 * the number, and lifts when it reads `step` (or at the right end, where a ceiling stops it).
 */
async function slideSpeed(page: Page, step: number): Promise<void> {
  await page.locator('#speed').scrollIntoViewIfNeeded();
  const box = (await page.locator('#speed').boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const finger = (type: string, x: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ id: 1, x, y: box.y + box.height / 2 }] } as never);
  let x = box.x + 2;
  await finger('touchStart', x);
  while ((await speedShown(page)) !== step && x < box.x + box.width) await finger('touchMove', x += 3);
  await finger('touchEnd', x);
  await cdp.detach();
}

const setSpeed = (profile: Profile, page: Page, step: number) => (profile === 'a phone' ? slideSpeed(page, step) : keySpeed(page, step));
const press = (profile: Profile, page: Page, selector: string) =>
  (profile === 'a phone' ? page.locator(selector).tap() : page.locator(selector).click());

for (const [profile, options] of PROFILES) describe(`speed setting and ceiling (${profile})`, () => {
  let browser: Browser;
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    await ensureBuilt();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    await browser?.close();
  });

  it('a speed set to 6/15 is still 6/15 after a reload, in Settings too, and the buttons drive at 6', async () => {
    const server = await startServer('sim');
    closers.push(() => server.close());
    const context = await browser.newContext(options);
    closers.push(() => context.close());
    const page = await context.newPage();
    await openPage(page, server.url, 'driver');
    await setSpeed(profile, page, 6);
    assert.equal(await page.locator('#speed-value').textContent(), '6 / 15');
    // The reload alone: a second navigation right after it (openPage) raced its seat resume, and the second
    // load, without the resume token the first had spent, waited out the seat's resume window as a spectator.
    await page.reload();
    await page.locator('#st-conn[data-state="open"]').waitFor({ timeout: WAIT_MS });
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#speed').inputValue(), '6');
    assert.equal(await page.locator('#speed-value').textContent(), '6 / 15');
    await press(profile, page, '#open-settings');
    assert.equal(await page.locator('#set-speed').inputValue(), '6', 'the Settings panel shows the same speed');
    await page.keyboard.press('Escape');
    await press(profile, page, 'button.command-up');
    const moving = await waitForState(server.driver, (s) => s.direction === 'forward', 'forward from the button');
    assert.equal(moving.byte, 0x16, 'forward at 6');
  });

  it('with --max-speed 8 the control stops at 8 and says so, and a seed command with speed 15 drives at 8', async () => {
    const car = await ByteRecorder.start();
    closers.push(() => car.close());
    const server = await startServer(car.link, { maxSpeed: 8, resumeWindowMs: 0 });
    closers.push(() => server.close());
    await car.holds((b) => b === 0x00, 'the stop on connecting');

    const seed = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    await once(seed, 'open');
    seed.send('{"duration":1,"command":"up","speed":15}');
    await car.holds((b) => b === 0x18, 'forward at 8 (0x18)', WAIT_MS);
    seed.close();
    await once(seed, 'close');
    await car.holds((b) => b === 0x00, 'the stop when the seed client leaves', WAIT_MS);

    const context = await browser.newContext(options);
    closers.push(() => context.close());
    const page = await context.newPage();
    await openPage(page, server.url, 'driver');
    await page.locator('label[for="speed"]', { hasText: 'max 8 on this car' }).waitFor({ timeout: WAIT_MS });
    await setSpeed(profile, page, 15); // as far as it goes
    assert.equal(await page.locator('#speed').inputValue(), '8');
    assert.equal(await page.locator('#speed-value').textContent(), '8 / 15');
    await press(profile, page, 'button.command-up');
    await car.holds((b) => b === 0x18, 'the page\'s forward at 8', WAIT_MS);
    assert.ok(car.bytes.every((b) => (b.value & 0x0f) <= 8), `nothing faster than 8 reached the car: ${car.describe()}`);
  });
});
