// A TCP bridge that vanishes mid-drive (powered off, out of Wi-Fi range): no FIN, no RST, no ACK. The
// link must notice within --link-timeout-ms, say so, reconnect when the bridge is back, and send the stop
// before anything else on the new connection. (Whatever the car got last before the cut, it holds until
// then: no software on this side can reach it; see docs/safety.md.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossyPeerUnsupported, startLossyPeer } from '../support/lossy-peer.js';
import { startWebracer } from './webracer-process.js';
import { driverClient, FULL_FORWARD, SLACK_MS, STOP, within } from './scene.js';

const LINK_TIMEOUT_MS = 1_000; // the default --link-timeout-ms

describe('a stalled TCP bridge', { skip: lossyPeerUnsupported(), timeout: 90_000 }, () => {
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
});
