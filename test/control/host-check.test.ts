// DNS rebinding on HTTP: every route answers only to names the server can vouch for (src/control/http/host-check.ts).
// Raw requests over loopback, each with the Host a browser would send had a hostile site pointed its own
// name at this machine; and the names a phone, the owner's laptop, a certificate or a tunnel use.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { hostName, isHostAllowed, type HostPolicy } from '../../src/control/http/host-check.js';
import { recordingServer } from '../recording/helpers.js';
import { startServer, upgradeStatus, wsUrl } from './helpers.js';

const EVIL = 'rebind.example';

/** The status line and body a raw request gets, over TCP or (tls) TLS without checking the certificate. */
function request(port: number, head: string, tls = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => socket.write(head))
      : tcpConnect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (text.includes('text/event-stream') && text.includes('\r\n\r\n')) socket.destroy(); // a feed never ends by itself
    });
    socket.once('close', () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.once('error', reject);
  });
}

const get = (port: number, path: string, host: string | null, extra = '', tls = false) =>
  request(port, `GET ${path} HTTP/1.${host === null ? 0 : 1}\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n${extra}\r\n`, tls);

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-surface-checks-host-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a rebinding name gets 421 on every HTTP route, saying how to allow it; the names a phone or the owner use get in', async (t) => {
  const token = 'host-check-token';
  const { server } = await recordingServer(t, { token, wsPort: 0, allowOrigins: ['https://car-tunnel.example'] });
  const port = server.port;
  const bearer = `Authorization: Bearer ${token}\r\n`;
  for (const [path, extra] of [['/api/cars', ''], ['/api/recordings', bearer], ['/api/cars/live', ''], ['/api/join', ''], ['/', ''],
    ['/car/car', ''], ['/camera', ''], ['/recordings', bearer], ['/index.html', '']] as const) {
    const refused = await get(port, path, `${EVIL}:${port}`, extra);
    assert.equal(refused.status, 421, `${path}: ${refused.text.slice(0, 200)}`);
    assert.match(refused.text, /does not answer to the name 'rebind\.example'.*--allow-origin https:\/\/rebind\.example/s, path);
    assert.doesNotMatch(refused.text, /"name":"car"|recordings"/, `${path}: nothing of the answer`);
  }
  assert.equal((await get(port, '/api/recordings', `${EVIL}.`, bearer)).status, 421, 'a final dot changes nothing');
  assert.equal((await get(port, '/api/cars', 'evil.example@127.0.0.1')).status, 421, 'nor a userinfo trick');
  assert.equal(await upgradeStatus(t, wsUrl(server), { headers: { host: `${EVIL}:${port}` } }), 421, 'the WebSocket upgrade');
  assert.equal(await upgradeStatus(t, `ws://127.0.0.1:${server.wsPort}/`, { headers: { host: `${EVIL}:${server.wsPort}` } }), 421, 'the seed listener');
  assert.equal((await get(server.wsPort!, '/', `${EVIL}:${server.wsPort}`)).status, 421, 'the seed listener, plain HTTP');

  // A phone by the LAN address (any IP literal), the owner's laptop by every name of this machine, a tunnel.
  const self = hostname().toLowerCase();
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `192.0.2.7:${port}`, `[::1]:${port}`,
    `${self}:${port}`, `${self}.local:${port}`, 'car-tunnel.example', `car-tunnel.example:${port}`, null]) {
    const answer = await get(port, '/api/cars', host);
    assert.equal(answer.status, 200, `${host}: ${answer.text.slice(0, 200)}`);
  }
  assert.equal((await get(port, '/api/recordings', `car-tunnel.example`, bearer)).status, 200);
  assert.equal(await upgradeStatus(t, wsUrl(server), { headers: { host: 'car-tunnel.example' }, origin: 'https://car-tunnel.example' }), 101);
  assert.equal(await upgradeStatus(t, `ws://127.0.0.1:${server.wsPort}/`, { headers: { host: `localhost:${server.wsPort}` } }), 101);
});

test('with TLS: the certificate\'s names are the server\'s own, and plain http:// to a foreign name is not redirected', async (t) => {
  const dir = await tempDir(t);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=car.test', '-addext', 'subjectAltName=DNS:car.test,DNS:*.club.test,IP:127.0.0.1'], { stdio: 'ignore' });
  const server = await startServer(t, { tlsCert: cert, tlsKey: key });
  const port = server.port;
  for (const host of ['car.test', `car.test:${port}`, `red.club.test:${port}`]) {
    assert.equal((await get(port, '/api/cars', host, '', true)).status, 200, host);
  }
  for (const host of [`${EVIL}:${port}`, `club.test:${port}`, `a.red.club.test:${port}`]) {
    assert.equal((await get(port, '/api/cars', host, '', true)).status, 421, host);
  }
  const url = `wss://127.0.0.1:${port}/ws`;
  assert.equal(await upgradeStatus(t, url, { rejectUnauthorized: false, headers: { host: `car.test:${port}` }, origin: `https://car.test:${port}` }), 101,
    'a page at a name on the certificate is same-origin with it');
  const plain = await get(port, '/car/car', `${EVIL}:${port}`);
  assert.equal(plain.status, 421, plain.text);
  assert.doesNotMatch(plain.text, /Location:/);
  assert.equal((await get(port, '/car/car', `car.test:${port}`)).status, 307);
});

test('Host names as the check reads them', () => {
  const policy: HostPolicy = { localNames: new Set(['pi', 'pi.local']), allowedHosts: new Set(['car.example.com']), certificateNames: () => [] };
  for (const [header, name] of [['Pi.Local:8000', 'pi.local'], ['[::1]:80', '::1'], ['car.example.com.', 'car.example.com'],
    ['a b', null], ['x@y', null], ['h:port', null], [':80', null], ['', null]] as const) {
    assert.equal(hostName(header), name, header);
  }
  assert.ok(isHostAllowed(undefined, policy), 'no Host: not a browser');
  assert.ok(isHostAllowed('pi:8000', policy) && isHostAllowed('10.0.0.3', policy) && isHostAllowed('car.example.com:443', policy));
  assert.ok(!isHostAllowed('pi.evil.example', policy) && !isHostAllowed('car.example.com.evil.example', policy));
});
