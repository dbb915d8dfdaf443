import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticHandler, safeSegments } from '../../src/control/http/static.js';

/** A folder `site` beside a `secret.txt` it must never serve, plus links pointing in and out. */
async function fixture(t: TestContext) {
  const base = await mkdtemp(join(tmpdir(), 'webracer-static-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const site = join(base, 'site');
  await mkdir(join(site, 'sub'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html><title>racer</title>');
  await writeFile(join(site, 'app.js'), 'console.log(1)');
  await writeFile(join(site, 'style.css'), 'body{}');
  await writeFile(join(site, 'sub', 'index.html'), 'sub');
  await writeFile(join(site, '.env'), 'hidden');
  await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
  await symlink(join(base, 'secret.txt'), join(site, 'leak.txt'));
  await symlink(base, join(site, 'up'));
  await symlink(join(site, 'app.js'), join(site, 'alias.js'));
  const server = createServer(createStaticHandler(site));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** Sends a request line as given (no client-side normalization) and returns status, headers and body. */
type Reply = { status: number; head: string; body: string };
function raw(port: number, target: string, method = 'GET', extra = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body });
    });
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
  });
}

test('serves the page with content types, caching and security headers', async (t) => {
  const port = await fixture(t);
  const index = await raw(port, '/');
  assert.equal(index.status, 200);
  assert.match(index.head, /content-type: text\/html; charset=utf-8/i);
  assert.match(index.head, /cache-control: no-cache/i);
  assert.match(index.head, /x-content-type-options: nosniff/i);
  assert.match(index.head, /x-frame-options: DENY/i);
  assert.equal(index.body, '<!doctype html><title>racer</title>');
  assert.match((await raw(port, '/app.js')).head, /content-type: text\/javascript/i);
  assert.match((await raw(port, '/style.css?v=2')).head, /content-type: text\/css/i);
  assert.equal((await raw(port, '/sub/')).body, 'sub');
  assert.equal((await raw(port, '/sub')).body, 'sub');
  assert.equal((await raw(port, '/alias.js')).body, 'console.log(1)'); // a link inside the folder is fine
});

test('ETag revalidation answers 304; HEAD has no body; other methods 405', async (t) => {
  const port = await fixture(t);
  const first = await raw(port, '/app.js');
  const etag = /etag: (".*?")/i.exec(first.head)?.[1];
  assert.ok(etag);
  assert.equal((await raw(port, '/app.js', 'GET', `If-None-Match: ${etag}\r\n`)).status, 304);
  const head = await raw(port, '/app.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  const post = await raw(port, '/app.js', 'POST', 'Content-Length: 0\r\n');
  assert.equal(post.status, 405);
  assert.match(post.head, /allow: GET, HEAD/i);
});

test('no path leads outside the folder', async (t) => {
  const port = await fixture(t);
  const attacks = [
    '/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/sub%2f..%2f..%2fsecret.txt', '/..\\secret.txt', '/%5c..%5csecret.txt',
    '/..%5csecret.txt', '/app.js%00.html', '/%00', '/leak.txt', '/up/secret.txt', '/.env',
    '/%2e%2e', '//..//secret.txt', '/%252e%252e/secret.txt', '/%', '/%zz', 'http://127.0.0.1/../secret.txt',
    '/tmp/../../../../etc/passwd', '/' + '../'.repeat(20) + 'etc/passwd',
  ];
  for (const target of attacks) {
    const r = await raw(port, target);
    assert.ok([400, 404].includes(r.status), `${target} -> ${r.status}`);
    assert.ok(!r.body.includes('TOP SECRET') && !r.body.includes('root:'), target);
  }
});

test('a download cut short closes its file: a page that goes away leaks no descriptor', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'webracer-static-cut-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const big = join(base, 'big.js');
  await writeFile(big, 'x'.repeat(8 * 1024 * 1024)); // far more than the socket buffers: the send is cut mid-file
  const server = createServer(createStaticHandler(base));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /big.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      socket.once('data', () => socket.destroy()); // the page goes away as the answer starts
      socket.on('close', () => resolve());
    });
  }
  const open = (): number => readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === big;
    } catch {
      return false; // closed while we looked
    }
  }).length;
  for (let tries = 0; open() > 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(open(), 0, 'descriptors of big.js still open after every client went away');
});

test('safeSegments decodes once and refuses separators hidden in segments', () => {
  assert.deepEqual(safeSegments('/a/b%20c.js?x=1#y'), ['a', 'b c.js']);
  assert.deepEqual(safeSegments('//a///b/'), ['a', 'b']);
  assert.deepEqual(safeSegments('/%252e%252e'), ['%2e%2e']); // decoded once: a harmless literal name
  const bad = ['/..', '/.', '/a/%2e', '/a%2fb', '/a%5cb', '/a\\b', '/a%00', '/%e0%a4%a', '*', 'http://h/x', '/.git'];
  for (const target of bad) {
    assert.equal(safeSegments(target), null, target);
  }
});
