// The QR code the CLI prints at start-up, read back by a real decoder: the LAN URL, with the token in
// its fragment when one is set; --no-qr leaves it out; the same URLs (never the token) at GET /api/join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinUrls, lanAddresses, withToken } from '../../src/control/http/join.js';
import { terminalQr } from '../../src/cli/qr.js';
import { startServer } from '../control/helpers.js';
import { decodePrintedQr } from './qr-read.js';
import { cleanEnv, start, WEBRACER } from './process.js';

/** What the CLI printed between "Scan to open ...:" and "Press Ctrl+C". */
function printedQr(stdout: string): string {
  const match = /Scan to open [^\n]*:\n([\s\S]*?)\nPress Ctrl\+C/.exec(stdout);
  assert.ok(match, `no QR code in:\n${stdout}`);
  return match[1];
}

test('the renderer: its text decodes to what it encoded, with and without colour', () => {
  for (const text of ['http://192.168.1.23:8000/', 'https://10.0.0.5:8443/#token=abc%2Fdef%3D%3D', 'http://[fe80::1]:1/']) {
    assert.equal(decodePrintedQr(terminalQr(text, false)), text);
    assert.equal(decodePrintedQr(terminalQr(text, true)), text);
  }
});

test('the printed QR code is the LAN URL, with the token in the fragment; --no-qr prints none', { timeout: 120_000 }, async (t) => {
  const [lan] = lanAddresses();
  if (lan === undefined) return t.skip('this machine has no LAN address to put in a QR code');
  const token = 'qr-token/7=';
  const server = start(t, [...WEBRACER, '--port', '0', '--host', '0.0.0.0'], { env: cleanEnv({ WEBRACER_TOKEN: token }) });
  const [, port] = await server.waitFor(/http:\/\/127\.0\.0\.1:(\d+)\//);
  await server.waitFor(/Press Ctrl\+C/);
  const url = joinUrls('0.0.0.0', Number(port), false)[0];
  assert.equal(url, `http://${lan}:${port}/`);
  assert.equal(decodePrintedQr(printedQr(server.stdout())), `${url}#token=qr-token%2F7%3D`);
  assert.ok(!server.stdout().includes(token) && !server.stderr().includes(token), 'the token is never printed as text');
  server.kill('SIGTERM');
  assert.equal((await server.exited).code, 0);

  const quiet = start(t, [...WEBRACER, '--port', '0', '--host', '0.0.0.0', '--no-qr']);
  await quiet.waitFor(/Press Ctrl\+C/);
  assert.doesNotMatch(quiet.stdout(), /Scan to open/);
  quiet.kill('SIGTERM');
  assert.equal((await quiet.exited).code, 0);
});

test('GET /api/join: the LAN URLs and whether a token is needed, never the token', async (t) => {
  const token = 'join-secret-1';
  const server = await startServer(t, { host: '0.0.0.0', token });
  const response = await fetch(`http://127.0.0.1:${server.port}/api/join`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const body = await response.text();
  assert.ok(!body.includes(token));
  assert.deepEqual(JSON.parse(body), { urls: joinUrls('0.0.0.0', server.port, false), authRequired: true });
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/api/join`, { method: 'POST' })).status, 405);

  const local = await startServer(t, { host: '127.0.0.1' });
  const alone = await (await fetch(`http://127.0.0.1:${local.port}/api/join`)).json();
  assert.deepEqual(alone, { urls: [], authRequired: false }, 'loopback only: nobody else can join');
  assert.equal(withToken('http://h:1/', undefined), 'http://h:1/');
});
