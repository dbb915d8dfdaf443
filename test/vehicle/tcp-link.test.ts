// The TCP link against a loopback peer that plays a ser2net bridge: it goes away and comes back on the
// same port.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { createCodec, Driver, type LinkState } from '../../src/vehicle/index.js';
import { createTcpLink, UNACKED_BUDGET } from '../../src/vehicle/links/tcp.js';
import { tableReadings } from '../../src/vehicle/links/tcp-unacked.js';
import { waitForLinkState } from '../support/link-state.js';

const WAIT_MS = 15_000;

/** A bridge that records the bytes of each connection. */
class Peer {
  server: net.Server | null = null;
  readonly sockets = new Set<net.Socket>();
  readonly connections: number[][] = [];
  #waiters: Array<() => void> = [];

  async listen(port = 0): Promise<number> {
    this.server = net.createServer((s) => {
      const bytes: number[] = [];
      this.connections.push(bytes);
      this.sockets.add(s);
      s.on('data', (d) => {
        bytes.push(...d);
        this.#notify();
      });
      s.on('close', () => this.sockets.delete(s));
      this.#notify();
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Drops every connection and stops listening, like a bridge that lost power. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(this.connections)}`)), WAIT_MS);
      const w = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((x) => x !== w);
        resolve();
      };
      this.#waiters.push(w);
    });
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}

/** A bridge that accepts and then never reads (until the test resumes its socket): its buffers, then ours, fill up. */
async function stalledBridge(t: TestContext, onConnection: (s: net.Socket) => void = () => {}): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.pause();
    onConnection(s);
  });
  t.after(() => {
    for (const s of sockets) s.destroy(); // a paused socket would not even notice our reset
    return new Promise<void>((r) => server.close(() => r()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** A connected link to a bridge that reads at once. */
async function linkToBridge(t: TestContext, writeTimeoutMs?: number): Promise<{ p: Peer; link: ReturnType<typeof createTcpLink> }> {
  const p = peer(t);
  const port = await p.listen();
  const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port }, writeTimeoutMs === undefined ? {} : { writeTimeoutMs });
  t.after(() => link.close());
  await link.open();
  await waitForLinkState(link, 'connected');
  return { p, link };
}

const newestOf = (writes: number): number => ((writes - 1) % 2 === 0 ? 0x1f : 0x5f);

/** Writes a changing byte for `ms`, pausing with `between` after each; counts the table readings meanwhile. */
async function steer(link: ReturnType<typeof createTcpLink>, ms: number, between: () => Promise<unknown>) {
  const before = tableReadings();
  const started = performance.now();
  let writes = 0;
  while (performance.now() - started < ms) {
    assert.equal(link.write(Uint8Array.of(writes++ % 2 === 0 ? 0x1f : 0x5f)), true);
    await between();
  }
  return { writes, seconds: (performance.now() - started) / 1000, readings: tableReadings() - before };
}

function peer(t: TestContext): Peer {
  const p = new Peer();
  t.after(() => p.stop());
  return p;
}

describe('tcp link', { timeout: 60_000 }, () => {
  it('drives through a bridge, survives it vanishing and returning on the same port, replays nothing', async (t) => {
    const bridge = peer(t);
    const port = await bridge.listen();
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port }, { initialDelayMs: 50, maxDelayMs: 400 });
    const states: LinkState[] = [];
    link.on('state', (s: LinkState) => states.push(s));
    const driver = new Driver({ link, codec: createCodec('iracer') });
    t.after(() => driver.close());
    await driver.start();
    await waitForLinkState(link, 'connected');
    driver.drive({ kind: 'command', name: 'forward', durationMs: 10_000 });
    await bridge.until(() => bridge.connections[0]?.length === 2, 'stop + forward');
    assert.deepEqual(bridge.connections[0], [0x00, 0x16]);

    await bridge.stop();
    await waitForLinkState(link, 'reconnecting');
    assert.deepEqual(driver.drive({ kind: 'analog', x: 0, y: 1 }), { ok: false, reason: 'link_down' });
    assert.equal(driver.state.byte, null);

    await bridge.listen(port);
    await waitForLinkState(link, 'connected');
    await bridge.until(() => bridge.connections[1]?.length === 1, 'the resynchronising stop');
    driver.drive({ kind: 'command', name: 'left' });
    await bridge.until(() => bridge.connections[1]?.length === 2, 'the new command');
    assert.deepEqual(bridge.connections[1], [0x00, 0x57]);
    assert.deepEqual(states.slice(0, 4), ['connecting', 'connected', 'reconnecting', 'connected']);

    await driver.close();
    await bridge.until(() => bridge.connections[1]?.length === 3, 'the stop on close');
    assert.deepEqual(bridge.connections[1], [0x00, 0x57, 0x00]);
    assert.equal(link.state, 'closed');
  });

  it('starts without the device, keeps retrying, and connects when it appears', async (t) => {
    // Find a free port, then leave it closed for a while.
    const probe = peer(t);
    const port = await probe.listen();
    await probe.stop();
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port }, { initialDelayMs: 50, maxDelayMs: 200 });
    const failures: Error[] = [];
    link.on('failure', (e: Error) => failures.push(e));
    const driver = new Driver({ link, codec: createCodec('iracer') });
    t.after(() => driver.close());
    await driver.start(); // resolves although nothing listens
    await waitForLinkState(link, 'reconnecting');
    assert.match(failures[0].message, /cannot connect to 127\.0\.0\.1:\d+/);
    const bridge = peer(t);
    await bridge.listen(port);
    await waitForLinkState(link, 'connected');
    await bridge.until(() => bridge.connections[0]?.length === 1, 'the stop on connect');
    assert.deepEqual(bridge.connections[0], [0x00]);
  });

  it('keeps only the newest write while a peer that stopped reading holds the connection up', async (t) => {
    const BIG = 8 * 1024 * 1024; // more than the kernel buffers of both ends take: the write stays in flight
    let far!: net.Socket;
    let count = 0;
    const after: number[] = []; // the bytes past the big write (a JS array of all 8 MiB was slow to fill under load)
    const port = await stalledBridge(t, (s) => {
      far = s;
      s.on('data', (d: Buffer) => {
        if (count + d.length > BIG) after.push(...d.subarray(Math.max(0, BIG - count)));
        count += d.length;
      });
    });
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port }, { writeTimeoutMs: 60_000 });
    t.after(() => link.close());
    await link.open();
    await waitForLinkState(link, 'connected');
    assert.equal(link.write(new Uint8Array(BIG).fill(0xaa)), true);
    for (const b of [0x16, 0x1f, 0x5f, 0x00, 0x26]) {
      assert.equal(link.write(Uint8Array.of(b)), true, 'accepted, to be written when the transport can');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(count, 0);
    far.resume();
    const deadline = Date.now() + WAIT_MS;
    while (count < BIG + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // anything else would show up now
    assert.equal(count, BIG + 1, 'the big write, then exactly one byte');
    assert.deepEqual(after, [0x26], 'the newest');
    assert.equal(link.state, 'connected');
  });

  it('a stick moving at 50 Hz to a healthy bridge: the connection table is read a few times a second, not once per write',
    { skip: process.platform === 'linux' ? undefined : 'the table is Linux only' }, async (t) => {
      // Each reading walks the kernel's whole connection table (tcp.ts: 0.4 ms of a core on a big machine).
      // Reading once per write (the link's first hold) cost the command path's p99 ten times over on one core.
      const { p, link } = await linkToBridge(t);
      const { writes, seconds, readings } = await steer(link, 1_500, () => new Promise((r) => setTimeout(r, 20)));
      await p.until(() => p.connections[0]?.at(-1) === newestOf(writes), 'the newest write');
      t.diagnostic(`${writes} writes in ${seconds.toFixed(2)} s: ${p.connections[0].length} bytes reached the bridge, ${readings} table readings`);
      // The link's confirmations, four a second (each a look or a few): the budget never fills at this pace.
      assert.ok(readings <= 2 + 25 * seconds, `${readings} readings for ${writes} writes in ${seconds.toFixed(2)} s`);
      assert.equal(p.connections[0].length, writes, 'every change went out: nothing was held at this pace');
    });

  it('a flood of changes fills the budget: it is read at most every 100 ms, and the newest arrives',
    { skip: process.platform === 'linux' ? undefined : 'the table is Linux only' }, async (t) => {
      // A long write timeout keeps the link's own confirmations out of these 1.5 s: what reads is the budget.
      const { p, link } = await linkToBridge(t, 60_000);
      const { writes, seconds, readings } = await steer(link, 1_500, () => new Promise((r) => setImmediate(r)));
      await p.until(() => p.connections[0]?.at(-1) === newestOf(writes), 'the newest write');
      t.diagnostic(`${writes} writes in ${seconds.toFixed(2)} s: ${p.connections[0].length} bytes reached the bridge, ${readings} table readings`);
      assert.ok(readings <= 2 + 10 * seconds, `${readings} readings for ${writes} writes in ${seconds.toFixed(2)} s`);
      assert.ok(p.connections[0].length >= UNACKED_BUDGET, 'writes went out while the budget had room');
    });

  it('gives up a connection whose peer stopped reading once nothing more is delivered for writeTimeoutMs', async (t) => {
    const port = await stalledBridge(t);
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port }, { writeTimeoutMs: 500, initialDelayMs: 60_000 });
    const failures: string[] = [];
    link.on('failure', (e: Error) => failures.push(e.message));
    t.after(() => link.close());
    await link.open();
    await waitForLinkState(link, 'connected');
    link.write(new Uint8Array(8 * 1024 * 1024));
    await waitForLinkState(link, 'reconnecting');
    assert.match(failures[0], /not delivered within 500 ms/);
  });

  it('closes cleanly while still trying to connect', async (t) => {
    const probe = peer(t);
    const port = await probe.listen();
    await probe.stop();
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port }, { initialDelayMs: 10_000 });
    const driver = new Driver({ link, codec: createCodec('iracer') });
    await driver.start();
    await waitForLinkState(link, 'reconnecting');
    await driver.close();
    assert.equal(link.state, 'closed');
  });
});
