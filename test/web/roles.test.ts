// Seats and tokens in the browser: with --token the page asks for it (or takes it from the link's
// fragment), a wrong one is explained, the right one drives; an idle driver's seat can be taken over;
// giving the seat up passes it on.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForState, watchPage, type ControlServer,
} from './harness.js';

const TOKEN = 'open-sesame';

describe('roles and the access token', () => {
  let server: ControlServer;
  let browser: Browser;
  let first: Page;
  let second: Page;
  const errors: string[][] = [];

  before(async () => {
    await ensureBuilt();
    server = await startServer('sim', { token: TOKEN, idleTakeoverMs: 400 });
    browser = await launchBrowser();
    first = await (await browser.newContext()).newPage();
    second = await (await browser.newContext()).newPage();
    errors.push(watchPage(first).errors, watchPage(second).errors);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const controlsEnabled = async (page: Page) => !(await page.getByRole('button', { name: 'Forward' }).isDisabled());

  it('asks for the token; a wrong one is explained; the right one takes the empty seat', async () => {
    await openPage(first, server.url, 'spectator');
    await first.locator('#auth-form').waitFor({ timeout: WAIT_MS });
    assert.equal(await first.locator('#take-over').isVisible(), false, 'no take-over before the token');
    assert.equal(await controlsEnabled(first), false);

    await first.getByLabel('Access token').fill('wrong');
    await first.getByRole('button', { name: 'Unlock driving' }).click();
    await first.locator('#notice', { hasText: 'token' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await first.locator('#auth-form').isVisible(), true);

    await first.getByLabel('Access token').fill(TOKEN);
    await first.getByLabel('Access token').press('Enter');
    await first.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    await first.locator('#auth-form').waitFor({ state: 'hidden', timeout: WAIT_MS });
    assert.equal(await controlsEnabled(first), true);
  });

  it('a token in the link fragment is presented by itself, then hidden from the address bar', async () => {
    await openPage(second, `${server.url}#token=${TOKEN}`, 'spectator');
    await second.locator('#take-over').waitFor({ timeout: WAIT_MS }); // authenticated, seat taken
    assert.equal(await second.locator('#auth-form').isVisible(), false);
    assert.equal(new URL(second.url()).hash, '');
    assert.equal(await controlsEnabled(second), false);
  });

  it('takes over from an idle driver, whose controls then go quiet', async () => {
    await first.getByRole('button', { name: 'Forward' }).click(); // the driver's last input...
    await waitForState(server.driver, (s) => s.direction === 'forward', 'the forward command');
    await new Promise((r) => setTimeout(r, 600)); // ...is now older than idleTakeoverMs
    await second.getByRole('button', { name: 'Take over' }).click();
    await second.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    await first.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await controlsEnabled(first), false);
    assert.equal(await controlsEnabled(second), true);

    await second.keyboard.down('ArrowDown');
    await waitForState(server.driver, (s) => s.direction === 'backward', 'the new driver reversing');
    await second.keyboard.up('ArrowDown');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop');
  });

  it('giving the seat up passes it to the waiting spectator', async () => {
    await second.getByRole('button', { name: "Give up the driver's seat" }).click();
    await first.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    await second.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await controlsEnabled(first), true);
    assert.deepEqual(errors.flat(), []);
  });
});
