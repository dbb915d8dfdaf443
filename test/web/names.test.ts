// Names that stay, and notices and the map that keep up with a race (issue 20 items 1 and 7), on a phone
// and a desktop: the page asks for a name once and keeps it (or the server gives a default, never a
// connection id); a race's results keep a driver's name after they left; the map draws no line to the
// grid slot a race puts the car on; a notice goes when it stops being true, not 5 s later.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { CarListing } from '../../src/control/protocol/messages.js';
import {
  SCREENSHOTS, WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForPose, waitForState, watchPage, type ControlServer, type Watched,
} from './harness.js';

const PROFILES: Array<[string, string, BrowserContextOptions]> = [
  ['a phone', 'phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['a desktop', 'desktop', { viewport: { width: 1280, height: 800 } }],
];

/** Waits until the server lists `car` driven by someone whose name passes `ok` (GET /api/cars). */
async function driverNameOf(server: ControlServer, car: string, ok: (name: string | null) => boolean): Promise<string | null> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const cars = (await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[];
    const name = cars.find((c) => c.name === car)?.driverName ?? null;
    if (ok(name)) return name;
    if (Date.now() > deadline) throw new Error(`${car}'s driver is ${JSON.stringify(name)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The points of this page's trail on the map, in metres (world frame), or [] when there is none. */
async function trail(page: Page): Promise<Array<[number, number]>> {
  const d = await page.locator('path.trail').getAttribute('d');
  if (!d) return [];
  return d.slice(1).split('L').map((p) => p.split(',').map(Number)).map(([x, y]) => [x, -y] as [number, number]);
}

describe('names that stay; notices and the map that keep up with a race', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  for (const [profile, shot, options] of PROFILES) {
    describe(`on ${profile}`, () => {
      let server: ControlServer;
      const contexts: BrowserContext[] = [];
      const watched: Watched[] = [];
      let ada: Page;
      let bo: Page;
      const open = async () => {
        const context = await browser.newContext(options);
        contexts.push(context);
        const page = await context.newPage();
        watched.push(watchPage(page));
        return page;
      };
      before(async () => {
        mkdirSync(SCREENSHOTS, { recursive: true });
        server = await startServer('sim', {
          cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }],
          resumeWindowMs: 0, // a closed page frees its seat at once
        });
        server.raceway.race.countdownMs = 2500; // long enough to see the countdown's notice, and short
        [ada, bo] = [await open(), await open()];
      });
      after(async () => {
        for (const context of contexts) await context.close();
        await server?.close();
      });

      it('asks for a name once: saved, it is kept across a reload, shown by the server and changed in Settings', async () => {
        await openPage(ada, new URL('/car/red', server.url).href, 'driver');
        const prompt = ada.locator('#name-prompt');
        await prompt.waitFor({ state: 'visible', timeout: WAIT_MS });
        if (shot === 'phone') await ada.screenshot({ path: join(SCREENSHOTS, 'name-prompt-phone.png') });
        await prompt.getByLabel('Your name').fill('Ada');
        await prompt.getByRole('button', { name: 'Save' }).click();
        await prompt.waitFor({ state: 'hidden', timeout: WAIT_MS });
        await driverNameOf(server, 'red', (n) => n === 'Ada');
        await ada.reload();
        await ada.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
        await driverNameOf(server, 'red', (n) => n === 'Ada'); // a new connection: the page told it again
        assert.equal(await prompt.isVisible(), false, 'not asked again');
        await ada.getByRole('button', { name: 'Settings' }).click();
        const field = ada.locator('#settings').getByLabel('Your name');
        assert.equal(await field.inputValue(), 'Ada');
        await field.fill('Ada L');
        await field.press('Tab');
        await driverNameOf(server, 'red', (n) => n === 'Ada L');
        await field.fill('Ada\u0007');
        await field.press('Tab');
        await ada.locator('.settings-status', { hasText: 'no line breaks or control characters' }).waitFor({ timeout: WAIT_MS });
        await ada.keyboard.press('Escape');
        assert.equal(await driverNameOf(server, 'red', () => true), 'Ada L', 'a refused name changes nothing');
      });

      it('skipped: the server\'s default name (Driver N), never a connection id; not asked again; a bad name is refused with the reason', async () => {
        await openPage(bo, new URL('/car/blue', server.url).href, 'driver');
        const prompt = bo.locator('#name-prompt');
        await prompt.getByLabel('Your name').fill('   ');
        await prompt.getByLabel('Your name').fill('B\u0007o');
        await prompt.getByRole('button', { name: 'Save' }).click();
        await prompt.locator('.field-error', { hasText: 'control characters' }).waitFor({ timeout: WAIT_MS });
        await prompt.getByRole('button', { name: 'Skip' }).click();
        await prompt.waitFor({ state: 'hidden', timeout: WAIT_MS });
        assert.match(await driverNameOf(server, 'blue', (n) => n !== null) ?? '', /^Driver \d+$/);
        await bo.reload();
        await bo.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
        assert.equal(await prompt.isVisible(), false, 'a skip is an answer');
        await bo.getByRole('button', { name: 'Settings' }).click();
        await bo.locator('#settings').getByLabel('Your name').fill('Bo');
        await bo.locator('#settings').getByLabel('Your name').press('Tab');
        await driverNameOf(server, 'blue', (n) => n === 'Bo');
        await bo.keyboard.press('Escape');
      });

      it('a race: no line to the grid on the map, the hold\'s notice gone at go, and a driver\'s name in the results after they left', async () => {
        // Ada drives off the grid first: her trail is a line from the start.
        const red = server.fleet.get('red')!.driver;
        await ada.keyboard.down('ArrowUp');
        await waitForPose(red, (p) => p.y > 0.6, 'red to drive forward');
        await ada.keyboard.up('ArrowUp');
        await waitForState(red, (s) => s.direction === 'stop', 'red to stop');
        assert.ok((await trail(ada)).length > 1, 'a trail before the race');

        await ada.getByRole('button', { name: 'Start a race' }).click();
        await ada.locator('#notice', { hasText: 'race is about to start' }).waitFor({ timeout: WAIT_MS });
        await ada.locator('#countdown:not([hidden])').waitFor({ timeout: WAIT_MS });
        await waitForPose(red, (p) => p.y < 0.01, 'red back on its grid slot');
        await ada.waitForFunction(`document.querySelector('.track .car')?.getAttribute('transform')?.startsWith('translate(0,')`);
        assert.deepEqual(await trail(ada), [], 'put on the grid: no line drawn to it');
        // At go the hold is over, and so is its notice (not 5 s after it came).
        const atGo = await ada.waitForFunction(`document.querySelector('#race-status').textContent.startsWith('Racing')
          && { notice: document.querySelector('#notice').textContent }`, undefined, { timeout: WAIT_MS });
        assert.deepEqual(await atGo.jsonValue(), { notice: '' });
        await ada.keyboard.down('ArrowUp');
        await waitForPose(red, (p) => p.y > 0.3, 'red to drive after go');
        await ada.keyboard.up('ArrowUp');
        const [start] = await trail(ada);
        assert.ok(Math.hypot(start[0], start[1]) < 0.05, `the trail starts on the grid slot, not where red was before: ${start}`);

        // Bo leaves mid-race: blue is out, and still Bo's.
        const blueRow = ada.locator('#standings tbody tr[data-car="blue"]');
        await blueRow.locator('td', { hasText: 'Bo' }).waitFor({ timeout: WAIT_MS });
        await bo.close();
        await ada.locator('#standings tbody tr[data-car="blue"][data-status="out"]').waitFor({ timeout: WAIT_MS });
        await ada.getByRole('button', { name: 'End the race' }).click();
        await ada.locator('#race-status', { hasText: 'Race over' }).waitFor({ timeout: WAIT_MS });
        assert.equal(await blueRow.locator('td').nth(2).innerText(), 'Bo', 'the result keeps the name of a driver who left');
        assert.match(await ada.locator('#race-status').innerText(), /ended by Ada L/);
        if (shot === 'desktop') {
          await ada.evaluate(`document.querySelector('#notice').textContent = ''`); // a passing notice of the drive above is not the picture's subject
          await ada.screenshot({ path: join(SCREENSHOTS, 'race-names.png'), fullPage: true });
        }
        assert.deepEqual(watched.flatMap((w) => w.errors).filter((e) => !e.includes('/api/cars/live')), []); // the fleet strip's feed, cut by a reload
      });
    });
  }
});

describe('the seat\'s notice goes when the seat passes', () => {
  let browser: Browser;
  let server: ControlServer;
  before(async () => {
    await ensureBuilt();
    browser = await launchBrowser();
    server = await startServer('sim', { resumeWindowMs: 0 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [profile, , options] of PROFILES) {
    it(`on ${profile}: "someone else is driving" goes the moment the seat is this page's`, async () => {
      const ada = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      await new Promise((resolve, reject) => { ada.once('message', resolve); ada.once('error', reject); }); // welcome: the driver
      const driving = setInterval(() => ada.send(JSON.stringify({ type: 'drive', x: 0, y: 0 })), 200);
      const context = await browser.newContext(options);
      try {
        const page = await context.newPage();
        await openPage(page, server.url, 'spectator');
        await page.locator('#name-prompt').getByRole('button', { name: 'Skip' }).click();
        // A claim that crossed the driver's next input: the button as it was a moment before.
        await page.evaluate(`document.querySelector('#take-over').click()`);
        await page.locator('#notice', { hasText: 'Someone else is driving' }).waitFor({ timeout: WAIT_MS });
        clearInterval(driving);
        ada.close(); // the seat passes to the page, next in line
        const passed = await page.waitForFunction(`document.querySelector('#st-role').dataset.state === 'driver'
          && { notice: document.querySelector('#notice').textContent }`, undefined, { timeout: WAIT_MS });
        assert.deepEqual(await passed.jsonValue(), { notice: '' });
      } finally {
        clearInterval(driving);
        ada.close();
        await context.close();
      }
    });
  }
});
