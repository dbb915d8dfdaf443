// The SFU video section (bench/video-sfu-section.ts), on made-up results: no timing here, and nothing started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { videoSfuBody, videoSfuSection } from '../../bench/video-sfu-section.js';

test('a row per mode and viewer count, the CPU at 8 and the first frame per mode, and the load it ran under', () => {
  const step = (viewers: number, streams: number, bytes: number, fps: number[], cpu?: { janus: number | null; webracer: number }) =>
    ({ viewers, streams, uploadBytesPerS: bytes, fps, ...(cpu ? { cpu } : {}) });
  const body = videoSfuBody({
    windowMs: 5000, chromium: '156', load: { start: '3.10 2.00 1.50', end: '4.00 2.50 1.60' },
    results: [
      { mode: 'p2p', steps: [step(1, 1, 52_700, [16.8]), step(8, 8, 344_000, [4.2, 7.4], { janus: null, webracer: 2.9 })], firstFrameMs: [900, 700, 800], firstFrameTimeouts: 0 },
      { mode: 'sfu', steps: [step(1, 1, 55_700, [16]), step(8, 1, 57_000, [12, 12], { janus: 7.9, webracer: 1.9 })], firstFrameMs: [400, 500], firstFrameTimeouts: 1 },
    ],
  });
  assert.match(body, /at the start 3\.10 2\.00 1\.50, at the end 4\.00 2\.50 1\.60/);
  assert.match(body, /\| 8 \| peer to peer \| 8 \| 344 kB\/s \| 4\.2-7\.4 \|/);
  assert.match(body, /\| 8 \| SFU \| 1 \| 57\.0 kB\/s \| 12 \|/);
  assert.match(body, /\| peer to peer \| - \| 2\.9 % \| 800 ms \(700-900\) \|/);
  assert.match(body, /\| SFU \| 7\.9 % \| 1\.9 % \| 400 ms \(400-500\); 1 saw none within a minute \|/);
});

test('--quick skips it, says why, and starts nothing', async () => {
  const section = await videoSfuSection(true);
  assert.match(section.body, /Not measured in this run: skipped in --quick: .* too slow for CI's quick bench/);
});
