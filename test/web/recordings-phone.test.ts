// The recordings page as people reach it, on a phone (320 and 412 px wide, touch) and a desktop: every
// session and its Show button on the screen with nothing to scroll sideways, the lobby's link to it, the
// car page's link to it (naming the car: ?car=NAME), and its Back link taking the person back to the car they came from (named), or
// to the lobby when they came from none.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { recordingAddOn } from '../../src/recording/add-on.js';
import { WAIT_MS, ensureBuilt, launchBrowser, startServer, watchPage, type ControlServer } from './harness.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
/** Two sessions: a whole one and one cut short, whose status is the longest thing a row says. */
const NAMES = ['2026-11-29T20-50-27.329Z_car_red.jsonl', '2026-11-29T19-50-27.329Z_car_red.jsonl'];

const PROFILES: Array<[string, BrowserContextOptions]> = [
  ['a 320 px phone', { viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['a 412 px phone', { viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['a desktop', { viewport: { width: 1280, height: 800 } }],
];

describe('the recordings page, as people reach it', () => {
  let server: ControlServer;
  let browser: Browser;
  let dir: string;

  before(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'webracer-friendly-page-rec-'));
    copyFileSync(FIXTURE, join(dir, NAMES[0]));
    writeFileSync(join(dir, NAMES[1]), readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 6).join('\n'));
    server = await startServer('sim', {
      cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }],
      addOns: [recordingAddOn({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 }, () => {})],
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [profile, options] of PROFILES) {
    describe(`on ${profile}`, () => {
      let page: Page;
      let errors: string[];
      before(async () => {
        page = await (await browser.newContext(options)).newPage();
        errors = watchPage(page).errors;
      });
      after(() => page.context().close());

      it('fits the screen: every Show button wholly visible, nothing to scroll sideways', async () => {
        await page.goto(`${server.url}recordings`);
        await page.locator('#list tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
        const width = options.viewport!.width;
        assert.ok(await page.evaluate('document.documentElement.scrollWidth') as number <= width, 'no sideways scroll');
        const table = page.locator('.table-scroll');
        assert.ok(await table.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the list does not scroll sideways either');
        for (const button of await page.locator('#list tbody button').all()) {
          // Where it is, with nothing scrolled sideways: a person sees it without hunting for it.
          const [left, right] = await button.evaluate((b) => [b.getBoundingClientRect().left, b.getBoundingClientRect().right]);
          assert.ok(left >= 0 && right <= width, `Show at ${left}..${right} of ${width} px`);
        }
        await page.locator('#list tbody button').nth(1).click(); // reachable, so a tap shows it
        await page.locator('#view').waitFor({ state: 'visible', timeout: WAIT_MS });
        assert.deepEqual(errors, []);
      });

      it('is linked from the lobby, and Back says it goes to the lobby when no car was left for it', async () => {
        await page.goto(server.url);
        await page.getByRole('link', { name: 'Recorded driving sessions' }).click();
        await page.waitForURL(/\/recordings$/, { timeout: WAIT_MS });
        const back = page.locator('#back');
        await back.filter({ hasText: 'Back to the lobby' }).waitFor({ timeout: WAIT_MS });
        await back.click();
        await page.locator('#cars li').first().waitFor({ timeout: WAIT_MS });
        assert.equal(new URL(page.url()).pathname, '/');
      });

      it('from a car page, Back goes back to that car and names it (its link says ?car=NAME)', async () => {
        await page.goto(`${server.url}car/blue?watch`);
        await page.getByRole('link', { name: 'Recorded driving sessions' }).click();
        await page.waitForURL(/\/recordings\?car=blue$/, { timeout: WAIT_MS });
        await page.locator('#back', { hasText: 'Back to blue' }).click();
        await page.waitForURL(/\/car\/blue$/, { timeout: WAIT_MS });
        await page.goto(`${server.url}recordings?car=red`);
        assert.equal(await page.locator('#back').getAttribute('href'), '/car/red');
        assert.equal(await page.locator('#back').textContent(), 'Back to red');
        // Leaving a page cuts its live feed (and a favicon still loading): nothing else may fail.
        assert.deepEqual(errors.filter((e) => !/^request failed: .*\/(api\/cars\/live|favicon\.svg)$/.test(e)), []);
      });
    });
  }
});
