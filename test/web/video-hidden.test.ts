// A hidden page gives its video slot back: with a camera that serves one viewer, a spectator whose tab
// goes out of view (or whose phone locks) lets the one waiting as "limited" see the car, and asks again,
// behind it, when it is back in view. Headless Chromium with a fake camera, the real server and page.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  WAIT_MS, ensureBuilt, installTestHooks, openPage, startServer, waitForSent, watchPage, type ControlServer, type Watched,
} from './harness.js';
import { countFrames, launchVideoBrowser, openCamera } from './video-harness.js';

describe('video on a hidden page', () => {
  let server: ControlServer;
  let browser: Browser;
  const pages: Array<{ page: Page; seen: Watched }> = [];

  before(async () => {
    await ensureBuilt();
    // With a token, pages without it are spectators: neither is the driver, who would go first.
    server = await startServer('sim', { maxViewers: 1, token: 'secret' });
    browser = await launchVideoBrowser();
    await openCamera(browser, `${server.url}camera#token=secret`);
    for (let i = 0; i < 2; i++) {
      const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
      await installTestHooks(context); // window.testSetHidden
      const page = await context.newPage();
      const seen = watchPage(page);
      await openPage(page, server.url, 'spectator');
      pages.push({ page, seen });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const videoState = (page: Page, state: string) => page.locator(`#st-video[data-state="${state}"]`).waitFor({ timeout: WAIT_MS });
  const viewers = (): number => server.fleet.worlds[0].summary().video.viewers;

  it('hidden, a page hands its slot to the one waiting, and is served again behind it when back in view', async () => {
    const [first, second] = pages;
    await videoState(first.page, 'live');
    await videoState(second.page, 'limited');

    const from = first.seen.sent.length;
    await first.page.evaluate('window.testSetHidden(true)');
    await waitForSent(first.seen.sent, from, 'unwatch', 1);
    await videoState(first.page, 'paused');
    await videoState(second.page, 'live'); // the slot went to the page that waited
    assert.ok((await countFrames(second.page, 1000)).frames > 0, 'and it shows the camera\'s frames');
    assert.equal(first.seen.sent.slice(from).filter((f) => f.message.type === 'watch').length, 0, 'nothing asked while hidden');

    await first.page.evaluate('window.testSetHidden(false)');
    await waitForSent(first.seen.sent, from, 'watch', 1);
    await videoState(first.page, 'limited'); // back in view, it waits behind the one now watching
    assert.equal(await second.page.locator('#st-video').getAttribute('data-state'), 'live', 'the slot is not taken back');

    await second.page.evaluate('window.testSetHidden(true)');
    await videoState(first.page, 'live'); // and gets it when that one is hidden in turn
    assert.ok((await countFrames(first.page, 1000)).frames > 0);
    assert.equal(viewers(), 1, 'one slot, served all along');
    for (const { seen } of pages) assert.deepEqual(seen.errors, []);
  });
});
