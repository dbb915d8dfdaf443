// Shared by the video tests and the video bench: Chromium with a fake camera, the camera page, and a
// count of the frames a page's <video> shows.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WAIT_MS, launchBrowser } from './harness.js';

/**
 * A fake camera (a test pattern at 640x480) that needs no permission prompt. Host candidates carry this
 * machine's own addresses instead of mDNS names: resolving those would send multicast queries onto
 * the network, and every connectivity check between two pages on one machine stays on it anyway.
 */
export const VIDEO_ARGS = [
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
];

export function launchVideoBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return launchBrowser([...VIDEO_ARGS, ...extraArgs]);
}

/** A camera page on its own context (a phone of its own), streaming (or as far as it gets: `state`). */
export async function openCamera(browser: Browser, url: string, state = 'streaming'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera'], viewport: { width: 900, height: 600 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator(`#cam-state[data-state="${state}"]`).waitFor({ timeout: WAIT_MS });
  return { context, page };
}

/** Frames the page's video element shows in `ms` (requestVideoFrameCallback), and its size at the end. */
export function countFrames(page: Page, ms: number): Promise<{ frames: number; width: number; height: number }> {
  return page.evaluate(`new Promise((resolve) => {
    const video = document.querySelector('#video-feed');
    let frames = 0;
    let counting = true;
    const tick = () => { if (!counting) return; frames++; video.requestVideoFrameCallback(tick); };
    video.requestVideoFrameCallback(tick);
    setTimeout(() => { counting = false; resolve({ frames, width: video.videoWidth, height: video.videoHeight }); }, ${ms});
  })`);
}
