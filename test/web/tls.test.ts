// `webracer --tls self-signed` as a phone meets it, in Chromium: told to trust the certificate whose
// public key hash the command printed (--ignore-certificate-errors-spki-list, as a phone trusts it once
// by hand), the page loads over https, talks wss, and the camera page gets the camera (a secure context).
// The same certificate comes back after a restart, and http:// on the port leads to https://.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startWebracer, type WebracerProcess } from '../safety/webracer-process.js';
import { WAIT_MS, ensureBuilt, openPage } from './harness.js';
import { launchVideoBrowser, openCamera } from './video-harness.js';

interface Printed { url: string; fingerprint: string; spki: string }

/** The CLI with a self-signed certificate in `dataDir`, and what it printed about it. */
async function start(dataDir: string, cleanups: Array<() => Promise<void>>): Promise<{ cli: WebracerProcess; printed: Printed }> {
  const cli = await startWebracer(['--tls', 'self-signed', '--data-dir', dataDir], { after: (c) => void cleanups.push(c) });
  // Looked at on every chunk of output, not on a timer.
  const printed = (): Printed | null => {
    const fingerprint = /SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(cli.output())?.[1];
    const spki = /--ignore-certificate-errors-spki-list=(\S+)/.exec(cli.output())?.[1];
    return fingerprint && spki ? { url: cli.url, fingerprint, spki } : null;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no fingerprint printed:\n${cli.output()}`));
    }, WAIT_MS);
    const check = (): void => {
      const found = printed();
      if (!found) return;
      clearTimeout(timer);
      stop();
      resolve({ cli, printed: found });
    };
    const stop = cli.onOutput(check);
    check();
  });
}

describe('--tls self-signed in Chromium', () => {
  const cleanups: Array<() => Promise<void>> = [];
  let dataDir: string;
  let browser: Browser | undefined;

  before(async () => {
    await ensureBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'webracer-tls-web-'));
  });

  after(async () => {
    await browser?.close();
    for (const cleanup of cleanups) await cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves https and wss that Chromium accepts with the printed key hash; the camera works; reused on restart', async () => {
    const first = await start(dataDir, cleanups);
    assert.match(first.printed.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(first.cli.output(), /self-signed certificate .*cert\.pem \(made now\)/);
    browser = await launchVideoBrowser([`--ignore-certificate-errors-spki-list=${first.printed.spki}`]);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
    await openPage(page, first.printed.url, 'driver'); // connected: the WebSocket is wss
    assert.equal(await page.evaluate('location.protocol + String(isSecureContext)'), 'https:true');
    const served = await page.evaluate(`fetch(location.href).then((r) => r.ok)`);
    assert.equal(served, true);
    const camera = await openCamera(browser, `${first.printed.url}camera`);
    await page.locator('#st-video[data-state="live"]').waitFor({ timeout: WAIT_MS });
    await camera.context.close();

    // http:// on the same port leads to the page over https.
    const plain = first.printed.url.replace('https:', 'http:');
    const response = await page.goto(plain);
    assert.equal(page.url(), first.printed.url);
    assert.equal(response?.ok(), true);
    await page.locator('#st-conn[data-state="open"]').waitFor({ timeout: WAIT_MS });

    first.cli.signal('SIGTERM');
    assert.equal((await first.cli.exited).code, 0);
    const again = await start(dataDir, cleanups);
    assert.match(again.cli.output(), /\(reused\)/);
    assert.equal(again.printed.fingerprint, first.printed.fingerprint, 'the same certificate after a restart');
    assert.equal(again.printed.spki, first.printed.spki);
    await openPage(page, again.printed.url, 'driver'); // still trusted
    assert.deepEqual(errors, []);
  });
});
