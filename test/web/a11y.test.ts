// Accessibility, checked by axe-core (a well-kept rules engine; a devDependency, injected into the page)
// in headless Chromium: the driving page (an rc-app car, so the lights and horn are there too), its
// settings panel and its QR code open, and the camera page streaming a fake camera. No serious or critical
// violation is allowed; the keyboard side (focus order, visible focus, Escape) is in settings.test.ts and
// page.test.ts.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WAIT_MS, withPage, type ControlServer } from './harness.js';
import { launchVideoBrowser, openCamera } from './video-harness.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }

/** axe's serious and critical violations on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  if (!await page.evaluate('typeof window.axe === "object"')) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate('axe.run(document, { resultTypes: ["violations"] })') as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}

describe('accessibility (axe-core: no serious or critical violations)', () => {
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  withPage({ server: { codec: 'rc-app' }, launch: launchVideoBrowser, open: 'driver' }, async (r) => {
    ({ server, browser, page } = r);
    await page.locator('#accessories button').first().waitFor({ timeout: WAIT_MS });
  });

  it('the driving page', async () => {
    assert.deepEqual(await violations(page), []);
  });

  it('(the check itself: a button without a name and grey on grey are found)', async () => {
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend',
      '<div id="planted"><button type="button"></button><p style="color:#777;background:#888">faint</p></div>')`);
    const found = await violations(page);
    await page.evaluate('document.querySelector("#planted").remove()');
    assert.ok(found.some((v) => v.includes('button-name')), found.join('\n'));
    assert.ok(found.some((v) => v.includes('color-contrast')), found.join('\n'));
  });

  it('the settings panel', async () => {
    await page.locator('#open-settings').click();
    await page.locator('dialog#settings[open]').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(await violations(page), []);
    await page.keyboard.press('Escape');
  });

  it('the join QR code', async () => {
    await page.locator('#show-qr').click();
    await page.locator('#qr-dialog .qr svg').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(await violations(page), []);
    await page.keyboard.press('Escape');
  });

  it('the camera page, streaming', async () => {
    const camera = await openCamera(browser, `${server.url}camera`);
    try {
      assert.deepEqual(await violations(camera.page), []);
    } finally {
      await camera.context.close();
    }
  });
});
