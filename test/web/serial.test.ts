// End to end with a serial car: the page in Chromium, the real server on a serial link to one end of a
// socat pseudo-terminal pair, and the i-Racer emulator on the other end, which records every byte.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/vehicle/emulator.js';
import {
  WAIT_MS, ensureBuilt, holdKnobWithMouse, launchBrowser, openPage, ptyPair, startServer, waitForState, watchPage,
  type ControlServer, type SentFrame,
} from './harness.js';

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

describe('controller page driving an emulated i-Racer over a serial port', () => {
  let pty: Awaited<ReturnType<typeof ptyPair>>;
  let emulator: Emulator;
  let server: ControlServer;
  let browser: Browser;
  let page: Page;
  let watched: { errors: string[]; sent: SentFrame[] };

  /** Resolves with the bytes after `from` once one of them satisfies `ok`. */
  const bytesUntil = (from: number, ok: (b: number) => boolean, what: string) => new Promise<number[]>((resolve, reject) => {
    const check = () => {
      const got = emulator.bytes.slice(from);
      if (!got.some(ok)) return;
      clearTimeout(timer);
      emulator.off('byte', check);
      resolve(got);
    };
    const timer = setTimeout(() => {
      emulator.off('byte', check);
      reject(new Error(`no ${what} at the emulator; got [${emulator.bytes.slice(from).map(hex).join(' ')}]`));
    }, WAIT_MS);
    emulator.on('byte', check);
    check();
  });

  before(async () => {
    await ensureBuilt();
    pty = await ptyPair();
    emulator = startEmulator(pty.a);
    await emulator.opened;
    server = await startServer(`serial:${pty.b}`);
    await waitForState(server.driver, (s) => s.link === 'connected', 'the serial link');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watched = watchPage(page);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await emulator?.close();
    await pty?.close();
  });

  it('a drag up sends forward bytes up to full speed (0x1F), and release sends the stop (0x00)', async () => {
    await openPage(page, server.url, 'driver');
    assert.equal(await page.locator('#map').isVisible(), false, 'no simulator map for a real link');
    const from = emulator.bytes.length;
    await holdKnobWithMouse(page, 0, -1);
    await bytesUntil(from, (b) => b === 0x1f, 'forward at full speed');
    await page.mouse.up();
    const bytes = await bytesUntil(from, (b) => b === 0x00, 'stop');
    const moving = bytes.slice(0, bytes.indexOf(0x00));
    // On the way up the knob passes lower speeds: every byte before the stop is "straight forward" (0x1Y).
    assert.ok(moving.length >= 1 && moving.every((b) => b >> 4 === 0x1 && (b & 0xf) > 0),
      `forward bytes only before the stop: [${bytes.map(hex).join(' ')}]`);
    assert.equal(moving[moving.length - 1], 0x1f);
    assert.equal(bytes[bytes.length - 1], 0x00, 'the last byte the car got is a stop');
    await page.locator('#st-last', { hasText: '0x00' }).waitFor({ timeout: WAIT_MS });
  });

  it('a drag to the right-forward diagonal sends the forward-right byte (0x6Y)', async () => {
    const from = emulator.bytes.length;
    await holdKnobWithMouse(page, 0.7, -0.7);
    const bytes = await bytesUntil(from, (b) => b === 0x6f, 'forward-right at full speed');
    await page.mouse.up();
    await bytesUntil(from + bytes.length, (b) => b === 0x00, 'stop');
  });

  it('the Left button sends the seed byte for its speed, then stops after the hold time', async () => {
    await page.locator('#speed').fill('7');
    await page.locator('#hold').fill('0.3');
    const from = emulator.bytes.length;
    await page.getByRole('button', { name: 'Left' }).click();
    const bytes = await bytesUntil(from, (b) => b === 0x00, 'the stop after the hold');
    assert.deepEqual(bytes, [0x57, 0x00], 'left at speed 7 is the seed\'s 0x57, then 0x00');
    assert.deepEqual(watched.errors, []);
  });
});
