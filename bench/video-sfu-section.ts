/**
 * Runs bench/video-sfu.ts in its own process and turns its result into the report's section: the camera's
 * upload with 1, 4 and 8 viewers peer to peer against through Janus, the viewers' frame rates, Janus's and
 * webracer's CPU at 8 viewers, and a new viewer's time to first frame in each mode, with the load the
 * machine was under. Not in --quick: two servers, Janus and some twenty Chromium pages take minutes.
 */
import { join } from 'node:path';
import { childLimit, runJsonChild } from './child-json.js';
import { percentile } from './safety-section.js';
import { ROOT } from './servers/catalog.js';
import { janusMissing } from '../test/support/janus.js';
import type { ModeResult, VideoSfuResult } from './video-sfu.js';

export const VIDEO_SFU_TITLE = 'Video through the SFU (issue 22)';
const QUICK_SKIP = 'skipped in --quick: it runs webracer twice, Janus and about twenty Chromium pages with fake cameras for 3 to 5 minutes, too slow for CI\'s quick bench';

const MODE = { p2p: 'peer to peer', sfu: 'SFU' } as const;
const kB = (bytes: number): string => `${(bytes / 1000).toFixed(bytes < 100_000 ? 1 : 0)} kB/s`;
const range = (values: number[]): string => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return low === high ? `${low}` : `${low}-${high}`;
};

function upload(results: ModeResult[]): string[] {
  const rows = ['| viewers | mode | camera\'s video streams | camera\'s upload | viewers\' frame rate (each, decoded) |', '| --- | --- | --- | --- | --- |'];
  for (const r of results) {
    for (const s of r.steps) rows.push(`| ${s.viewers} | ${MODE[r.mode]} | ${s.streams} | ${kB(s.uploadBytesPerS)} | ${range(s.fps)} |`);
  }
  return rows;
}

function cpuAndFirstFrame(results: ModeResult[]): string[] {
  const rows = ['| mode | Janus CPU at 8 viewers | webracer CPU at 8 viewers | a new viewer\'s first frame (median, min-max) |', '| --- | --- | --- | --- |'];
  for (const r of results) {
    const cpu = r.steps.find((s) => s.cpu)?.cpu;
    const janus = cpu?.janus === null || cpu === undefined ? '-' : `${cpu.janus} %`;
    const spread = r.firstFrameMs.length > 1 ? ` (${range(r.firstFrameMs)})` : '';
    const timeouts = r.firstFrameTimeouts > 0 ? `; ${r.firstFrameTimeouts} saw none within a minute` : '';
    const first = (r.firstFrameMs.length === 0 ? '-' : `${percentile(r.firstFrameMs, 50)} ms${spread}`) + timeouts;
    rows.push(`| ${MODE[r.mode]} | ${janus} | ${cpu ? `${cpu.webracer} %` : '-'} | ${first} |`);
  }
  return rows;
}

export function videoSfuBody(r: VideoSfuResult): string {
  const trials = (r.results[0]?.firstFrameMs.length ?? 0) + (r.results[0]?.firstFrameTimeouts ?? 0);
  return [
    'The camera\'s upload and every viewer\'s frame rate with 1, 4 and 8 viewer pages, peer to peer against',
    'through Janus (`--sfu`, Debian\'s janus with docs/video.md\'s minimal config); Janus\'s and webracer\'s CPU',
    `at 8 viewers (user + system from /proc over the window; 100 % = one core); a new viewer page's time from`,
    `opening to its first frame on screen, alone with the camera (${trials} trials). One headless Chromium ${r.chromium}`,
    'for the camera page and every viewer, a context each (fake camera at the page\'s default 640x480 and 30 fps,',
    `VP8 in software, the camera's microphone on), webracer as its own process (\`--max-viewers 12\`), Janus`,
    `beside it, all on this machine; ${r.windowMs / 1000} s windows. Frame rates are frames decoded (getStats).`,
    `**Load average (1, 5, 15 min) at the start ${r.load.start}, at the end ${r.load.end}**: the camera and`,
    'eight decoders share the same cores, so on a busy machine the peer-to-peer rows (eight encodes) suffer first.',
    '',
    ...upload(r.results),
    '',
    ...cpuAndFirstFrame(r.results),
  ].join('\n');
}

export async function videoSfuSection(quick: boolean): Promise<{ title: string; body: string }> {
  const skip = quick ? QUICK_SKIP : janusMissing();
  if (skip !== null) {
    console.log(`video through the SFU: ${skip}`);
    return { title: VIDEO_SFU_TITLE, body: `Not measured in this run: ${skip}. Alone: \`npm run build && node --import tsx bench/video-sfu.ts\`.` };
  }
  const argv = [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'video-sfu.ts')];
  const result = await runJsonChild<VideoSfuResult>(argv, 'video through the SFU', childLimit(quick, 10 * 60_000)); // quick never gets here; bounded like the others anyway
  const sfu8 = result.results.find((m) => m.mode === 'sfu')?.steps.at(-1);
  console.log(`video through the SFU: 8 viewers at ${sfu8 ? range(sfu8.fps) : '?'} fps, ${sfu8?.streams ?? '?'} stream(s) from the camera`);
  return { title: VIDEO_SFU_TITLE, body: videoSfuBody(result) };
}
