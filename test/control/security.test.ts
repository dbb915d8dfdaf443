// Safe to expose: the token guards the controls, the Origin check stops cross-site hijacking, the page
// is served from its folder only, and TLS serves https and wss.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlServer, type ControlOptions } from '../../src/control/server.js';
import { MAX_ADDRESS_FAILURES, MAX_AUTH_FAILURES } from '../../src/control/connection/auth.js';
import { connect, open, startServer, upgradeStatus, wsUrl } from './helpers.js';

const BASE: ControlOptions = { port: 0, host: '127.0.0.1', link: 'sim', codec: 'iracer', watchdogMs: 500 };
const TOKEN = 'correct-horse-battery-staple';

test('with a token: everyone spectates; no token or a wrong one cannot drive; the right one can', async (t) => {
  const logs: string[] = [];
  const server = await startServer(t, { token: TOKEN, log: (line) => logs.push(line) });
  const guest = await connect(t, wsUrl(server));
  assert.equal(guest.welcome.role, 'spectator');
  assert.equal(guest.welcome.authRequired, true);
  assert.equal(guest.welcome.authenticated, false);
  assert.equal(guest.welcome.state.driver, null);

  guest.sendText('{"duration":1,"command":"up"}');
  assert.equal((await guest.expect('error')).code, 'unauthorized');
  guest.send({ type: 'claim' });
  assert.equal((await guest.expect('error')).code, 'unauthorized');
  guest.send({ type: 'auth', token: 'guess' });
  assert.equal((await guest.expect('error')).code, 'unauthorized');
  guest.sendText('{"type":"drive","x":0,"y":1}');
  assert.equal((await guest.expect('error')).code, 'unauthorized');
  await guest.roundTrip();
  assert.equal(server.driver.state.byte, 0);

  const owner = await connect(t, wsUrl(server));
  const mark = owner.mark();
  owner.send({ type: 'auth', token: TOKEN });
  const role = await owner.expect('role', undefined, mark);
  assert.deepEqual(role, { type: 'role', role: 'driver', driver: owner.welcome.clientId, authenticated: true });
  owner.sendText('{"duration":0.5,"command":"up"}');
  await guest.state({ byte: 0x16 }); // the guest watches
  assert.ok(!logs.join('\n').includes(TOKEN), 'the token is never logged');
  assert.ok(!logs.join('\n').includes('guess'), 'nor a wrong one');
});

test('five wrong tokens close the connection with 1008', async (t) => {
  const server = await startServer(t, { token: TOKEN });
  const client = await connect(t, wsUrl(server));
  for (let i = 0; i < 5; i++) client.send({ type: 'auth', token: `wrong${i}` });
  assert.equal((await client.closed).code, 1008);
  assert.equal(client.inbox.filter((m) => m.type === 'error' && m.code === 'unauthorized').length, 5);
});

test('reconnecting does not reset the guesses: an address over its budget is refused even the right token', async (t) => {
  const logs: string[] = [];
  const server = await startServer(t, { token: TOKEN, log: (line) => logs.push(line) });
  for (let c = 0; c < MAX_ADDRESS_FAILURES / MAX_AUTH_FAILURES; c++) {
    const guesser = await connect(t, wsUrl(server));
    for (let i = 0; i < MAX_AUTH_FAILURES; i++) guesser.send({ type: 'auth', token: `wrong-${c}-${i}` });
    assert.equal((await guesser.closed).code, 1008);
  }
  const late = await connect(t, wsUrl(server));
  late.send({ type: 'auth', token: TOKEN });
  const refused = await late.expect('error');
  assert.equal(refused.code, 'unauthorized');
  assert.match(refused.message, /too many wrong tokens from this address/);
  assert.equal((await late.closed).code, 1008);
  assert.equal(server.driver.state.byte, 0);
  assert.ok(!logs.join('\n').includes(TOKEN), 'the token is never logged');
});

