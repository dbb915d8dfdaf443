// "Race my best lap" as a person meets it, in headless Chromium: Ada starts a one-lap race from the race
// panel, drives the lap with the arrow keys (the test steers by the car's pose, as a person watching the map
// would), and once the lap is set the panel offers "Race my best lap"; pressing it puts her lap on the map as
// a ghost, labelled as her best lap, while her own car stays hers to drive.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { CIRCUIT } from '../../src/control/track/circuit.js';
import { routes, steerTowards, waypointFrom, type Waypoint } from '../support/lap-bot.js';
import { SCREENSHOTS, WAIT_MS, openPage, withPage, type ControlServer, type PageRig } from './harness.js';

/**
 * Holds the up arrow, and left or right as the next waypoint needs, until the route is driven; then lets go.
 * When the car stops under the held keys (a busy machine: the page's drive input went quiet and the
 * watchdog stopped it), lets every key go and presses again, as a person would: the page drives again
 * only after its keys were let go (arming.ts).
 */
async function driveWithKeys(page: Page, server: ControlServer, route: readonly Waypoint[]): Promise<void> {
  const car = server.fleet.get('red')!.driver;
  const deadline = Date.now() + 90_000;
  let held: 'ArrowLeft' | 'ArrowRight' | null = null;
  let stoppedSince: number | null = null;
  await page.keyboard.down('ArrowUp');
  for (let next = waypointFrom(car.pose!, route, 0); next < route.length; next = waypointFrom(car.pose!, route, next)) {
    assert.ok(Date.now() < deadline, `the lap is driven within 90 s: at waypoint ${next} of ${route.length}, ${JSON.stringify(car.pose)}`);
    stoppedSince = car.state.direction === 'stop' ? stoppedSince ?? Date.now() : null;
    if (stoppedSince !== null && Date.now() - stoppedSince > 300) {
      if (held) await page.keyboard.up(held);
      held = null;
      await page.keyboard.up('ArrowUp');
      await page.keyboard.down('ArrowUp');
      stoppedSince = null;
    }
    const steer = steerTowards(car.pose!, route[next]);
    const want = steer === 0 ? null : steer > 0 ? 'ArrowRight' : 'ArrowLeft';
    if (want !== held) {
      if (held) await page.keyboard.up(held);
      if (want) await page.keyboard.down(want);
      held = want;
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  if (held) await page.keyboard.up(held);
  await page.keyboard.up('ArrowUp');
}

describe('race my best lap', () => {
  let rig: PageRig;
  withPage({ name: 'Ada', server: { cars: [{ name: 'red', link: 'sim', codec: 'iracer' }] } }, (r) => {
    rig = r;
  });

  it('after a lap, the race panel\'s Race my best lap puts a ghost of it on the map, labelled as Ada\'s best lap', async () => {
    const { server, page } = rig;
    await openPage(page, `${server.url}car/red`, 'driver');
    assert.equal(await page.locator('#best-lap').isHidden(), true, 'no lap yet: nothing to race');
    await page.locator('#race-laps').fill('1');
    await page.getByRole('button', { name: 'Start a race' }).click();
    await page.locator('#race-status', { hasText: 'Racing, 1 lap' }).waitFor({ timeout: WAIT_MS });
    await page.evaluate('document.activeElement?.blur()'); // the arrows drive, not the laps field
    // From the grid at go, round the oval and over the start line: the race's one lap.
    await driveWithKeys(page, server, routes(CIRCUIT).lap);
    await page.locator('#race-status', { hasText: 'Race over' }).waitFor({ timeout: WAIT_MS });

    const offer = page.getByRole('button', { name: 'Race my best lap' });
    await offer.waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('#best-lap-time').innerText(), /^your best lap on red: \d+\.\d\d s, as a ghost to race$/);
    await offer.click();
    const ghost = page.locator('.track .ghost');
    await ghost.waitFor({ timeout: WAIT_MS });
    assert.equal(await ghost.locator('text').textContent(), "ghost · Ada's best lap");
    await page.locator('.ghost-legend li', { hasText: "ghost · Ada's best lap: a replay, nobody drives it" }).waitFor({ timeout: WAIT_MS });
    // It drives her lap: off the grid, up the straight, as she did.
    await page.waitForFunction(`(() => {
      const t = document.querySelector('.track .ghost path')?.getAttribute('transform') ?? '';
      const m = /^translate\\(([-\\d.e]+),([-\\d.e]+)\\)/.exec(t);
      return m !== null && -Number(m[2]) > 0.5;
    })()`, undefined, { timeout: WAIT_MS });
    await page.locator('#map').screenshot({ path: join(SCREENSHOTS, 'best-lap.png') });
    assert.equal(server.ghosts.list().length, 1);
    assert.equal(server.fleet.get('red')!.driver.state.direction, 'stop', 'her own car is where she left it');
    assert.deepEqual(rig.watched.errors, []);
  });
});
