// The recordings page in headless Chromium against the real server recording into a folder that holds one
// recorded session (test/fixtures/recordings/) and an earlier one cut short (its server killed): with a
// token it asks for it, then lists the sessions, shows one as a timeline with its simulated track, follows a
// cursor, downloads the file as it is, and shows the one cut short up to its last line, saying so.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { recordingAddOn } from '../../src/recording/add-on.js';
import { parseRecording } from '../../src/recording/reader.js';
import { SCREENSHOTS, WAIT_MS, ensureBuilt, launchBrowser, startServer, watchPage, type ControlServer } from './harness.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
const NAME = '2026-11-29T20-50-27.329Z_car_c1.jsonl';
/** The same session, an hour earlier, cut short: no end line, and half a line after its last one. */
const CUT = '2026-11-29T19-50-27.329Z_car_c1.jsonl';
const cutShort = (): string => {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n').slice(0, -2);
  const at = lines.findIndex((l) => /"t":1[0-9]{3}\./.test(l)); // the first line after a second
  return `${lines.slice(0, at).join('\n')}\n{"t":1001.5,"kind":"wri`;
};

describe('recordings page', () => {
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dir: string;

  before(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'webracer-rec-page-'));
    copyFileSync(FIXTURE, join(dir, NAME));
    writeFileSync(join(dir, CUT), cutShort());
    server = await startServer('sim', {
      token: 'sesame', addOns: [recordingAddOn({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 }, () => {})],
    });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    errors = watchPage(page).errors;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the token, then lists the session', async () => {
    await page.goto(`${server.url}recordings`);
    await page.locator('#auth-form').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.locator('#token').fill('sesame');
    await page.locator('#auth-form button[type="submit"]').click();
    const row = page.locator('#list tbody tr');
    await row.first().waitFor({ timeout: WAIT_MS });
    assert.equal(await row.count(), 2);
    const cells = await row.first().locator('td').allTextContents();
    assert.equal(cells[1], 'car');
    assert.equal(cells[2], 'c1');
    assert.match(cells[3], /^2\.0 s$/);
    assert.match(cells[4], /^\d+\.\d\d m$/);
    assert.equal(cells[5], 'complete');
    assert.ok(await page.locator('#auth-form').isHidden(), 'the form goes once the token works');
  });

  it('shows the session as a timeline over its simulated track, with a cursor', async () => {
    await page.locator('#list tbody button').first().click();
    await page.locator('#view').waitFor({ state: 'visible', timeout: WAIT_MS });
    const recording = parseRecording(readFileSync(FIXTURE, 'utf8'));
    const writes = recording.lines.filter((l) => l.kind === 'write').length;
    assert.equal(await page.locator('.timeline-svg line.byte').count(), writes, 'a tick for every byte');
    assert.equal(await page.locator('.timeline-svg .mark.watchdog').count(), 1);
    assert.equal(await page.locator('.timeline-svg .mark.hold-expired').count(), 1);
    assert.ok((await page.locator('#rec-map path.trail').getAttribute('d'))!.length > 20, 'the track is drawn');
    await page.locator('#cursor').fill('400');
    await page.locator('#cursor-readout', { hasText: /^0\.400 s · last demand: stick x 0\.00 y -0\.80 · car holds: 2c/ })
      .waitFor({ timeout: WAIT_MS });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'recordings.png'), fullPage: true });
  });

  it('downloads the file as it is', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download').click()]);
    assert.equal(download.suggestedFilename(), NAME);
    const path = await download.path();
    assert.equal(readFileSync(path, 'utf8'), readFileSync(FIXTURE, 'utf8'));
    // The first request, before the token, is a 401 the browser logs itself; nothing else.
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
  });

  it('lists a session cut short (its server killed) as such, and shows it up to its last line', async () => {
    const row = page.locator('#list tbody tr').nth(1);
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[5], 'cut short: no end line (the server was killed, or the power went)');
    const lines = cutShort().split('\n').slice(1, -1).map((l) => JSON.parse(l) as { t: number; kind: string });
    assert.equal(cells[3], `${(lines.at(-1)!.t / 1000).toFixed(1)} s`, 'as long as its last sound line');
    await row.locator('button').click();
    await page.locator('#view-meta', { hasText: 'cut short here: the server was killed, or the power went' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('.timeline-svg line.byte').count(), lines.filter((l) => l.kind === 'write').length);
    assert.ok((await page.locator('#rec-map path.trail').getAttribute('d'))!.length > 20, 'its track is drawn');
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
  });
});
