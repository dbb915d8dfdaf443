// Who runs a race, as people see it on a phone and a desktop (issue 20 item 7; docs/races.md, "Who runs a
// race"): a spectator's page greys out Start and End and says who may, while a driver's page starts the
// race and calls it off; once it runs, a driver whose car is not in it cannot end it, and is told so. The server listens on 127.0.0.2, so Chromium (from 127.0.0.1) comes from "another
// machine": no page here is the marshal that a page on the server's own machine would be.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, watchPage, type ControlServer, type Watched } from './harness.js';
import { PROFILES } from './profiles.js';

describe('who runs a race', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  for (const [profile, options] of PROFILES) {
    describe(`on ${profile}`, () => {
      let server: ControlServer;
      const contexts: BrowserContext[] = [];
      const watched: Watched[] = [];
      let driver: Page;
      let spectator: Page;
      let late: Page;
      const press = (page: Page, name: string) => {
        const button = page.getByRole('button', { name });
        return profile === 'a phone' ? button.tap() : button.click();
      };

      before(async () => {
        server = await startServer('sim', { host: '127.0.0.2', cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }] });
        for (let i = 0; i < 3; i++) {
          const context = await browser.newContext(options);
          contexts.push(context);
          const page = await context.newPage();
          watched.push(watchPage(page));
        }
        [driver, spectator, late] = contexts.map((c) => c.pages()[0]);
        await openPage(driver, `${server.url}car/red`, 'driver');
        await openPage(spectator, `${server.url}car/red`, 'spectator');
      });
      after(async () => {
        for (const context of contexts) await context.close();
        await server?.close();
      });

      it('a spectator cannot start one, and the page says who can', async () => {
        const start = spectator.getByRole('button', { name: 'Start a race' });
        await spectator.locator('#race-who:not([hidden])').waitFor({ timeout: WAIT_MS });
        assert.match(await spectator.locator('#race-who').innerText(), /drivers and the marshal/);
        assert.equal(await start.isDisabled(), true, 'Start is greyed out');
        assert.equal(await spectator.locator('#race-laps').isDisabled(), true);
        assert.equal(server.raceway.race.message().phase, 'none');
      });

      it('the driver starts one (no hint on their page); the spectator sees the countdown but cannot call it off', async () => {
        assert.equal(await driver.locator('#race-who').isHidden(), true, 'a driver is not told they may not');
        await press(driver, 'Start a race');
        await spectator.locator('#countdown:not([hidden])').waitFor({ timeout: WAIT_MS });
        const callOff = spectator.getByRole('button', { name: 'Call the race off' });
        await callOff.waitFor({ timeout: WAIT_MS });
        assert.equal(await callOff.isDisabled(), true, 'the spectator\'s Call off is greyed out');
        await press(driver, 'Call the race off');
        await spectator.locator('#race-status', { hasText: 'called off' }).waitFor({ timeout: WAIT_MS });
        assert.equal(server.raceway.race.message().phase, 'none');
      });

      it('once it runs, a driver whose car is not in it cannot end it and is told so; a driver of a car in it ends it', async () => {
        await press(driver, 'Start a race');
        await driver.locator('#race-status', { hasText: 'Racing' }).waitFor({ timeout: WAIT_MS });
        await openPage(late, `${server.url}car/blue`, 'driver'); // blue had nobody at go: not in the race
        const end = late.getByRole('button', { name: 'End the race' });
        await end.waitFor({ timeout: WAIT_MS });
        assert.equal(await end.isDisabled(), true, 'End is greyed out for blue\'s driver');
        assert.match(await late.locator('#race-who').innerText(), /drivers of the cars in this race and the marshal/);
        assert.equal(await late.getByRole('button', { name: 'Start a race' }).isDisabled(), true, 'and no second race while one runs');
        assert.equal(await driver.locator('#race-who').isHidden(), true);
        await press(driver, 'End the race');
        await late.locator('#race-status', { hasText: 'Race over' }).waitFor({ timeout: WAIT_MS });
        assert.equal(await late.locator('#race-who').isHidden(), true, 'with no race, a driver may start one: nothing to explain');
        for (const w of watched) assert.deepEqual(w.errors, []);
      });
    });
  }
});
