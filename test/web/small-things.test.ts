// The car page's small things a person notices (issue 20 item 9), on a phone and a desktop: a remapped key
// is swapped visibly, never silently taken, and the footer says which key does what; the skip link lands
// on Stop; starting a race keeps the keyboard's place; the "not reachable" banner shows wherever the page is
// scrolled without covering Stop; an unknown car's address answers a page listing the cars; the knob and
// the trail wear the car's colour; the map is titled by what it shows.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WAIT_MS, ensureBuilt, installTestHooks, launchBrowser, openPage, startServer, type ControlServer } from './harness.js';
import { PROFILES } from './profiles.js';

const CARS = [{ name: 'red', link: 'sim', codec: 'iracer' as const }, { name: 'blue', link: 'sim', codec: 'iracer' as const }];
const BLUE = 'rgb(30, 136, 229)'; // #1e88e5: blue's colour (src/control/car-colours.ts)

describe('the small things a person notices', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  for (const [profile, options] of PROFILES) {
    describe(`on ${profile}`, () => {
      let server: ControlServer;
      let page: Page;
      before(async () => {
        server = await startServer('sim', { cars: CARS });
        const context = await browser.newContext(options);
        await installTestHooks(context);
        page = await context.newPage();
        await openPage(page, `${server.url}car/blue`, 'driver');
      });
      after(async () => {
        await page?.context().close();
        await server?.close();
      });

      it('a key taken for another action is swapped visibly, and the footer says which key does what', async () => {
        await page.locator('#open-settings').click();
        const backward = page.locator('#settings button[data-action="backward"][data-slot="0"]');
        await backward.click();
        await page.keyboard.press('KeyW'); // Forward's second key
        await page.locator('#settings .settings-status', { hasText: 'Backward: W. It was Forward\'s key: Forward now has ↓.' })
          .waitFor({ timeout: WAIT_MS });
        assert.equal(await page.locator('#settings button[data-action="forward"][data-slot="1"]').textContent(), '↓');
        await page.keyboard.press('Escape');
        await page.locator('dialog#settings').waitFor({ state: 'hidden', timeout: WAIT_MS });
        const help = (await page.locator('#key-help').textContent())!.replace(/\s+/g, ' ');
        assert.match(help, /↑ ↓ forward, W S backward, ← A left, → D right while held; Space stops\./);
      });

      it('the skip link lands on the controls (the joystick, named), and the next Tab is Stop', async () => {
        await openPage(page, `${server.url}car/blue`, 'driver'); // as a person arrives
        await page.locator('#stop:not([disabled])').waitFor({ timeout: WAIT_MS });
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to the controls');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate('document.activeElement.id'), 'drive', 'focus on the joystick and Stop, not left on the page');
        const box = (await page.locator('svg.joystick').boundingBox())!;
        assert.ok(box.y >= 0, 'the joystick is not scrolled past');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate('document.activeElement.id'), 'stop');
      });

      it('starting a race from the keyboard keeps focus on the race\'s controls, not the page', async () => {
        await page.locator('#race-laps').fill('1');
        await page.locator('#race-start:not([disabled])').focus();
        await page.keyboard.press('Enter');
        await page.locator('#race-end:not([hidden])').waitFor({ timeout: WAIT_MS });
        assert.equal(await page.evaluate('document.activeElement.id'), 'race-end', 'on "Call the race off"');
        await page.keyboard.press('Enter'); // calls it off
        await page.locator('#race-start:not([disabled])').waitFor({ timeout: WAIT_MS });
        assert.equal(await page.evaluate('document.activeElement.id'), 'race-start', 'back on "Start a race"');
      });

      it('the knob and the trail wear this car\'s colour; the map is titled by what it shows', async () => {
        assert.equal(await page.evaluate('getComputedStyle(document.querySelector("svg.joystick .knob")).fill'), BLUE);
        assert.equal(await page.evaluate('getComputedStyle(document.querySelector("#map path.trail")).stroke'), BLUE);
        assert.equal(await page.locator('#map-title').textContent(), 'Arena: every simulated car');
      });

      it('an unknown car\'s address answers 404 with a page that links to every car', async () => {
        const other = await page.context().newPage();
        const response = (await other.goto(`${server.url}car/purple`))!;
        assert.equal(response.status(), 404);
        assert.match(response.headers()['content-type'], /^text\/html/);
        assert.match(await other.locator('h1').textContent() ?? '', /No car named purple/);
        assert.deepEqual(await other.locator('a[href^="/car/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href'))), ['/car/red', '/car/blue']);
        await other.getByRole('link', { name: 'red' }).click();
        await other.waitForURL(/\/car\/red$/, { timeout: WAIT_MS });
        await other.close();
      });

      it('the "not reachable" banner shows wherever the page is scrolled, and Stop stays wholly uncovered', async () => {
        await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
        await server.close();
        const banner = page.locator('#offline');
        await banner.waitFor({ timeout: WAIT_MS });
        const seen = await page.evaluate(`(() => {
          const b = document.querySelector('#offline').getBoundingClientRect();
          const s = document.querySelector('#stop').getBoundingClientRect();
          const overlap = !(b.right <= s.left || s.right <= b.left || b.bottom <= s.top || s.bottom <= b.top);
          return { inView: b.top >= 0 && b.bottom <= innerHeight && b.height > 0, overlap };
        })()`);
        assert.deepEqual(seen, { inView: true, overlap: false });
      });
    });
  }
});
