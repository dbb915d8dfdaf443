// Issue 20: someone who skipped the name prompt goes by the server's default ("Driver 1"), and keeps it for
// the server's run, on a phone and a desktop: over a reload of their page that takes the held seat back
// (a resume), when they come back after their seat passed on, and over a reload as a spectator (the page
// keeps the welcome's name key and offers it at the upgrade). Their laps, results and best lap stay under
// one name.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import type { CarListing, ServerMessage } from '../../src/control/protocol/messages.js';
import { WAIT_MS, openPage, watchPage, withPage, type ControlServer, type PageRig } from './harness.js';
import { PROFILES } from './profiles.js';


async function driverName(server: ControlServer): Promise<string | null> {
  return ((await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[])[0].driverName;
}

/** Someone else at the car, waiting for the seat. */
async function otherPerson(server: ControlServer): Promise<{ ws: WebSocket; role(want: 'driver' | 'spectator'): Promise<void> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  const heard: ServerMessage[] = [];
  ws.on('message', (data) => heard.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise((resolve, reject) => { ws.once('message', resolve); ws.once('error', reject); }); // welcome
  const role = async (want: 'driver' | 'spectator'): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    const roleNow = () => heard.findLast((m) => m.type === 'role' || m.type === 'welcome');
    while ((roleNow() as { role?: string } | undefined)?.role !== want) {
      if (Date.now() > deadline) throw new Error(`the other person is not ${want}`);
      await new Promise((resolve) => ws.once('message', resolve));
    }
  };
  return { ws, role };
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

  // No hold (a resume window of 0): the seat passes on as the page goes, as when a hold runs out.
  describe(`a skipped name on ${profile}, with the seat gone meanwhile`, () => {
    let rig: PageRig;
    withPage({ name: '', open: 'driver', context, server: { resumeWindowMs: 0 } }, (r) => {
      rig = r;
    });

    it('stays the same default when the page comes back to a seat that passed on, and over a reload as a spectator', async (t) => {
      const { server, context } = rig;
      const before = await driverName(server);
      assert.match(before ?? '', /^Driver \d+$/);
      const other = await otherPerson(server);
      t.after(() => other.ws.close());
      await rig.page.close(); // the tab is closed: the seat passes to the other person
      await other.role('driver');
      const page = await context.newPage(); // and the same browser comes back
      const watched = watchPage(page);
      await openPage(page, server.url, 'spectator');
      await page.reload();
      await page.locator('#st-conn[data-state="open"]').waitFor({ timeout: WAIT_MS });
      await page.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
      other.ws.send(JSON.stringify({ type: 'release' })); // the seat passes back to the page
      await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
      assert.equal(await driverName(server), before, 'the same browser, the same name');
      assert.equal(await page.locator('#name-prompt').isVisible(), false);
      assert.deepEqual([...rig.watched.errors, ...watched.errors], []);
    });
  });
}
