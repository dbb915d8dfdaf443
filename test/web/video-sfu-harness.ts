// Shared by the SFU tests and bench: a camera page whose RTCPeerConnections can be read, and what it sends.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WAIT_MS } from './harness.js';

/** Keeps every RTCPeerConnection the page makes in window.testPeerConnections. */
export const RECORD_PCS = `(() => {
  const Native = window.RTCPeerConnection;
  const pcs = [];
  window.testPeerConnections = pcs;
  window.RTCPeerConnection = function (config) {
    const pc = new Native(config);
    pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})()`;

/** A camera page (its own context, a phone of its own), streaming, with its connections recorded. */
export async function openRecordedCamera(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 900, height: 600 } });
  await context.addInitScript(RECORD_PCS);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#cam-state[data-state="streaming"]').waitFor({ timeout: WAIT_MS });
  return { context, page };
}

/** Audio packets the page's open connections have received so far (inbound-rtp, kind audio). */
export function audioPacketsReceived(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let packets = 0;
    for (const pc of window.testPeerConnections) {
      if (pc.signalingState === 'closed') continue;
      for (const stat of (await pc.getStats()).values()) if (stat.type === 'inbound-rtp' && stat.kind === 'audio') packets += stat.packetsReceived;
    }
    return packets;
  })()`);
}

/** Resolves once the page has received more audio packets than `than` (polled: stats have no event). */
export async function audioArrives(page: Page, than: number): Promise<number> {
  const deadline = Date.now() + WAIT_MS * 2;
  for (;;) {
    const packets = await audioPacketsReceived(page);
    if (packets > than) return packets;
    if (Date.now() > deadline) throw new Error(`no audio arrived: ${packets} packets`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One outbound video stream of the camera: to Janus (`sfu`: its answer names Janus's streams, "WMS janus") or to a page. */
export interface VideoSender { peer: 'sfu' | 'page'; bytesSent: number; framesSent: number }

/** The camera page's open connections that send video (outbound-rtp, kind video), from their stats. */
export function cameraVideoSenders(page: Page): Promise<VideoSender[]> {
  return page.evaluate(`(async () => {
    const senders = [];
    for (const pc of window.testPeerConnections) {
      if (pc.signalingState === 'closed' || !pc.remoteDescription) continue;
      const peer = /WMS janus/.test(pc.remoteDescription.sdp) ? 'sfu' : 'page';
      for (const stat of (await pc.getStats()).values()) {
        if (stat.type === 'outbound-rtp' && stat.kind === 'video') senders.push({ peer, bytesSent: stat.bytesSent, framesSent: stat.framesSent ?? 0 });
      }
    }
    return senders;
  })()`);
}
