// Link liveness over TCP on a real kernel: a bridge whose network is cut (test/support/lossy-peer.ts: no ACK,
// no FIN, no RST comes back) is given up within the write timeout while driving, and by keepalive while idle;
// nothing written into the cut reaches the car afterwards, and the new connection starts with a stop.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { createCodec, Driver, parseLinkSpec } from '../../src/vehicle/index.js';
import { createTcpLink, UNACKED_BUDGET } from '../../src/vehicle/links/tcp.js';
import { addressHex, unackedProbe } from '../../src/vehicle/links/tcp-unacked.js';
import { waitForLinkState } from '../support/link-state.js';
import { lossyPeerUnsupported, startLossyPeer, type LossyPeer, type PeerBehaviour } from '../support/lossy-peer.js';

type TcpSpec = Extract<ReturnType<typeof parseLinkSpec>, { kind: 'tcp' }>;

async function peer(t: TestContext, behaviour: PeerBehaviour = {}): Promise<LossyPeer> {
  const p = await startLossyPeer(behaviour);
  t.after(() => p.close());
  return p;
}

async function drivingThrough(t: TestContext, p: LossyPeer, writeTimeoutMs: number) {
  const link = createTcpLink(parseLinkSpec(p.spec) as TcpSpec, { writeTimeoutMs, initialDelayMs: 50, maxDelayMs: 500 });
  const failures: string[] = [];
  link.on('failure', (e: Error) => failures.push(e.message));
  const driver = new Driver({ link, codec: createCodec('iracer') });
  t.after(() => driver.close());
  await driver.start();
  await waitForLinkState(link, 'connected');
  await p.until(() => p.lastByte === 0x00, 'the stop on connect');
  return { link, driver, failures };
}

/** Lines of /proc/net/tcp for connections from this network namespace to the peer, as [state, tx_queue]. */
async function connectionsTo(p: LossyPeer): Promise<Array<[string, number]>> {
  const remote = `${addressHex(p.host)}:${p.port.toString(16).toUpperCase().padStart(4, '0')}`;
  const lines = (await readFile('/proc/net/tcp', 'latin1')).split('\n').slice(1);
  return lines
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[2] === remote)
    .map((f) => [f[3], parseInt(f[4].split(':')[0], 16)]);
}

describe('tcp link liveness (a bridge that vanishes)', { skip: lossyPeerUnsupported(), timeout: 150_000 }, () => {
  it('the unacknowledged-bytes probe sees what Node cannot: 0 once acknowledged, more while the network is cut', async (t) => {
    const p = await peer(t);
    const socket = net.connect({ host: p.host, port: p.port });
    t.after(() => socket.destroy());
    await once(socket, 'connect');
    socket.setNoDelay(true);
    const probe = unackedProbe(socket);
    assert.ok(probe, 'Linux has /proc/net/tcp');
    socket.write(Uint8Array.of(1));
    await p.until(() => p.bytes.length === 1, 'the first byte');
    assert.equal(await probe(), 0);
    await p.cut();
    await new Promise<void>((resolve) => socket.write(Uint8Array.of(2, 3), () => resolve()));
    assert.equal(socket.writableLength, 0, 'Node reports the bytes written');
    assert.equal(await probe(), 2, 'the kernel still holds them: no ACK came');
  });

  it('gives a bridge that vanishes mid-drive up within the write timeout; the stale byte never arrives', async (t) => {
    const p = await peer(t);
    const { link, driver, failures } = await drivingThrough(t, p, 1000);
    driver.drive({ kind: 'command', name: 'forward' });
    await p.until(() => p.lastByte === 0x16, 'forward');

    await p.cut();
    const cutAt = performance.now();
    assert.deepEqual(driver.drive({ kind: 'command', name: 'left' }), { ok: true }, 'written: the kernel took it');
    await waitForLinkState(link, 'reconnecting');
    t.diagnostic(`cut detected ${Math.round(performance.now() - cutAt)} ms after the cut`);
    assert.match(failures.at(-1)!, /a write was not delivered within 1000 ms \(link timeout\)/);
    assert.equal(driver.state.byte, null, 'what the car does is unknown');
    // Given up with a reset: the kernel keeps nothing it could retransmit to the bridge later (only, at
    // most, the SYN of the next attempt).
    assert.deepEqual((await connectionsTo(p)).filter(([state]) => state !== '02'), []);

    await p.restore();
    await waitForLinkState(link, 'connected');
    await p.until(() => p.connections[1]?.length === 1, 'the stop on the new connection');
    driver.drive({ kind: 'command', name: 'backward' });
    await p.until(() => p.connections[1].length === 2, 'a new command');
    assert.deepEqual(p.connections, [[0x00, 0x16], [0x00, 0x26]], '0x57, written into the cut, never arrived');
  });

  it('finds a bridge that vanished while the link was idle, by TCP keepalive', async (t) => {
    const p = await peer(t);
    const { link, failures } = await drivingThrough(t, p, 1000);
    await p.cut();
    const cutAt = performance.now();
    await waitForLinkState(link, 'reconnecting', 60_000);
    t.diagnostic(`idle cut detected after ${Math.round(performance.now() - cutAt)} ms`);
    assert.match(failures.at(-1)!, /connection to .* lost: .*ETIMEDOUT/);
  });

  it('a bridge that stops reading, then stops acknowledging (its buffer full), and comes back before the write timeout: the car gets what its kernel held unread, at most the unacknowledged budget more, and the newest',
    async (t) => {
      // The bridge's program stops reading: its kernel acknowledges every byte we write, and keeps it for the car.
      // We cannot see those. Then it stops acknowledging, as a full receive buffer does (cut() makes that
      // moment exact: a real buffer fills after a number of bytes that depends on its kernel; docs/safety.md).
      // From then on the stick keeps moving, and what waits on our side is bounded: at most UNACKED_BUDGET bytes
      // the bridge has not acknowledged (in our kernel), and the newest (in the link's slot).
      const p = await peer(t);
      const link = createTcpLink(parseLinkSpec(p.spec) as TcpSpec, { writeTimeoutMs: 60_000 });
      t.after(() => link.close());
      await link.open();
      await waitForLinkState(link, 'connected');
      let written = 0;
      const steer = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++) {
          assert.equal(link.write(Uint8Array.of(written++ % 2 === 0 ? 0x1f : 0x5f)), true);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await p.stall();
      await steer(20);
      await p.cut();
      await steer(2 * UNACKED_BUDGET + 8); // more than the budget and the slot: unbounded would show
      const newest = (written - 1) % 2 === 0 ? 0x1f : 0x5f;
      const [held] = await p.unread();
      const stale = held.kernel + held.program;
      t.diagnostic(`${written} writes; the stalled bridge held ${held.kernel} bytes in its kernel, ${held.program} in its program`);
      assert.ok(stale >= 1 && stale <= 20, `the bridge's kernel took (some of) the writes made before it stopped acknowledging: ${stale}`);
      assert.equal(p.connections[0].length, 0, 'nothing reached the car during the stall');

      await p.restore();
      await p.unstall();
      await p.until(() => p.lastByte === newest && p.connections[0].length > stale, 'the newest write', 10_000);
      await new Promise((r) => setTimeout(r, 200)); // anything else would show up now
      const got = p.connections[0].length;
      assert.ok(got <= stale + UNACKED_BUDGET + 1, `the car got ${got} bytes: the ${stale} the bridge held, at most ${UNACKED_BUDGET} it had not acknowledged, and the newest`);
      assert.equal(p.lastByte, newest);
      assert.equal(link.state, 'connected');
    });
});
