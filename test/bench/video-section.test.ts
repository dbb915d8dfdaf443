// The video section's table (bench/video-section.ts), on made-up trials: no timing here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { videoBody } from '../../bench/video-section.js';

test('one row per phase, median, min and max over the trials', () => {
  const trial = (shown: number) => ({ loaded: 100, welcome: 150, offer: 300, decoded: shown - 5, shown });
  const body = videoBody({ trials: [trial(700), trial(500), trial(900)], camera: '640x480 at 20 fps', chromium: '156' });
  assert.match(body, /Chromium 156 headless/);
  assert.match(body, /fake camera \(640x480 at 20 fps\), 3 fresh pages/);
  assert.match(body, /\| first frame on screen \| 700 ms \| 500 ms \| 900 ms \|/);
  assert.match(body, /\| the camera's offer \| 300 ms \| 300 ms \| 300 ms \|/);
});
