// Several cars in the browser: the lobby, two pages each driving its own simulated car at once, the
// arena on both maps, switching cars, and a race's countdown and leaderboard on every page.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForPose, waitForState, watchPage, type ControlServer, type Watched,
} from './harness.js';

describe('several cars: lobby, two drivers at once, a race', () => {
  let server: ControlServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let lobby: Page;
  let red: Page;
  let blue: Page;
  const watched: Watched[] = [];

  before(async () => {
    await ensureBuilt();
    server = await startServer('sim', {
      cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'rc-app' }],
      resumeWindowMs: 0, // a closed page frees its seat at once
    });
    browser = await launchBrowser();
    const page = async () => {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      contexts.push(context);
      const p = await context.newPage();
      watched.push(watchPage(p));
      return p;
    };
    [lobby, red, blue] = [await page(), await page(), await page()];
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const card = (car: string) => lobby.locator(`.lobby-car[data-car="${car}"]`);

  it('the lobby lists every car with its state, live, with a way to drive or watch each', async () => {
    await lobby.goto(server.url);
    await lobby.locator('#feed-state[data-state="open"]').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(await lobby.locator('.lobby-car h2').allInnerTexts(), ['red', 'blue']);
    await card('blue').locator('.lobby-seat', { hasText: 'free to drive' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await card('blue').getByRole('link', { name: 'Drive blue' }).getAttribute('href'), '/car/blue');
    assert.equal(await card('blue').getByRole('link', { name: 'Watch blue' }).getAttribute('href'), '/car/blue?watch');
    assert.match(await card('red').locator('.lobby-link').innerText(), /sim · connected/);
  });

  it('two pages drive their own cars at the same time; each map shows both cars in their colours', async () => {
    await openPage(red, new URL('/car/red', server.url).href, 'driver');
    await openPage(blue, new URL('/car/blue', server.url).href, 'driver');
    await card('red').locator('.lobby-seat', { hasText: 'driven by' }).waitFor({ timeout: WAIT_MS });
    await card('blue').locator('.lobby-seat', { hasText: 'driven by' }).waitFor({ timeout: WAIT_MS });

    const redCar = server.fleet.get('red')!.driver;
    const blueCar = server.fleet.get('blue')!.driver;
    const [redStart, blueStart] = [redCar.pose!, blueCar.pose!];
    await Promise.all([red.keyboard.down('ArrowUp'), blue.keyboard.down('ArrowUp')]);
    await Promise.all([
      waitForPose(redCar, (p) => p.y > redStart.y + 0.5, 'red to drive forward'),
      waitForPose(blueCar, (p) => p.y > blueStart.y + 0.5, 'blue to drive forward'),
    ]);
    assert.equal(redCar.state.direction, 'forward');
    assert.equal(blueCar.state.direction, 'forward', 'both at once');
    // Each page draws the other car from the arena's poses, in that car's colour.
    await red.locator('.other-car[data-car="blue"][fill="#1e88e5"]').waitFor({ timeout: WAIT_MS });
    await blue.locator('.other-car[data-car="red"][fill="#e53935"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await red.locator('.circuit .start-line').count(), 1, 'the circuit is on the map');
    assert.equal(await red.locator('.circuit .checkpoint').count(), 3);
    await Promise.all([red.keyboard.up('ArrowUp'), blue.keyboard.up('ArrowUp')]);
    await Promise.all([
      waitForState(redCar, (s) => s.direction === 'stop', 'red to stop'),
      waitForState(blueCar, (s) => s.direction === 'stop', 'blue to stop'),
    ]);
    // The strip of other cars: blue's page sees red driven, and links to it.
    const other = blue.locator('#fleet .fleet-car[data-car="red"]');
    await other.locator('.fleet-seat', { hasText: 'driven by' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await other.locator('a.car-name').getAttribute('href'), '/car/red');
    assert.equal(await blue.locator('#fleet [aria-current="page"]').getAttribute('data-car'), 'blue');
  });

  it('a race started on one page counts down on every page, holds the cars, then shows the leaderboard', async () => {
    await red.locator('#race-laps').fill('2');
    await red.getByRole('button', { name: 'Start a race' }).click();
    await Promise.all([red, blue].map((p) => p.locator('#countdown:not([hidden])').waitFor({ timeout: WAIT_MS })));
    // The countdown covers the page but takes no press: a press on Stop reaches Stop.
    const hit = await blue.evaluate(`(() => {
      const stop = document.querySelector('#stop').getBoundingClientRect();
      const at = document.elementFromPoint(stop.x + stop.width / 2, stop.y + stop.height / 2);
      return { countdown: !document.querySelector('#countdown').hidden, hit: at && at.id };
    })()`);
    assert.deepEqual(hit, { countdown: true, hit: 'stop' });
    // Held: pressing forward during the countdown moves nothing.
    await blue.keyboard.down('ArrowUp');
    await blue.locator('#notice', { hasText: 'held' }).waitFor({ timeout: WAIT_MS });
    assert.equal(server.fleet.get('blue')!.driver.state.direction, 'stop');
    await blue.keyboard.up('ArrowUp');
    await lobby.locator('#lobby-race', { hasText: 'about to start' }).waitFor({ timeout: WAIT_MS });
    // Go: the leaderboard lists both cars on both pages and in the lobby.
    await Promise.all([red, blue].map((p) => p.locator('#standings tbody tr').nth(1).waitFor({ timeout: WAIT_MS })));
    await red.locator('#race-status', { hasText: 'Racing, 2 laps' }).waitFor({ timeout: WAIT_MS });
    assert.deepEqual((await blue.locator('#standings tbody tr td:nth-child(2)').allInnerTexts()).sort(), ['blue', 'red']);
    await lobby.locator('#lobby-standings tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
    // After go the cars drive again.
    await blue.keyboard.down('ArrowUp');
    await waitForState(server.fleet.get('blue')!.driver, (s) => s.direction === 'forward', 'blue driving after go');
    await blue.keyboard.up('ArrowUp');
    await blue.getByRole('button', { name: 'End the race' }).click();
    await red.locator('#race-status', { hasText: 'Race over' }).waitFor({ timeout: WAIT_MS });
  });

  it('a closed page frees its car, and the lobby says so', async () => {
    await blue.close();
    await card('blue').locator('.lobby-seat', { hasText: 'free to drive' }).waitFor({ timeout: WAIT_MS });
    for (const w of watched) assert.deepEqual(w.errors.filter((e) => !e.includes('/api/cars/live')), []);
  });
});
