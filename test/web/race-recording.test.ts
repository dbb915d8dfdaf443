// A session with a race in it, as people look back at it on /recordings (issue 20 item 2), on a phone and a
// desktop: Ada drives, starts a race (which puts her car on its grid slot), drives on, ends it and leaves;
// the session's map then draws the circuit, and the path the simulator takes with the recorded bytes is the
// path the car was seen to drive: it jumps to the grid slot with no line drawn to it, and both end where the
// car stopped.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { recordingAddOn } from '../../src/recording/add-on.js';
import {
  SCREENSHOTS, WAIT_MS, ensureBuilt, launchBrowser, nameThisBrowser, openPage, startServer, waitForState, watchPage, type ControlServer,
} from './harness.js';
import { PROFILES } from './profiles.js';

/** An SVG path's pieces: each `M` starts one, each `L` goes on (map.ts draws y upwards as -y). */
function pieces(d: string): Array<Array<[number, number]>> {
  return d.split('M').filter(Boolean).map((piece) => piece.split('L').map((p) => p.split(',').map(Number) as [number, number]));
}

describe('a session with a race, looked back at on /recordings', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  for (const [profile, options] of PROFILES) {
    describe(`on ${profile}`, () => {
      let server: ControlServer;
      let dir: string;
      let page: Page;
      let errors: string[];
      const press = (target: Locator) => (profile === 'a phone' ? target.tap() : target.click());

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'webracer-race-recording-'));
        server = await startServer('sim', {
          cars: [{ name: 'red', link: 'sim', codec: 'iracer' }],
          resumeWindowMs: 0, // a closed page ends its session at once
          addOns: [recordingAddOn({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 }, () => {})],
        });
        const context = await browser.newContext(options);
        await nameThisBrowser(context, 'Ada');
        page = await context.newPage();
        errors = watchPage(page).errors;
      });
      after(async () => {
        await page?.context().close();
        await server?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('the map draws the circuit; the replayed path jumps to the grid slot and ends where the car stopped', async () => {
        const car = server.fleet.get('red')!.driver;
        await openPage(page, `${server.url}car/red`, 'driver');
        const forward = page.getByRole('button', { name: 'Forward' });
        await press(forward); // a seed command: forward for a while, then stop
        await waitForState(car, (s) => s.direction === 'forward', 'forward before the race');
        await waitForState(car, (s) => s.direction === 'stop', 'the command\'s own stop');
        await press(page.getByRole('button', { name: 'Start a race' }));
        await page.locator('#race-status', { hasText: 'Racing' }).waitFor({ timeout: WAIT_MS });
        await press(forward);
        await waitForState(car, (s) => s.direction === 'forward', 'forward after go');
        await waitForState(car, (s) => s.direction === 'stop', 'the stop after go');
        await press(page.getByRole('button', { name: 'End the race' }));
        await page.locator('#race-status', { hasText: 'Race over' }).waitFor({ timeout: WAIT_MS });
        const end = car.pose!;
        await page.goto(`${server.url}recordings?car=red`); // the seat empties: the session's file ends

        const row = page.locator('#list tbody tr', { hasText: 'Ada' });
        await row.filter({ hasNotText: /in progress/i }).waitFor({ timeout: WAIT_MS });
        await press(row.getByRole('button', { name: /^Show/ }));
        const map = page.locator('#rec-map');
        await map.locator('svg .circuit .start-line').waitFor({ state: 'attached', timeout: WAIT_MS }); // a line: no area to be "visible"
        assert.equal(await map.locator('svg').isVisible(), true);
        const trail = pieces((await map.locator('path.trail').getAttribute('d'))!);
        const recorded = pieces((await map.locator('path.recorded').getAttribute('d'))!);
        assert.ok(trail.length >= 2, `the path starts afresh on the grid slot (${trail.length} pieces)`);
        const last = (p: Array<Array<[number, number]>>) => p.at(-1)!.at(-1)!;
        const near = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]) < 0.001;
        assert.ok(near(last(trail), [end.x, -end.y]), `the replayed path ends where the car stopped: ${last(trail)} vs ${end.x},${-end.y}`);
        assert.ok(near(last(recorded), [end.x, -end.y]), `so do the poses the car reported: ${last(recorded)}`);
        assert.ok(near(trail[1][0], recorded[1][0]), `both jump to the same grid slot: ${trail[1][0]} vs ${recorded[1][0]}`);
        assert.ok(!near(trail[0].at(-1)!, trail[1][0]), `the grid slot is not where the car was before the race: ${trail[0].at(-1)}`);
        if (profile === 'a desktop') {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await map.screenshot({ path: join(SCREENSHOTS, 'recording-race.png') });
        }
        assert.deepEqual(errors, []);
      });
    });
  }
});
