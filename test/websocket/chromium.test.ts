// Chromium (headless Debian chromium through playwright-core) against the echo server script run
// with --deflate: the browser offers permessage-deflate by default, must accept our answer, and
// compressed messages (text and binary, small and large) must round-trip.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { firstLine, startEcho } from './echo-process.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];

const PAGE_SCRIPT = `async function (target) {
  const ws = new WebSocket(target);
  ws.binaryType = 'arraybuffer';
  const inbox = [];
  let wake = null;
  ws.onmessage = (e) => { inbox.push(e.data); if (wake) wake(); };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('websocket error')); });
  const next = async () => {
    while (inbox.length === 0) await new Promise((resolve) => { wake = resolve; });
    return inbox.shift();
  };
  const failures = [];
  const text = (n) => Array.from({ length: n }, (_, i) => '{"seq":' + i + ',"dir":"forward-left","v":' + (i % 7) + '}').join(',');
  for (const n of [1, 10, 100, 1000, 5000]) {
    const message = text(n) + ' ünïcödé ✓';
    ws.send(message);
    if ((await next()) !== message) failures.push('text of ' + message.length + ' chars');
  }
  for (const n of [0, 100, 70000, 300000]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31) % 251);
    ws.send(bytes);
    const echoed = await next();
    const ok = echoed instanceof ArrayBuffer && echoed.byteLength === n && new Uint8Array(echoed).every((b, i) => b === bytes[i]);
    if (!ok) failures.push('binary of ' + n + ' bytes');
  }
  const extensions = ws.extensions;
  const closed = new Promise((resolve) => { ws.onclose = (e) => resolve(e.code); });
  ws.close(1000);
  return { extensions, failures, closeCode: await closed };
}`;

test('Chromium negotiates permessage-deflate with our server and exchanges messages', { timeout: 90_000 }, async (t) => {
  const url = await firstLine(startEcho(t, ['--port', '0', '--deflate']));
  // The page comes from loopback too: Chromium blocks about:blank from reaching a local address.
  const page0 = createServer((_req, res) => res.end('<!doctype html><title>ws</title>'));
  t.after(() => page0.close());
  page0.listen(0, '127.0.0.1');
  await once(page0, 'listening');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(page0.address() as AddressInfo).port}/`);
  // A string, not a function: tsx's transform would add helpers (__name) that the page lacks.
  const result = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify(url)})`)) as { extensions: string; failures: string[]; closeCode: number };
  assert.deepEqual(result.failures, []);
  // Chromium offers "permessage-deflate; client_max_window_bits"; the default answer takes no parameter.
  assert.equal(result.extensions, 'permessage-deflate');
  assert.equal(result.closeCode, 1000);
});
