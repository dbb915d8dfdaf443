// The drive channel through a real TURN server (issue 21 item 5): coturn on loopback, started here, the
// server given it with --ice-server and --turn-secret, and a page whose WebRTC may use relayed candidates
// only (a network that lets no UDP through but to its TURN server). The channel opens through a live
// allocation with credentials minted for this client, the status bar says relayed, and the page drives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allocations, coturnMissing, startCoturn, type Coturn } from '../support/coturn.js';
import {
  WAIT_MS, ensureBuilt, launchBrowser, openPage, startServer, waitForState, type ControlServer,
} from './harness.js';
import '../support/rtc-cleanup.js'; // ends node-datachannel's threads once this file's tests are done

const RELAY_ONLY = `(() => {
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = function (config) { return new Native({ ...config, iceTransportPolicy: 'relay' }); };
  window.RTCPeerConnection.prototype = Native.prototype;
})()`;

const missing = coturnMissing();

describe('drive channel through coturn', { skip: missing ?? false }, () => {
  let coturn: Coturn;
  let server: ControlServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await ensureBuilt();
    const secret = randomBytes(16).toString('hex');
    coturn = await startCoturn(secret, 'data-channel-relay', WAIT_MS);
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
    await openPage(page, server.url, 'driver');
    await page.locator('#st-path[data-path="relayed"]').waitFor({ timeout: WAIT_MS });
    assert.ok(allocations(coturn.logFile).length >= 1, 'coturn made a relay, for a client named in its minted user');
    await page.locator('body').click({ position: { x: 5, y: 780 } });
    await page.keyboard.down('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward through the relay');
    await page.keyboard.up('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop on letting go');
  });
});
