// The drive channel through a real TURN server (issue 21 item 5): coturn on loopback, started here, the
// server given it with --ice-server and --turn-secret, and a page whose WebRTC may use relayed candidates
// only (a network that lets no UDP through but to its TURN server). The channel opens through a live
// allocation with credentials minted for this client, the status bar says relayed, and the page drives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allocations, coturnMissing, ownAddress, startCoturn, type Coturn } from '../support/coturn.js';
import {
  WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForState, type ControlServer,
} from './harness.js';
import '../support/rtc-cleanup.js'; // ends node-datachannel's threads once this file's tests are done

const RELAY_ONLY = `(() => {
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = function (config) { return new Native({ ...config, iceTransportPolicy: 'relay' }); };
  window.RTCPeerConnection.prototype = Native.prototype;
})()`;

const address = ownAddress();
const missing = coturnMissing() ?? (address === null ? 'this machine has no IPv4 address but loopback, where the server\'s host candidates would be' : null);

describe('drive channel through coturn', { skip: missing ?? false }, () => {
  let coturn: Coturn;
  let server: ControlServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await ensureBuilt();
    const secret = randomBytes(16).toString('hex');
    coturn = await startCoturn(secret, 'data-channel-relay', WAIT_MS, address!);
    server = await startServer('sim', { iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}?transport=udp` }], turnSecret: secret, driveChannels: true });
    browser = await launchBrowser();
    const context = await browser.newContext();
    await context.addInitScript(RELAY_ONLY);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    coturn?.stop();
  });

  it('drive channel: relayed through a live TURN allocation, the page drives and the status bar says relayed', async () => {
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
