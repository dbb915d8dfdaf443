// The controller page in headless Chromium against the real control server on the simulated car:
// joystick, stop button, keyboard, raw byte, a spectator, and the desktop screenshot for the README.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  SCREENSHOTS, WAIT_MS, holdKnobWithMouse, openPage, startServer, waitForPose, waitForState, watchPage,
  withPage, type ControlServer, type Watched,
} from './harness.js';

describe('controller page (desktop, simulated car)', () => {
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  let watched: Watched;
  // long holds: only the Stop button can end them in time; named on an earlier visit (the screenshot shows the page of most days)
  const rig = withPage({ server: { maxHoldMs: 10_000 }, name: 'Ada' }, (r) => ({ server, browser, page, watched } = r));

  const drives = () => watched.sent.filter((f) => f.message.type === 'drive');
  const motion = (p: Page, text: string) => p.locator('#st-motion', { hasText: text }).waitFor({ timeout: WAIT_MS });

  it('loads with no console errors, connects and takes the empty driver seat', async () => {
    await openPage(page, server.url, 'driver');
    await page.locator('#st-link[data-state="connected"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#map').isVisible(), true, 'the simulator map is shown for the sim link');
    assert.equal(await page.locator('#take-over').isVisible(), false);
    await page.locator('#st-latency', { hasText: 'ms' }).waitFor({ timeout: WAIT_MS }); // a ping came back
    assert.deepEqual(watched.errors, []);
  });

  it('dragging the knob up drives forward, re-sending while held; releasing stops', async () => {
    const before = drives().length;
    const startY = server.driver.pose?.y ?? 0;
    await holdKnobWithMouse(page, 0, -1);
    await waitForState(server.driver, (s) => s.direction === 'forward' && s.speed === 15, 'forward at full speed');
    await waitForPose(server.driver, (p) => p.y > startY + 0.3, 'the car to move forward');
    await motion(page, 'forward');
    // Held still for three watchdog periods: only the page's steady re-sending keeps the car going.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(server.driver.state.direction, 'forward', 'still driving while held');
    const held = drives().slice(before);
    assert.ok(held.length >= 10, `drive messages re-sent while held (got ${held.length})`);
    const lastDrive = held[held.length - 1].message;
    assert.deepEqual(lastDrive, { type: 'drive', x: 0, y: 1 });

    await page.mouse.up();
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop after release');
    await motion(page, 'stopped');
    // An explicit stop, not the watchdog (which would leave "drive" as the last command).
    await page.locator('#st-last[data-state="stop"]').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(watched.sent.filter((f) => f.message.type !== 'ping').pop()?.message, { type: 'stop' });
    await page.waitForFunction('getComputedStyle(document.querySelector("svg.joystick .knob")).transform === "matrix(1, 0, 0, 1, 0, 0)"',
      undefined, { timeout: WAIT_MS });
  });

  it('the command buttons send the seed commands at the chosen speed; the stop button stops them', async () => {
    await page.locator('#speed').fill('8');
    await page.locator('#hold').fill('10');
    await page.getByRole('button', { name: 'Forward' }).click();
    const state = await waitForState(server.driver, (s) => s.direction === 'forward', 'the Forward command');
    assert.equal(state.byte, 0x18, 'forward at speed 8 is 0x18 on an i-Racer');
    const sent = watched.sent.filter((f) => 'command' in f.message).pop()?.message;
    assert.deepEqual(sent, { command: 'up', duration: 10, speed: 8 });
    await page.getByRole('button', { name: 'Stop' }).click();
    // The command holds for 10 s: only the stop button can end it within the wait.
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop from the stop button', 5000);
    await motion(page, 'stopped');
    await page.locator('#hold').fill('0.5');
  });

  it('keyboard: arrows and WASD drive while held, combine, and space stops', async () => {
    await page.locator('#speed').fill('15');
    await page.locator('body').click({ position: { x: 5, y: 780 } }); // focus off the slider (it owns the arrows)
    await page.keyboard.down('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'forward' && s.speed === 15, 'forward from ArrowUp');
    await page.keyboard.down('ArrowRight');
    await waitForState(server.driver, (s) => s.direction === 'forward-right', 'forward-right from Up + Right');
    await new Promise((r) => setTimeout(r, 1000)); // two watchdog periods: held keys keep it fed
    assert.equal(server.driver.state.direction, 'forward-right');
    await page.keyboard.up('ArrowRight');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'back to forward');
    await page.keyboard.up('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop when no key is held');
    await page.locator('#st-last[data-state="stop"]').waitFor({ timeout: WAIT_MS }); // sent, not the watchdog

    await page.keyboard.down('s');
    await waitForState(server.driver, (s) => s.direction === 'backward', 'backward from S');
    await page.keyboard.press('Space');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop from Space while S is still held');
    await page.keyboard.up('s');
  });

  it('the raw byte field sends a valid byte and explains an invalid one', async () => {
    await page.locator('#raw-byte').fill('0x26');
    await page.locator('#raw-byte').press('Enter');
    await waitForState(server.driver, (s) => s.byte === 0x26, 'the raw byte 0x26');
    const count = watched.sent.length;
    await page.locator('#raw-byte').fill('300');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#raw-byte[aria-invalid="true"]').waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('#raw-error').innerText(), /at most 255/);
    assert.equal(watched.sent.slice(count).filter((f) => f.message.command === 'raw').length, 0);
    await page.locator('#raw-byte').fill('');
    assert.equal(await page.locator('#raw-byte').getAttribute('aria-invalid'), null, 'typing clears the error');
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop');
  });

  it('a second page is a spectator: it cannot drive, and it sees the driver move the car', async () => {
    const other = await browser.newContext({ viewport: { width: 800, height: 900 } });
    try {
      const spectator = await other.newPage();
      const seen = watchPage(spectator);
      await openPage(spectator, server.url, 'spectator');
      assert.equal(await spectator.getByRole('button', { name: 'Forward' }).isDisabled(), true, 'commands are disabled');
      assert.equal(await spectator.locator('#stop').isDisabled(), false, 'anyone allowed to drive may stop');
      // The driver stopped the car moments ago: a claim would be refused, so no Take over, but when it will be.
      await spectator.locator('#take-over-when', { hasText: 'idle 15 s' }).waitFor({ timeout: WAIT_MS });
      assert.equal(await spectator.locator('#take-over').isVisible(), false);
      await spectator.keyboard.down('ArrowUp');
      await new Promise((r) => setTimeout(r, 300)); // a driver's page would have sent several by now
      await spectator.keyboard.up('ArrowUp');
      assert.equal(seen.sent.filter((f) => f.message.type === 'drive').length, 0, 'a spectator sends no drive messages');

      const readout = await spectator.locator('#pose-readout').innerText();
      await holdKnobWithMouse(page, 0, -1);
      await motion(spectator, 'forward');
      await spectator.locator('#pose-readout').filter({ hasNotText: readout }).waitFor({ timeout: WAIT_MS }); // the map moved
      await page.mouse.up();
      await motion(spectator, 'stopped');
      assert.deepEqual(seen.errors, []);
    } finally {
      await other.close();
    }
  });

  it('saves a desktop screenshot of a drive in progress', async () => {
    await holdKnobWithMouse(page, 0.55, -0.8);
    await waitForState(server.driver, (s) => s.direction === 'forward-right', 'a curve');
    const start = server.driver.pose?.heading ?? 0;
    await waitForPose(server.driver, (p) => Math.abs(p.heading - start) > 1.2, 'the car to turn');
    await page.waitForTimeout(150); // the map redraws on the next animation frame
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'desktop.png') });
    await page.mouse.up();
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop after release');
    assert.deepEqual(watched.errors, [], 'no console errors during the whole session');
  });

  it('a gamepad\'s left stick drives, its dead zone rests, and B stops', async () => {
    // Headless Chromium has no pads: stand one in for the Gamepad API and announce it as a browser would.
    await page.evaluate(`(() => {
      const pad = { id: 'Test pad (STANDARD GAMEPAD)', index: 0, connected: true, mapping: 'standard', timestamp: 0,
        axes: [0, 0, 0, 0], buttons: Array.from({ length: 17 }, () => ({ pressed: false, touched: false, value: 0 })) };
      window.testPad = pad;
      Object.defineProperty(navigator, 'getGamepads', { configurable: true, value: () => [pad, null, null, null] });
      window.dispatchEvent(new Event('gamepadconnected'));
    })()`);
    await page.locator('#gamepad-note', { hasText: 'Test pad' }).waitFor({ timeout: WAIT_MS });
    await page.evaluate('window.testPad.axes = [0.05, -0.1, 0, 0]'); // a resting stick, inside the dead zone
    await new Promise((r) => setTimeout(r, 300)); // the point: nothing drives meanwhile
    assert.equal(server.driver.state.direction, 'stop');
    await page.evaluate('window.testPad.axes = [0, -1, 0, 0]');
    await waitForState(server.driver, (s) => s.direction === 'forward' && s.speed === 15, 'forward from the stick');
    await new Promise((r) => setTimeout(r, 1000)); // a stick held still is re-sent like the joystick
    assert.equal(server.driver.state.direction, 'forward');
    await page.evaluate('window.testPad.axes = [0, 0, 0, 0]');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop when the stick is let go');
    await page.evaluate('window.testPad.axes = [-1, 0, 0, 0]');
    await waitForState(server.driver, (s) => s.direction === 'left', 'left from the stick');
    await page.evaluate('window.testPad.buttons[1].pressed = true');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop from B while the stick is held');
    await page.evaluate('window.testPad.buttons[1].pressed = false; window.testPad.axes = [0, 0, 0, 0]');
  });

  it('is usable from the keyboard alone: a skip link first, visible focus, Enter presses, Space stops', async () => {
    // A click after the last control: the next Tab starts again from the top of the page.
    await page.locator('footer.help').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to the controls');
    let onForward = false;
    for (let i = 0; i < 15 && !onForward; i++) {
      await page.keyboard.press('Tab');
      onForward = await page.evaluate('document.activeElement.getAttribute("aria-label") === "Forward"') === true;
    }
    assert.ok(onForward, 'Tab reaches the Forward button');
    assert.equal(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'solid', 'focus is visible');
    await page.locator('#hold').evaluate('(el) => { el.value = "10"; }');
    await page.keyboard.press('Enter');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward from Enter on the button');
    await page.keyboard.press('Space');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop from Space', 5000);
    await page.locator('#hold').fill('0.5');
  });

  it('reconnects by itself after the server restarts, and drives again', async () => {
    const port = server.port;
    await server.close();
    await page.locator('#st-conn[data-state="reconnecting"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#stop').isDisabled(), true, 'no controls without a server');
    server = rig.server = await startServer('sim', { port, maxHoldMs: 10_000 });
    await page.locator('#st-conn[data-state="open"]').waitFor({ timeout: 20_000 });
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    await page.locator('body').click({ position: { x: 5, y: 780 } });
    await page.keyboard.down('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward on the new server');
    await page.keyboard.up('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop');
    // While the server was away Chromium logs each refused attempt; nothing else may appear.
    const others = watched.errors.filter((e) => !/WebSocket connection to '.*' failed/.test(e));
    assert.deepEqual(others, []);
  });
});
