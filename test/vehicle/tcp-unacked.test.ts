// Finding our own connection in /proc/net/tcp and /proc/net/tcp6 (the probe behind TCP link liveness).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { parseLinkSpec } from '../../src/vehicle/index.js';
import { createTcpLink } from '../../src/vehicle/links/tcp.js';
import { ipv6Bytes, unackedProbe } from '../../src/vehicle/links/tcp-unacked.js';
import { waitForLinkState } from '../support/link-state.js';

async function connectedPair(t: TestContext, host: string): Promise<net.Socket> {
  const server = net.createServer((s) => s.resume().on('error', () => {}));
  const sockets: net.Socket[] = [];
  server.on('connection', (s) => sockets.push(s));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const socket = net.connect({ host, port: (server.address() as net.AddressInfo).port });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

describe('ipv6Bytes', () => {
  it('reads the RFC 4291 text forms', () => {
    assert.deepEqual(ipv6Bytes('::1'), [...new Array(15).fill(0), 1]);
    assert.deepEqual(ipv6Bytes('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
    assert.deepEqual(ipv6Bytes('fe80::1:2'), [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    assert.deepEqual(ipv6Bytes('2001:db8:0:0:0:0:0:ff'), [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    assert.equal(ipv6Bytes('not an address'), null);
  });
});

describe('unackedProbe', { skip: process.platform === 'linux' ? undefined : 'Linux only' }, () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`finds its own connection over ${host} (0 once acknowledged)`, async (t) => {
      const socket = await connectedPair(t, host);
      const probe = unackedProbe(socket);
      assert.ok(probe);
      await new Promise<void>((resolve) => socket.write(Uint8Array.of(1), () => resolve()));
      // Loopback acknowledges at once; null would mean the connection was not found.
      for (let i = 0; i < 100 && (await probe()) !== 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await probe(), 0);
    });
  }

  it('several cars\' links looking at once, with thousands of sockets on the machine: no healthy link is lost', async (t) => {
    // A machine with many connections (here 2,000 idle loopback ones: 4,000 sockets, a 600 KB table) and
    // four cars on tcp: links, each written every 10 ms for 3 s. Each link confirms its writes through the
    // probe; the looks must not slow each other down past the 1000 ms write timeout.
    const server = net.createServer((s) => s.resume().on('error', () => {}));
    const accepted: net.Socket[] = [];
    server.on('connection', (s) => accepted.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const idle: net.Socket[] = [];
    t.after(() => {
      for (const s of [...idle, ...accepted]) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });
    for (let i = 0; i < 2000; i++) {
      const s = net.connect({ host: '127.0.0.1', port });
      s.on('error', () => {});
      idle.push(s);
      if (i % 100 === 99) await once(s, 'connect');
    }
    const failures: string[] = [];
    const links = await Promise.all([0, 1, 2, 3].map(async () => {
      const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port } as Extract<ReturnType<typeof parseLinkSpec>, { kind: 'tcp' }>);
      link.on('failure', (e: Error) => failures.push(e.message));
      t.after(() => link.close());
      link.open();
      await waitForLinkState(link, 'connected');
      return link;
    }));
    for (const until = performance.now() + 3000; performance.now() < until;) {
      for (const link of links) link.write(Uint8Array.of(0x16));
      await new Promise((r) => setTimeout(r, 10)); // three seconds of writes every 10 ms: the load is the point
    }
    assert.deepEqual(failures, [], 'every write was confirmed in time');
    assert.ok(links.every((link) => link.state === 'connected'));
  });

  it('answers null (cannot tell) once the connection is gone', async (t) => {
    const socket = await connectedPair(t, '127.0.0.1');
    const probe = unackedProbe(socket)!;
    socket.resetAndDestroy();
    await once(socket, 'close');
    assert.equal(await probe(), null);
  });
});
