/**
 * Runs bench/video.ts in its own process and turns its result into the report's section: the time from
 * opening the driving page to its first video frame (median of the trials), with where the time goes.
 */
import { join } from 'node:path';
import { childLimit, runJsonChild } from './child-json.js';
import { percentile } from './safety-section.js';
import { ROOT } from './servers/catalog.js';

/** Milliseconds from the start of the driving page's navigation (see bench/video.ts). */
export interface VideoTrial { loaded: number; welcome: number; offer: number; decoded: number; shown: number }

export interface VideoResult {
  trials: VideoTrial[];
  /** What the fake camera delivered: "640x480 at 30 fps". */
  camera: string;
  chromium: string;
}

const PHASES: Array<[keyof VideoTrial, string]> = [
  ['loaded', 'page loaded (DOMContentLoaded)'],
  ['welcome', 'the server\'s welcome'],
  ['offer', 'the camera\'s offer'],
  ['decoded', 'first frame decoded'],
  ['shown', 'first frame on screen'],
];

const ms = (v: number): string => `${v.toFixed(0)} ms`;

export function videoBody(r: VideoResult): string {
  const lines = [
    `Time from opening the driving page to its first video frame, with a camera page already streaming: the`,
    `real server on loopback (simulated car), Chromium ${r.chromium} headless without a GPU (software VP8),`,
    `its fake camera (${r.camera}), ${r.trials.length} fresh pages one after the other, each in a new browser`,
    'context. Times are read in the page, from the start of its navigation; `bench/video.ts` says how.',
    '',
    '| from opening the page to | median | min | max |',
    '| --- | --- | --- | --- |',
  ];
  for (const [key, label] of PHASES) {
    const values = r.trials.map((t) => t[key]);
    lines.push(`| ${label} | ${ms(percentile(values, 50))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`);
  }
  return lines.join('\n');
}

export async function videoSection(quick: boolean): Promise<{ title: string; body: string }> {
  const argv = [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'video.ts'), '--trials', quick ? '3' : '10'];
  const result = await runJsonChild<VideoResult>(argv, 'video', childLimit(quick, 5 * 60_000));
  const shown = result.trials.map((t) => t.shown);
  console.log(`video: first frame on screen after ${ms(percentile(shown, 50))} (median of ${shown.length})`);
  return { title: 'Video: opening the page to the first frame', body: videoBody(result) };
}
