// The camera page knows which car it serves (issue 20 item 4), on a phone and a desktop: with several
// cars `/camera` asks which car the phone is on instead of silently becoming the first car's camera; the
// page shows the car's name and colour; a refusal names the car, never a connection id.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCREENSHOTS, WAIT_MS, ensureBuilt, startServer, type ControlServer } from './harness.js';
import { PROFILES } from './profiles.js';
import { launchVideoBrowser } from './video-harness.js';

const CARS = [{ name: 'red', link: 'sim', codec: 'iracer' as const }, { name: 'blue', link: 'sim', codec: 'iracer' as const }];
const BLUE = 'rgb(30, 136, 229)'; // #1e88e5: blue's colour (src/control/race/car-colours.ts)

describe('the camera page names the car it serves', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launchVideoBrowser();
  });
  after(() => browser?.close());

  for (const [profile, options] of PROFILES) {
    describe(`on ${profile}`, () => {
      let server: ControlServer;
      const contexts: BrowserContext[] = [];
      const phone = async (): Promise<Page> => {
        const context = await browser.newContext({ ...options, permissions: ['camera'] });
        contexts.push(context);
        return context.newPage();
      };
      const cameraOf = async (name: string) => {
        const cars = await (await fetch(`${server.url}api/cars`)).json() as Array<{ name: string; video: { camera: string | null } }>;
        return cars.find((c) => c.name === name)!.video.camera;
      };
      before(async () => {
        server = await startServer('sim', { cars: CARS });
      });
      after(async () => {
        for (const context of contexts) await context.close();
        await server?.close();
      });

      it('with several cars, /camera asks which car, and the chosen car\'s page shows its name and colour', async () => {
        const page = await phone();
        await page.goto(`${server.url}camera`);
        const pick = page.locator('#car-pick');
        await pick.waitFor({ timeout: WAIT_MS });
        assert.deepEqual(await page.locator('#car-pick-list a').allInnerTexts(), ['Be red\'s camera', 'Be blue\'s camera']);
        assert.equal(await cameraOf('red'), null, 'no car got a camera before the person chose');
        const shot = (name: string) => profile === 'a phone' && page.screenshot({ path: join(SCREENSHOTS, name) });
        mkdirSync(SCREENSHOTS, { recursive: true });
        await shot('camera-pick-phone.png');
        const blue = page.locator('#car-pick-list a', { hasText: 'blue' });
        await (profile === 'a phone' ? blue.tap() : blue.click());
        await page.waitForURL(/\/car\/blue\/camera$/, { timeout: WAIT_MS });
        await page.locator('#cam-state[data-state="streaming"]').waitFor({ timeout: WAIT_MS });
        assert.equal(await page.locator('#cam-car-name').innerText(), 'blue');
        assert.equal(await page.evaluate('getComputedStyle(document.querySelector("#cam-car .car-swatch")).backgroundColor'), BLUE);
        assert.equal(await page.locator('#cam-car').isVisible(), true);
        assert.match(await page.title(), /^blue's camera/);
        await shot('camera-car-phone.png');
        assert.notEqual(await cameraOf('blue'), null);
        assert.equal(await cameraOf('red'), null, 'the first car did not get it');
      });

      it('a second camera for the same car is refused in words that name the car, never a connection id', async () => {
        const page = await phone();
        await page.goto(`${server.url}car/blue/camera`);
        await page.locator('#cam-state[data-state="refused"]').waitFor({ timeout: WAIT_MS });
        const text = await page.locator('#cam-message').innerText();
        assert.match(text, /^blue already has a camera/);
        assert.doesNotMatch(text, /\bc\d+\b/, 'no connection id');
      });
    });
  }
});
