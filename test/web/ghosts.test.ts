// Ghosts as a person meets them, in headless Chromium on a phone and a desktop: "Show in the arena" on /recordings puts the session on
// another page's map, pale and labelled with its driver's name; that page has nothing to take it with (no
// car in its strip, none in the lobby, its address a 404 that says it is a ghost); "Remove the ghost" takes
// it off every map.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { recordingAddOn } from '../../src/recording/add-on.js';
import { SCREENSHOTS, WAIT_MS, openPage, withPage, type PageRig } from './harness.js';
import { PROFILES } from './profiles.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
const NAME = '2026-11-29T20-50-27.329Z_car_c1.jsonl';
const dir = mkdtempSync(join(tmpdir(), 'webracer-ghosts-page-'));
// The fixture's session with its driver's name, and its end a while later (the car parked): the ghost stays
// on the map long enough to be looked at and removed.
const lines = readFileSync(FIXTURE, 'utf8').split('\n');
lines.splice(2, 0, '{"t":1,"kind":"message","client":"c1","message":{"type":"name","name":"Ada"}}');
writeFileSync(join(dir, NAME), lines.join('\n').replace(/"t":2018\.564,"kind":"end"/, '"t":60000,"kind":"end"'));

describe('ghosts in the arena', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [profile, options] of PROFILES) describe(`on ${profile}`, () => {
    let rig: PageRig;
    const press = (target: Locator) => (profile === 'a phone' ? target.tap() : target.click());
    withPage({
      name: 'Bo',
      context: options,
      server: {
        cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }],
        addOns: [recordingAddOn({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 }, () => {})],
      },
    }, (r) => {
      rig = r;
    });

    it('"Show in the arena" on /recordings puts a labelled ghost on another page\'s map, which that page cannot take; Remove takes it off', async () => {
      const { server, page, context } = rig;
      await openPage(page, `${server.url}car/blue`, 'driver');
      const recordings = await context.newPage();
      await recordings.goto(`${server.url}recordings`);
      await press(recordings.locator('#list tbody tr', { hasText: 'Ada' }).getByRole('button', { name: /^Show/ })); // Bo's own session is listed too
      await press(recordings.locator('#show-ghost'));
      await recordings.locator('#ghost-status', { hasText: "Shown in the arena as ghost · Ada's drive (ghost-1" }).waitFor({ timeout: WAIT_MS });
      // On the car's page: drawn on the map with its label, and listed under it.
      const ghost = page.locator('.track .ghost[data-ghost="ghost-1"]');
      await ghost.waitFor({ timeout: WAIT_MS });
      assert.equal(await ghost.locator('text').textContent(), "ghost · Ada's drive");
      await page.locator('.ghost-legend li', { hasText: "ghost · Ada's drive: a replay, nobody drives it" }).waitFor({ timeout: WAIT_MS });
      // It drives as recorded: off the pole position, where the recorded car started.
      await page.waitForFunction(`/^translate\\(/.test(document.querySelector('.track .ghost path')?.getAttribute('transform') ?? '')
        && document.querySelector('.track .ghost path').getAttribute('transform') !== 'translate(0,0) rotate(0)'`, undefined, { timeout: WAIT_MS });
      if (profile === 'a desktop') await page.locator('#map').screenshot({ path: join(SCREENSHOTS, 'ghost.png') });
      await cannotTake(page, server.url);
      // Removed by whoever started it: off every map.
      await press(recordings.locator('#remove-ghost'));
      await recordings.locator('#ghost-status', { hasText: 'ghost-1 removed from the arena.' }).waitFor({ timeout: WAIT_MS });
      await ghost.waitFor({ state: 'detached', timeout: WAIT_MS });
      assert.equal(await page.locator('.ghost-legend').isHidden(), true);
      assert.deepEqual(rig.watched.errors, []);
    });
  });
});

/** Nothing on the page or the lobby offers the ghost as a car; its address says what it is. */
async function cannotTake(page: Page, url: string): Promise<void> {
  assert.deepEqual(await page.locator('#fleet .fleet-car .car-name').allTextContents(), ['red', 'blue'], 'the strip shows the cars, no ghost');
  assert.equal(await page.getByRole('button', { name: /take over/i }).count(), 0);
  const lobby = await page.context().newPage();
  await lobby.goto(url);
  await lobby.locator('.lobby-car').nth(1).waitFor({ timeout: WAIT_MS });
  assert.equal(await lobby.locator('.lobby-car').count(), 2, 'the lobby lists the two cars, no ghost');
  const response = await lobby.goto(`${url}car/ghost-1`);
  assert.equal(response?.status(), 404);
  await lobby.getByText("ghost-1 is a ghost (ghost · Ada's drive): a recording replayed on the map, which nobody can drive").waitFor({ timeout: WAIT_MS });
  await lobby.close();
}
