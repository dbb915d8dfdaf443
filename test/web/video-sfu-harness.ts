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

/**
 * The frames per second the page's open connections decoded over `ms` (inbound-rtp framesDecoded, read
 * at both ends of the window inside the page): what arrives and plays, whatever the page's animation
 * frames are doing (a busy browser shares those out unevenly between pages; the decoder runs apart).
 */
export function decodedFps(page: Page, ms: number): Promise<number> {
  return page.evaluate(`(async () => {
    const decoded = async () => {
      let frames = 0;
      for (const pc of window.testPeerConnections) {
        if (pc.signalingState === 'closed') continue;
        for (const stat of (await pc.getStats()).values()) if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
      }
      return { frames, at: performance.now() };
    };
    const start = await decoded();
    await new Promise((resolve) => setTimeout(resolve, ${ms}));
    const end = await decoded();
    return (end.frames - start.frames) / ((end.at - start.at) / 1000);
  })()`);
}

/** The camera page sends a small picture, 320x240 at 24 fps (its own Resolution and Frame rate controls): cheap to encode and decode many times, with room above 10 fps on a busy machine. */
export async function smallPicture(camera: Page): Promise<void> {
  await camera.selectOption('#resolution', '320x240');
  await camera.selectOption('#fps', '24');
}
