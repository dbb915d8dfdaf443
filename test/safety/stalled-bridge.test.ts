// A TCP bridge that vanishes mid-drive (powered off, out of Wi-Fi range): no FIN, no RST, no ACK. The
// link must notice within --link-timeout-ms, say so, reconnect when the bridge is back, and send the stop
// before anything else on the new connection. (Whatever the car got last before the cut, it holds until
// then: no software on this side can reach it; see docs/safety.md.)
//
// A bridge that stays up but whose program stops reading (stuck, its serial side blocked): its kernel
// acknowledges every byte, so only the bridge's echo (--link-ack echo) can tell; without it, what can
// reach the car late is bounded on our side only (docs/safety.md, "The link to the car").
import { UNACKED_BUDGET } from '../../src/vehicle/links/tcp.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossyPeerUnsupported, startLossyPeer, type LossyPeer } from '../support/lossy-peer.js';
import type { Client } from '../control/helpers.js';
import { startWebracer } from './webracer-process.js';
import { driverClient, FULL_FORWARD, isMoving, SLACK_MS, STOP, within } from './scene.js';

const LINK_TIMEOUT_MS = 1_000; // the default --link-timeout-ms

describe('a stalled TCP bridge', { skip: lossyPeerUnsupported(), timeout: 240_000 }, () => {
  it('the link is marked lost within --link-timeout-ms, reconnects, and the first byte on the new connection is the stop',
    async (t) => {
      const peer = await startLossyPeer();
      t.after(() => peer.close());
      const server = await startWebracer(['--link', peer.spec], { after: (cleanup) => t.after(cleanup) });
      await peer.until(() => peer.lastByte === STOP, 'the stop a link sends on connecting');
      const driver = await driverClient(t, server);

      // The driver steers while the network is cut, so the server keeps writing new bytes into it.
      let cut = 0;
      let left = false;
      const steer = setInterval(() => {
        if (driver.ws.readyState !== driver.ws.OPEN) return;
        driver.send({ type: 'drive', x: cut === 0 ? 0 : (left = !left) ? -0.5 : 0.5, y: 1 });
      }, 50);
      t.after(() => clearInterval(steer));
      await peer.until(() => peer.lastByte === FULL_FORWARD, 'the stick held forward');

      const mark = driver.mark();
      await peer.cut();
      cut = performance.now();
      await driver.next((m) => m.type === 'state' && m.link !== 'connected', 'the link to be marked lost', mark,
        LINK_TIMEOUT_MS + 15_000);
      const lostMs = performance.now() - cut;
      assert.ok(lostMs <= LINK_TIMEOUT_MS + SLACK_MS, `the link was marked lost ${lostMs.toFixed(0)} ms after the cut`);
      assert.equal(driver.latestState().byte, null, 'while the link is down the car\'s byte is unknown');

      const before = peer.connections.length;
      await peer.restore();
      await within(driver.state({ link: 'connected' }, mark), 'the link to reconnect', 30_000);
      await peer.until(() => peer.connections.length > before && peer.connections.at(-1)!.length > 0,
        'the first byte on the new connection');
      assert.equal(peer.connections.at(-1)![0], STOP, `the first byte on the new connection; got ${JSON.stringify(peer.connections)}`);
    });

  it('with --link-ack echo, a bridge that stops reading while the stick moves is marked lost within --link-timeout-ms; when it reads again, at most one stale byte comes before the stop, and none after',
    { timeout: 75_000 }, async (t) => {
      const peer = await startLossyPeer({ echo: true, oneAtATime: true });
      t.after(() => peer.close());
      const server = await startWebracer(['--link', peer.spec, '--link-ack', 'echo', '--link-refresh-ms', '250'],
        { after: (cleanup) => t.after(cleanup) });
      await peer.until(() => peer.lastByte === STOP, 'the stop a link sends on connecting');
      const driver = await driverClient(t, server);
      steerAt20Hz(t, driver);
      await peer.until(() => peer.lastByte !== undefined && isMoving(peer.lastByte), 'the car steering');

      const mark = driver.mark();
      const before = peer.connections[0].length;
      await peer.stall();
      const stalledAt = performance.now();
      await driver.next((m) => m.type === 'state' && m.link !== 'connected', 'the link to be marked lost', mark, LINK_TIMEOUT_MS + 15_000);
      const lostMs = performance.now() - stalledAt;
      t.diagnostic(`the stalled bridge was noticed ${lostMs.toFixed(0)} ms after it stopped reading`);
      assert.ok(lostMs <= LINK_TIMEOUT_MS + SLACK_MS, `the link was marked lost ${lostMs.toFixed(0)} ms after the stall`);

      // Stalled a while longer, the stick still moving: each reconnect meanwhile gets a stop and is given up.
      await new Promise((r) => setTimeout(r, 1_000));
      await peer.unstall();
      await peer.until(() => peer.connections.length > 1 && peer.connections.at(-1)!.length > 0, 'a connection that delivers', 30_000);
      await within(driver.state({ link: 'connected' }, mark), 'the link to be connected again', 30_000);
      await new Promise((r) => setTimeout(r, 300)); // anything still held by the bridge shows up now

      const stale = peer.connections[0].slice(before);
      const later = peer.connections.slice(1);
      t.diagnostic(`after the stall: ${JSON.stringify([stale, ...later])}`);
      assert.ok(stale.length <= 1, `at most the one write the bridge never answered reached the car late: ${JSON.stringify(stale)}`);
      for (const bytes of later.filter((b) => b.length > 0)) assert.equal(bytes[0], STOP, 'every new connection begins with the stop');
      for (const bytes of later.slice(0, -1)) assert.ok(bytes.every((b) => b === STOP), 'a connection given up carried only its stop');
    });

  it('without an echo, a bridge that stops reading and then stops acknowledging, back before --link-timeout-ms: the car gets what the bridge held unread, at most the unacknowledged budget more, then the newest',
    { timeout: 75_000 }, async (t) => {
      const peer = await startLossyPeer();
      t.after(() => peer.close());
      const server = await startWebracer(['--link', peer.spec, '--link-timeout-ms', '20000'], { after: (cleanup) => t.after(cleanup) });
      await peer.until(() => peer.lastByte === STOP, 'the stop a link sends on connecting');
      const driver = await driverClient(t, server);
      const steering = steerAt20Hz(t, driver);
      await peer.until(() => peer.lastByte !== undefined && isMoving(peer.lastByte), 'the car steering');

      const before = peer.connections[0].length;
      await peer.stall(); // its kernel still acknowledges: the link stays connected, nothing reaches the car
      await new Promise((r) => setTimeout(r, 1_000));
      await peer.cut(); // its receive buffer is full (made exact here): nothing more is acknowledged
      await new Promise((r) => setTimeout(r, 1_500));
      steering.stop(); // and the watchdog stops the car: that stop is the newest write, in the link's slot
      await new Promise((r) => setTimeout(r, 500 + 300));
      const newest = STOP;
      const [held] = await unreadOf(peer);
      const stale = held.kernel + held.program;
      t.diagnostic(`the stalled bridge held ${held.kernel} bytes in its kernel and ${held.program} in its program`);
      assert.equal(peer.connections[0].length, before, 'nothing reached the car during the stall');

      await peer.restore();
      await peer.unstall();
      await peer.until(() => peer.connections[0].length > before + stale && peer.lastByte === newest, 'the newest write', 15_000);
      await new Promise((r) => setTimeout(r, 300)); // anything else would show up now
      const late = peer.connections[0].length - before;
      t.diagnostic(`the car got ${late} bytes late`);
      assert.ok(late <= stale + UNACKED_BUDGET + 1, `the car got ${late} bytes late: the ${stale} the bridge held, at most ${UNACKED_BUDGET} it had not acknowledged, and the newest`);
      assert.equal(peer.lastByte, newest);
      assert.equal(peer.connections.length, 1, 'one connection throughout: without the echo the link never noticed');
    });
});

/** Drive messages at 20 Hz, alternating left and right of forward, so that every one changes the car's byte. */
function steerAt20Hz(t: { after(fn: () => void): void }, driver: Client) {
  let left = false;
  const timer = setInterval(() => {
    if (driver.ws.readyState !== driver.ws.OPEN) return;
    left = !left;
    driver.send({ type: 'drive', x: left ? -0.5 : 0.5, y: 1 });
  }, 50);
  t.after(() => clearInterval(timer));
  return { stop: () => clearInterval(timer) };
}

async function unreadOf(peer: LossyPeer) {
  const unread = await peer.unread();
  assert.equal(unread.length, 1, 'one connection open');
  return unread;
}
