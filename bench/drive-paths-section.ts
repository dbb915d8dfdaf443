/**
 * Runs bench/drive-paths-lossy.ts in its own process and turns its result into the report's section:
 * pointer move in Chromium to the car's byte through a lossy path, the WebSocket against the drive
 * channel, against issue 21's goals.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { childLimit, runJsonChild } from './child-json.js';
import { ROOT } from './servers/catalog.js';

export type PathName = 'websocket' | 'channel';

export interface RunResult {
  moves: number;
  /** Milliseconds from the move to the car's byte. */
  p50: number;
  p99: number;
  max: number;
  /** Moves neither whose byte nor a later move's ever came. */
  missing: number;
  /** Share of the run's time the car ran on an older move than the newest sent. */
  staleShare: number;
  /** The longest time the car ran on an older move than the newest sent. */
  longestStaleMs: number;
}

export interface OutageResult {
  /** From the cut to the stop byte (null: no stop came). */
  stopAfterCutMs: number | null;
  /** Drive bytes after that stop while the knob was still held (stale input replayed; must be 0). */
  replayedDriveBytes: number;
  /** From pressing the knob again, after letting go, to a drive byte (null: never within 10 s). */
  drivingAgainMs: number | null;
}

export interface LossyPathResult {
  moves: number;
  levels: Array<{ loss: number; runs: Record<PathName, RunResult> }>;
  outageMs: number;
  outages: Record<PathName, OutageResult> | null;
}

const TITLE = 'Drive input over a lossy path: WebSocket and drive channel';
/** Issue 21: the channel's p99 at 2% and 5% loss within 1.25x its no-loss p99; at 5% at most half the WebSocket's. */
const OWN_RATIO = 1.25;
const AGAINST_WEBSOCKET = 0.5;
const WATCHDOG_MS = 500;

const ms = (v: number | null): string => (v === null || Number.isNaN(v) ? '–' : `${v.toFixed(0)}`);
const cell = (r: RunResult): string => `${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.max)} ms`;
const stale = (r: RunResult): string => `${(r.staleShare * 100).toFixed(0)}%, longest ${ms(r.longestStaleMs)} ms`;

function goals(r: LossyPathResult): string[] {
  const base = r.levels.find((l) => l.loss === 0)?.runs.channel.p99;
  const out: string[] = [];
  for (const loss of [2, 5]) {
    const level = r.levels.find((l) => l.loss === loss);
    if (!level || base === undefined) continue;
    const ratio = level.runs.channel.p99 / base;
    out.push(`- The channel's p99 at ${loss}% loss is ${ratio.toFixed(2)}x its no-loss p99 (goal <= ${OWN_RATIO}x): ${ratio <= OWN_RATIO ? 'met' : 'MISSED'}.`);
  }
  const five = r.levels.find((l) => l.loss === 5);
  if (five) {
    const ratio = five.runs.channel.p99 / five.runs.websocket.p99;
    out.push(`- At 5% loss the channel's p99 is ${ratio.toFixed(2)}x the WebSocket's (goal <= ${AGAINST_WEBSOCKET}x): ${ratio <= AGAINST_WEBSOCKET ? 'met' : 'MISSED'}.`);
  }
  for (const [path, o] of Object.entries(r.outages ?? {})) {
    const stopped = o.stopAfterCutMs !== null && o.stopAfterCutMs <= WATCHDOG_MS + 200;
    out.push(`- After the ${r.outageMs / 1000} s outage (${path}): ${stopped ? 'the watchdog stopped the car' : 'NO timely stop'}, `
      + `${o.replayedDriveBytes === 0 ? 'no stale input replayed' : `${o.replayedDriveBytes} STALE DRIVE BYTES`}: ${stopped && o.replayedDriveBytes === 0 ? 'met' : 'MISSED'}.`);
  }
  return out;
}

export function drivePathsBody(r: LossyPathResult, load: string): string {
  const lines = [
    'From a pointer move in Chromium (`page.mouse.move()` of the held joystick knob, 20 a second) to the car\'s',
    'byte at a TCP byte recorder, through `../shared/tools/lossy-path` (20 ms each way, so a 40 ms round trip;',
    'the loss each way): the server and its car in a network namespace behind the path, Chromium outside it;',
    'two pages and two servers, one on the WebSocket and one on the drive channel, taking turns at each level.',
    'A move\'s latency runs to the first byte of its own or a later move (a lost datagram is superseded by the',
    'next). "Stale": the share of the run the car ran on an older move than the newest sent, and the longest',
    `such stretch. ${r.moves} moves per path and level. \`bench/drive-paths-lossy.ts\` says how. ${load}`,
    '',
    '| loss | WebSocket p50 / p99 / max | drive channel p50 / p99 / max | WebSocket stale | drive channel stale | never reached the car (WebSocket, channel) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.levels.map(({ loss, runs: { websocket: w, channel: c } }) =>
      `| ${loss}% | ${cell(w)} | ${cell(c)} | ${stale(w)} | ${stale(c)} | ${w.missing}, ${c.missing} |`),
  ];
  if (r.outages) {
    lines.push('', `The ${r.outageMs / 1000} s outage (every packet dropped both ways, the moves going on; then 1 s of moves after it, then let go):`, '',
      '| path | cut to stop byte | drive bytes after the stop, knob still held | pressing again to driving |', '| --- | --- | --- | --- |',
      ...Object.entries(r.outages).map(([path, o]) => `| ${path} | ${ms(o.stopAfterCutMs)} ms | ${o.replayedDriveBytes} | ${ms(o.drivingAgainMs)} ms |`));
  }
  lines.push('', ...goals(r));
  return lines.join('\n');
}

export async function drivePathsSection(quick: boolean): Promise<{ title: string; body: string }> {
  const args = quick ? ['--moves', '40', '--loss', '0,5'] : ['--moves', '200'];
  const before = loadavg()[0];
  const r = await runJsonChild<LossyPathResult | { skipped: string }>(
    [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'drive-paths-lossy.ts'), ...args], 'drive paths', childLimit(quick, 600_000));
  if ('skipped' in r) {
    console.log(`drive paths: skipped: ${r.skipped}`);
    return { title: TITLE, body: `Not measured: ${r.skipped}.` };
  }
  const load = `Load average (1 min) ${before.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after.`;
  return { title: TITLE, body: drivePathsBody(r, load) };
}
