// The drive channel through a real TURN server (issue 21 item 5): coturn on loopback, started here, the
// server given it with --ice-server and --turn-secret, and a page whose WebRTC may use relayed candidates
// only (a network that lets no UDP through but to its TURN server). The channel opens through a live
// allocation with credentials minted for this client, the status bar says relayed, and the page drives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { allocations, coturnMissing, ownAddress, startCoturn, type Coturn } from '../support/coturn.js';
import { RELAY_ONLY, WAIT_MS, openPage, waitForState, withPage } from './harness.js';
import '../support/rtc-cleanup.js'; // ends node-datachannel's threads once this file's tests are done

const address = ownAddress();
const missing = coturnMissing() ?? (address === null ? 'this machine has no IPv4 address but loopback, where the server\'s host candidates would be' : null);

describe('drive channel through coturn', { skip: missing ?? false }, () => {
  let coturn: Coturn;
  const secret = randomBytes(16).toString('hex');
  // Before withPage's before(): the server is told of this coturn.
  before(async () => {
    coturn = await startCoturn(secret, 'data-channel-relay', WAIT_MS, address!);
  });
  const rig = withPage({
    server: () => ({ iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}?transport=udp` }], turnSecret: secret, driveChannels: true }),
    initScripts: [RELAY_ONLY],
  });
  after(() => coturn?.stop());

  it('drive channel: relayed through a live TURN allocation, the page drives and the status bar says relayed', async () => {
    const { server, page } = rig;
    // What the server's end offers: its candidates, as the page hears them on its WebSocket.
    const serverCandidates: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      const m = /"type":"channel".*"candidate":\{"candidate":"([^"]*)"/.exec(String(payload));
      if (m) serverCandidates.push(m[1]);
    }));
    await openPage(page, server.url, 'driver');
    await page.locator('#st-path[data-path="relayed"]').waitFor({ timeout: WAIT_MS });
    assert.ok(allocations(coturn.logFile).length >= 1, 'coturn made a relay, for a client named in its minted user');
    // The page relays; the server's end never does (ice-config.ts ownIceServers: a relayed local
    // candidate is where node-datachannel's handshake can deadlock and freeze the server).
    assert.ok(serverCandidates.length > 0, 'the server sent its candidates');
    assert.deepEqual(serverCandidates.filter((c) => / typ relay/.test(c)), [], 'no relayed candidate of the server\'s own');
    await page.locator('body').click({ position: { x: 5, y: 780 } });
    await page.keyboard.down('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward through the relay');
    await page.keyboard.up('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop on letting go');
  });
});
