// `ack: 'echo'` over TCP against a loopback bridge that echoes every byte, as the sketch in docs/vehicle.md
// does, and that can stop reading (socket.pause(): its kernel still acknowledges what we send, so only the
// missing echo can tell).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createTcpLink } from '../../src/vehicle/links/tcp.js';
import { drivingOver } from '../support/driving.js';
import { waitForLinkState } from '../support/link-state.js';
import { LoopbackBridge, echo } from '../support/loopback-bridge.js';

async function driving(t: TestContext, bridge: LoopbackBridge, writeTimeoutMs: number) {
  const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port: bridge.port },
    { ack: 'echo', writeTimeoutMs, initialDelayMs: 50, maxDelayMs: 200 });
  return drivingOver(t, link, () => bridge.until(() => bridge.connections[0]?.length === 1, 'the stop on connecting'));
}

const FORWARD = 0x16;
const STEER = [0x1f, 0x5f, 0x2f, 0x6f]; // forward-left and forward-right at two speeds: each one a change

describe('tcp link with ack: echo', { timeout: 60_000 }, () => {
  it('a bridge whose program stops reading is given up within writeTimeoutMs, and the reconnect writes the stop first', async (t) => {
    const bridge = await LoopbackBridge.start(t, { answer: echo });
    const { link, driver, failures } = await driving(t, bridge, 500);
    driver.drive({ kind: 'raw', byte: FORWARD });
    await bridge.until(() => bridge.connections[0].at(-1) === FORWARD, 'forward');

    bridge.stall();
    const stalledAt = performance.now();
    driver.drive({ kind: 'raw', byte: STEER[0] }); // acknowledged by the bridge's kernel, never echoed
    await waitForLinkState(link, 'reconnecting');
    const lostMs = performance.now() - stalledAt;
    t.diagnostic(`stall noticed after ${lostMs.toFixed(0)} ms`);
    assert.match(failures.at(-1)!, /not delivered within 500 ms/);
    assert.ok(lostMs < 500 + 1_000, `given up ${lostMs.toFixed(0)} ms after the stall`);

    bridge.unstall();
    await waitForLinkState(link, 'connected');
    const fresh = bridge.connections.length - 1;
    await bridge.until(() => bridge.connections[fresh].length >= 1, 'the stop on the new connection');
    assert.equal(bridge.connections[fresh][0], 0x00, 'the first byte after the reconnect is the stop');
  });

  it('at most one write is unanswered: a bridge that stalls and comes back gets one stale byte, then the newest', async (t) => {
    const bridge = await LoopbackBridge.start(t, { answer: echo });
    const { link, driver } = await driving(t, bridge, 60_000);
    driver.drive({ kind: 'raw', byte: FORWARD });
    await bridge.until(() => bridge.connections[0].at(-1) === FORWARD, 'forward');
    const before = bridge.connections[0].length;

    bridge.stall();
    for (let i = 0; i < 20; i++) {
      driver.drive({ kind: 'raw', byte: STEER[i % STEER.length] });
      await new Promise((r) => setTimeout(r, 5)); // demands spaced in time, each replacing the last
    }
    const newest = STEER[19 % STEER.length];
    bridge.unstall();
    await bridge.until(() => bridge.connections[0].at(-1) === newest, 'the newest write');
    await new Promise((r) => setTimeout(r, 100)); // anything else would show up now
    // The one write that was handed over when the bridge stalled (the first made then, or a later one if the
    // echo of FORWARD was still on its way), then the newest: nothing else of the 20.
    const after = bridge.connections[0].slice(before);
    assert.ok(after.length >= 1 && after.length <= 2, `after the stall: [${after.join(', ')}]`);
    assert.equal(after.at(-1), newest);
    assert.equal(link.state, 'connected');
  });

  it('a bridge that does not echo what it got is given up, and the failure says so', async (t) => {
    const bridge = await LoopbackBridge.start(t, { answer: () => Buffer.from('OK\r\n') });
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port: bridge.port }, { ack: 'echo', initialDelayMs: 60_000 });
    const failures: string[] = [];
    link.on('failure', (e: Error) => failures.push(e.message));
    t.after(() => link.close());
    await link.open();
    await waitForLinkState(link, 'connected');
    link.write(Uint8Array.of(0x00));
    await waitForLinkState(link, 'reconnecting');
    assert.match(failures[0], /sent 0x4f where the echo of 0x00 was due: is it echoing every byte \(--link-ack echo\)\?/);
  });

  it('without ack, the same stalled bridge stays connected: only the echo can tell', async (t) => {
    const bridge = await LoopbackBridge.start(t, { answer: echo });
    const link = createTcpLink({ kind: 'tcp', host: '127.0.0.1', port: bridge.port }, { writeTimeoutMs: 300 });
    t.after(() => link.close());
    await link.open();
    await waitForLinkState(link, 'connected');
    bridge.stall();
    for (let i = 0; i < 10; i++) {
      link.write(Uint8Array.of(STEER[i % STEER.length]));
      await new Promise((r) => setTimeout(r, 60)); // 600 ms in all, twice the write timeout: nothing fails meanwhile
    }
    assert.equal(link.state, 'connected', 'every byte was acknowledged by the bridge\'s kernel');
  });
});
