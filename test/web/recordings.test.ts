// The recordings page in headless Chromium against the real server recording into a folder that holds one
// recorded session (test/fixtures/recordings/): with a token it asks for it, then lists the session, shows
// it as a timeline with its simulated track, follows a cursor, and downloads the file as it is.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { recordingAddOn } from '../../src/recording/add-on.js';
import { parseRecording } from '../../src/recording/reader.js';
import { SCREENSHOTS, WAIT_MS, ensureBuilt, launchBrowser, startServer, watchPage, type ControlServer } from './harness.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
const NAME = '2026-11-29T20-50-27.329Z_car_c1.jsonl';

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
    assert.equal(await row.count(), 1);
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
});
