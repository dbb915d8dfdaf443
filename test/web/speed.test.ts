// "Speed means the same everywhere" (docs/design.md): in headless Chromium against the real server on
// the simulated car, at every setting of the speed control, an arrow key, the Forward button, a full
// gamepad stick and a full joystick deflection give the car the same speed step (the server's Driver
// state), and a gamepad stick just past its own dead zone moves the car (it used to need about 28 %).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { holdKnobWithMouse, waitForState, withPage, type ControlServer, type Watched } from './harness.js';

describe('every input gives the speed control\'s step (desktop, simulated car)', () => {
  let server: ControlServer;
  let page: Page;
  let watched: Watched;
  // the Forward button holds until Stop
  withPage({ server: { maxHoldMs: 10_000 }, hooks: true, open: 'driver' }, async (r) => {
    ({ server, page, watched } = r);
    await page.locator('#hold').fill('10');
  });

  const forwardAt = (step: number, what: string) =>
    waitForState(server.driver, (s) => s.direction === 'forward' && s.speed === step, `${what}: forward at speed ${step}`);
  const stopped = (what: string) => waitForState(server.driver, (s) => s.direction === 'stop', `${what}: stopped`);
  const setStick = (x: number, y: number) => page.evaluate(`window.testPad.axes = [${x}, ${y}, 0, 0]`);
  const focusPage = () => page.locator('body').click({ position: { x: 5, y: 780 } }); // off the slider, which owns the arrows

  it('at every setting from 1 to 15: the arrow key, the Forward button, a full stick and a full joystick', async () => {
    for (let step = 1; step <= 15; step++) {
      await page.locator('#speed').fill(String(step));
      await focusPage();

      await page.keyboard.down('ArrowUp');
      await forwardAt(step, 'ArrowUp');
      await page.keyboard.up('ArrowUp');
      await stopped('ArrowUp let go');

      await page.getByRole('button', { name: 'Forward' }).click();
      await forwardAt(step, 'the Forward button');
      await page.locator('#stop').click();
      await stopped('Stop');

      await setStick(0, -1);
      await forwardAt(step, 'a full gamepad stick');
      await setStick(0, 0);
      await stopped('the stick centred');

      await holdKnobWithMouse(page, 0, -1);
      await forwardAt(step, 'a full joystick');
      await page.mouse.up();
      await stopped('the joystick let go');
    }
    assert.deepEqual(watched.errors, []);
  });

  it('a gamepad stick just past its dead zone (20 % against 15 %) moves the car at speed 1', async () => {
    await page.locator('#speed').fill('15');
    await setStick(0, -0.2);
    const state = await waitForState(server.driver, (s) => s.direction === 'forward', 'a small push to move the car');
    assert.equal(state.speed, 1);
    await setStick(0, 0);
    await stopped('the stick centred');
  });
});
