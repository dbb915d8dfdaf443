// Who drives next (issue 20 item 6), on a phone and a desktop: a spectator's page says its place in the
// line and who is ahead by the name they set (or the server's default), offers Take over only when the server would accept it
// (never while the driver is driving: it says when instead), and Take over then gets the seat.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { SCREENSHOTS, WAIT_MS, ensureBuilt, launchBrowser, nameThisBrowser, openPage, startServer, type ControlServer } from './harness.js';
import { PROFILES } from './profiles.js';

const IDLE_TAKEOVER_MS = 3000;

/** A client that joins the car (and waits for the seat like a page), by the name it sets. */
async function person(server: ControlServer, name?: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((resolve, reject) => { ws.once('message', resolve); ws.once('error', reject); }); // welcome
  if (name) ws.send(JSON.stringify({ type: 'name', name }));
  return ws;
}

describe('who drives next', () => {
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
      let driver: WebSocket;
      let driving: NodeJS.Timeout;
      const sockets: WebSocket[] = [];
      before(async () => {
        server = await startServer('sim', { idleTakeoverMs: IDLE_TAKEOVER_MS });
        driver = await person(server, 'Ada');
        // Ada keeps driving (centred: activity that moves nothing) until the test lets go.
        driving = setInterval(() => driver.send(JSON.stringify({ type: 'drive', x: 0, y: 0 })), 200);
        sockets.push(driver, await person(server, 'Bo'), await person(server));
        const context = await browser.newContext(options);
        await nameThisBrowser(context, 'Cy'); // named on an earlier visit
        page = await context.newPage();
        await openPage(page, server.url, 'spectator');
      });
      after(async () => {
        clearInterval(driving);
        for (const ws of sockets) ws.close();
        await page?.context().close();
        await server?.close();
      });

      it('says its place in the line and who is ahead, by name, never a connection id', async () => {
        const role = page.locator('#st-role');
        await role.filter({ hasText: /3rd in line, after Bo and Driver \d+/ }).waitFor({ timeout: WAIT_MS }); // one who set no name: a default
        assert.doesNotMatch(await role.innerText(), /\bc\d+\b/);
        mkdirSync(SCREENSHOTS, { recursive: true });
        if (profile === 'a phone') {
          await role.evaluate((dd) => dd.scrollIntoView({ inline: 'end', block: 'nearest' })); // the status row scrolls sideways on a phone
          await page.screenshot({ path: join(SCREENSHOTS, 'queue-phone.png') });
        }
      });

      it('offers Take over only once the driver is idle, saying when meanwhile, and then it gets the seat', async () => {
        await page.locator('#take-over-when', { hasText: 'idle 3 s' }).waitFor({ timeout: WAIT_MS });
        assert.equal(await page.locator('#take-over').isVisible(), false, 'no Take over while Ada drives');
        clearInterval(driving); // Ada lets go
        await page.locator('#take-over').waitFor({ state: 'visible', timeout: WAIT_MS });
        assert.equal(await page.locator('#take-over-when').isVisible(), false);
        await page.locator('#take-over').click();
        await page.locator('#st-role', { hasText: 'driver (you)' }).waitFor({ timeout: WAIT_MS });
        assert.equal(await page.locator('#notice').innerText(), '', 'no refusal');
      });
    });
  }
});