test('a foreign Origin gets 403; own, loopback-page and allowed origins get in', async (t) => {
  const server = await startServer(t, { wsPort: 0, allowOrigins: ['https://car.example.com'] });
  const own = `http://127.0.0.1:${server.port}`;
  assert.equal(await upgradeStatus(t, wsUrl(server), { origin: 'https://evil.example' }), 403);
  assert.equal(await upgradeStatus(t, wsUrl(server), { origin: 'null' }), 403);
  assert.equal(await upgradeStatus(t, `ws://127.0.0.1:${server.wsPort}`, { origin: 'http://evil.example:8000' }), 403);
  // DNS rebinding: a foreign name pointing at us is "same-origin" by Host, and still refused: by its Host
  // before its Origin is read (421, host-check.ts), and by its Origin alone.
  assert.equal(await upgradeStatus(t, wsUrl(server), {
    origin: `http://rebind.example:${server.port}`, headers: { host: `rebind.example:${server.port}` },
  }), 421);
  assert.equal(await upgradeStatus(t, wsUrl(server), { origin: `http://rebind.example:${server.port}` }), 403);
  assert.equal(await upgradeStatus(t, wsUrl(server), { origin: own }), 101);
  assert.equal(await upgradeStatus(t, wsUrl(server), { origin: `http://localhost:${server.port}` }), 101);
  // The page this server serves, reaching the seed-era listener on the other port.
  assert.equal(await upgradeStatus(t, `ws://127.0.0.1:${server.wsPort}`, { origin: own }), 101);
  assert.equal(await upgradeStatus(t, wsUrl(server), { origin: 'https://car.example.com' }), 101);
  assert.equal(await upgradeStatus(t, wsUrl(server)), 101); // no Origin: not a browser
});

test('WebSocket upgrades only at /ws and /; the page is served at /', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>webracer</title>');
  const server = await startServer(t, { staticDir: dir });
  assert.equal(await upgradeStatus(t, wsUrl(server, '/other')), 404);
  assert.equal(await upgradeStatus(t, wsUrl(server, '/ws?v=1')), 101);
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(await page.text(), '<!doctype html><title>webracer</title>');
  // (fetch normalizes dot segments itself; test/control/static.test.ts sends the raw attacks)
  const escape = await fetch(`${server.url}..%2f..%2fetc%2fpasswd`);
  assert.equal(escape.status, 400);
  assert.ok(!(await escape.text()).includes('root:'));
});

test('TLS: the page over https and the protocol over wss', async (t) => {
  const dir = await tempDir(t);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  { stdio: 'ignore' });
  await writeFile(join(dir, 'index.html'), 'secure page');
  const server = await startServer(t, { tlsCert: cert, tlsKey: key, staticDir: dir });
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  const body = await new Promise<string>((resolve, reject) => {
    request(server.url, { ca: readFileSync(cert) }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  assert.equal(body, 'secure page');
  const client = await open(t, `wss://127.0.0.1:${server.port}/ws`, {
    ca: readFileSync(cert), origin: `https://127.0.0.1:${server.port}`,
  });
  await client.next((m) => m.type === 'welcome', 'welcome');
  client.sendText('{"duration":0.3,"command":"left"}');
  await client.state({ byte: 0x57 });
});

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-sec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('start-up failures reject with a clear reason and leave nothing open', async (t) => {
  const taken = await startServer(t);
  await assert.rejects(startControlServer({ ...BASE, port: taken.port }), /cannot listen on 127\.0\.0\.1:\d+/);
  await assert.rejects(startControlServer({ ...BASE, wsPort: taken.port }), /cannot listen/);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'cert.pem'), 'not a certificate');
  await writeFile(join(dir, 'key.pem'), 'not a key');
  await assert.rejects(startControlServer({ ...BASE, tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') }),
    /TLS certificate/);
  await assert.rejects(startControlServer({ ...BASE, tlsCert: join(dir, 'none.pem'), tlsKey: join(dir, 'key.pem') }),
    /ENOENT/);
  await assert.rejects(startControlServer({ ...BASE, link: 'carrier-pigeon' }), /invalid link/);
});

test('no compression is negotiated: a client offering permessage-deflate gets plain frames (no inflating for anyone)', async (t) => {
  const server = await startServer(t);
  const client = await connect(t, wsUrl(server), { perMessageDeflate: true });
  assert.equal(client.ws.extensions, '', 'the 101 names no extension');
  await client.roundTrip();
});
