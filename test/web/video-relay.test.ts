// The camera's video through a real TURN server (issue 21 item 5): coturn on loopback, started here, the
// server given it with --ice-server and --turn-secret, and a camera page and a viewer page whose WebRTC may
// use relayed candidates only (iceTransportPolicy 'relay', as on networks that let no UDP through but to
// their TURN server). The picture flows through live allocations, one per page, each with credentials
// minted for that page's client (coturn's log names them), and the viewer plays its frames.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allocations, coturnMissing, startCoturn, type Coturn } from '../support/coturn.js';
import { WAIT_MS, ensureBuilt, openPage, startServer, watchPage, type ControlServer, type Watched } from './harness.js';
import { countFrames, launchVideoBrowser } from './video-harness.js';

/** Relayed candidates only, whatever the page asks for; `window.testPcs` keeps each connection for its stats. */
const RELAY_ONLY = `(() => {
  const Native = RTCPeerConnection;
  window.testPcs = [];
  window.RTCPeerConnection = function (config) {
    const pc = new Native({ ...config, iceTransportPolicy: 'relay' });
    window.testPcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})()`;

/** The candidate types of the pair each of the page's connected peer connections uses. */
const SELECTED_PAIRS = `Promise.all(window.testPcs.filter((pc) => pc.connectionState === 'connected').map(async (pc) => {
  const stats = await pc.getStats();
  let pair;
  stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
  return pair ? [stats.get(pair.localCandidateId).candidateType, stats.get(pair.remoteCandidateId).candidateType] : null;
}))`;

const clientId = (seen: Watched): string => seen.received.find((f) => f.message.type === 'welcome')!.message.clientId as string;
const missing = coturnMissing();

describe('the camera\'s video through coturn', { skip: missing ?? false }, () => {
  let coturn: Coturn;
  let server: ControlServer;
  let browser: Browser;
  let camera: Page;
  let viewer: Page;
  let cameraSeen: Watched;
  let viewerSeen: Watched;

  before(async () => {
    await ensureBuilt();
    const secret = randomBytes(16).toString('hex');
    coturn = await startCoturn(secret, 'video-relay', WAIT_MS);
    server = await startServer('sim', { iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}?transport=udp` }], turnSecret: secret });
    browser = await launchVideoBrowser();
    const cameraContext = await browser.newContext({ permissions: ['camera'], viewport: { width: 900, height: 600 } });
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    for (const context of [cameraContext, viewerContext]) await context.addInitScript(RELAY_ONLY);
    camera = await cameraContext.newPage();
    viewer = await viewerContext.newPage();
    cameraSeen = watchPage(camera);
    viewerSeen = watchPage(viewer);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    coturn?.stop();
  });

  it('video relayed: camera and viewer on relayed candidates only, through a live allocation each, the viewer plays frames', async () => {
    await camera.goto(`${server.url}camera`);
    await camera.locator('#cam-state[data-state="streaming"]').waitFor({ timeout: WAIT_MS });
    await openPage(viewer, server.url, 'driver');
    await viewer.locator('#st-video[data-state="live"]').waitFor({ timeout: WAIT_MS });
    const seen = await countFrames(viewer, 3000);
    assert.ok(seen.frames >= 15, `${seen.frames} frames in 3 s through the relay`);
    assert.ok(seen.width > 0 && seen.height > 0, `${seen.width}x${seen.height}`);
    const made = allocations(coturn.logFile);
    for (const [who, seenBy] of [['camera', cameraSeen], ['viewer', viewerSeen]] as const) {
      assert.ok(made.includes(clientId(seenBy)), `coturn made a relay for the ${who} (${clientId(seenBy)}); it made them for ${made.join(', ') || 'no one'}`);
    }
    for (const [who, page] of [['camera', camera], ['viewer', viewer]] as const) {
      const pairs = await page.evaluate(SELECTED_PAIRS) as Array<[string, string] | null>;
      assert.ok(pairs.length >= 1 && pairs.every((p) => p !== null && p[0] === 'relay'), `${who}'s pairs: ${JSON.stringify(pairs)}`);
    }
  });
});
