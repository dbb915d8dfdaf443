// Issue 20: someone who skipped the name prompt goes by the server's default ("Driver 1"), and a reload
// of their page (which takes the held seat back: a resume) leaves them "Driver 1", on a phone and a
// desktop: their laps, results and best lap stay under one name.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CarListing } from '../../src/control/protocol/messages.js';
import { WAIT_MS, withPage, type ControlServer, type PageRig } from './harness.js';

const PROFILES = [
  ['a phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['a desktop', { viewport: { width: 1280, height: 800 } }],
] as const;

async function driverName(server: ControlServer): Promise<string | null> {
  return ((await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[])[0].driverName;
}

for (const [profile, context] of PROFILES) {
  describe(`a skipped name on ${profile}`, () => {
    let rig: PageRig;
    withPage({ name: '', open: 'driver', context }, (r) => {
      rig = r;
    });

    it('stays the same default over a reload that takes the seat back', async () => {
      const { server, page } = rig;
      const before = await driverName(server);
      assert.match(before ?? '', /^Driver \d+$/);
      await page.reload();
      await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
      assert.equal(await page.locator('#name-prompt').isVisible(), false, 'a skip is an answer: not asked again');
      assert.equal(await driverName(server), before, 'the same person, the same name');
      assert.deepEqual(rig.watched.errors, []);
    });
  });
}
