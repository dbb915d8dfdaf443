// Where the pages get their ICE servers: from the answer to `watch` (a viewer) and to `camera-on` (the
// camera), with TURN credentials minted for each, never from `welcome`; and they ask again, on the same
// connection, before the credentials expire. Headless Chromium with a fake camera against the real server;
// the TURN server named is a closed loopback port, so the pictures go over host candidates as on a LAN.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RENEW_BEFORE_S } from '../../web/ice-renewal.js';
import { TURN_CREDENTIAL_TTL_S } from '../../src/control/video/turn-credentials.js';
import { WAIT_MS, ensureBuilt, startServer, waitForSent, watchPage, type ControlServer, type Watched } from './harness.js';
import { launchVideoBrowser } from './video-harness.js';

/** Every RTCPeerConnection's configuration, as the page made it. */
const RECORD_RTC_CONFIGS = `(() => {
  const Native = window.RTCPeerConnection;
  const configs = [];
  window.testRtcConfigs = configs;
  window.RTCPeerConnection = function (config) {
    configs.push(JSON.parse(JSON.stringify(config ?? {})));
    return new Native(config);
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})()`;

interface Opened { context: BrowserContext; page: Page; seen: Watched }

describe('ICE servers come with video, not with the welcome', () => {
  let server: ControlServer;
  let browser: Browser;
  let camera: Opened;
  let viewer: Opened;

  async function open(url: string, permissions: string[] = []): Promise<Opened> {
    const context = await browser.newContext({ permissions, viewport: { width: 1000, height: 700 } });
    await context.addInitScript(RECORD_RTC_CONFIGS);
    await context.clock.install(); // runs on its own; the test jumps it forward to the renewal
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(url);
    return { context, page, seen };
  }

  const received = (seen: Watched, type: string) => seen.received.filter((f) => f.message.type === type).map((f) => f.message);
  const clientId = (seen: Watched) => received(seen, 'welcome')[0].clientId as string;
  const turnUser = (message: Record<string, unknown>) =>
    (message.iceServers as Array<{ urls: string; username?: string }>).find((s) => s.urls.startsWith('turn:'))?.username;

  before(async () => {
    await ensureBuilt();
    server = await startServer('sim', { turnSecret: 'shared', iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp' }] });
    browser = await launchVideoBrowser();
    camera = await open(`${server.url}camera`, ['camera']);
    await camera.page.locator('#cam-state[data-state="streaming"]').waitFor({ timeout: WAIT_MS });
    viewer = await open(server.url);
    await viewer.page.locator('#st-video[data-state="live"]').waitFor({ timeout: WAIT_MS * 2 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('each page makes its connections with the servers of its own answer: credentials minted for it', async () => {
    for (const { seen, page } of [camera, viewer]) {
      const welcome = received(seen, 'welcome')[0];
      assert.equal('iceServers' in welcome, false);
      const [answer] = received(seen, 'ice-servers');
      assert.equal(answer.expiresInS, TURN_CREDENTIAL_TTL_S);
      assert.match(turnUser(answer)!, new RegExp(`^\\d+:${clientId(seen)}$`), 'minted for this page');
      const configs = await page.evaluate('window.testRtcConfigs') as Array<{ iceServers: unknown }>;
      assert.ok(configs.length >= 1);
      assert.deepEqual(configs.at(-1)!.iceServers, answer.iceServers);
    }
  });

  it('both ask again on the same connection two minutes before the credentials expire, and are answered', async () => {
    const sockets = [camera.seen.sockets, viewer.seen.sockets];
    const from = [camera.seen.sent.length, viewer.seen.sent.length];
    await Promise.all([camera, viewer].map(({ context }) => context.clock.fastForward((TURN_CREDENTIAL_TTL_S - RENEW_BEFORE_S) * 1000)));
    await waitForSent(camera.seen.sent, from[0], 'camera-on', 1);
    await waitForSent(viewer.seen.sent, from[1], 'watch', 1);
    // Only the pages' clocks jumped: the server's says the credentials are as fresh as ever, so it answers
    // with the same ones (a fresh mint near expiry: test/control/turn-credentials.test.ts).
    for (const { seen } of [camera, viewer]) {
      const deadline = Date.now() + WAIT_MS;
      while (received(seen, 'ice-servers').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const renewed = received(seen, 'ice-servers')[1];
      assert.ok(renewed, 'answered');
      assert.match(turnUser(renewed)!, new RegExp(`:${clientId(seen)}$`));
    }
    assert.deepEqual([camera.seen.sockets, viewer.seen.sockets], sockets, 'not by reconnecting');
    assert.equal(await camera.page.locator('#cam-state').getAttribute('data-state'), 'streaming');
  });
});
