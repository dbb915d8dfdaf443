/**
 * Runs bench/command-path.ts in its own process (pinned to the server core when pinning is on) and turns
 * its result into the report's section. Targets: p99 under 1 ms (issue 4); with recording on, p99 at most
 * 1.1x of recording off (issue 13).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runJsonChild } from './child-json.js';
import { ROOT } from './servers/catalog.js';

export interface CommandPathFigures {
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  mean_us: number;
}

/** Recording off (the top-level figures) and on, measured in the same run. */
export interface CommandPathResult extends CommandPathFigures {
  messages: number;
  buffered_sends: number;
  recording: CommandPathFigures;
  /** p99 with recording on / off. */
  p99_ratio: number;
  /** p99 of a second server with recording off / the first: the measurement's own noise in this run. */
  noise_p99_ratio: number;
}

const TARGET_P99_US = 1000;
const TARGET_RECORDING_RATIO = 1.1;

export function commandPathBody(r: CommandPathResult): string {
  return [
    'Time from a drive message waiting on the control server\'s socket to its byte being handed to the',
    'car\'s link (`link.write()` accepted it), measured in one process with `process.hrtime.bigint()`; how and',
    'what exactly is in the figure: the header of `bench/command-path.ts`. Messages one at a time, each',
    'changing the car\'s byte, over a real loopback WebSocket from the `ws` client; link `tcp:` to a sink.',
    '',
    'The same, with every session recorded (`--record`, src/recording/): another server in the same process,',
    'the messages taking turns in blocks of 100 with a second server that does not record, so all see the same',
    `machine. That second one's p99 is ${r.noise_p99_ratio.toFixed(2)}x the first's: the noise of this measurement in this run.`,
    '',
    '| recording | messages | p50 | p99 | p99.9 | max | mean | target |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('off', r, r.messages, `p99 < 1 ms: ${r.p99_us < TARGET_P99_US ? 'met' : 'MISSED'}`),
    row('on', r.recording, r.messages, `p99 on/off ${r.p99_ratio.toFixed(2)}x <= ${TARGET_RECORDING_RATIO}x: ${r.p99_ratio <= TARGET_RECORDING_RATIO ? 'met' : 'MISSED'}`),
    ...(r.buffered_sends ? ['', `${r.buffered_sends} sends left bytes in the client's buffer: their t0 is early, so those samples are too long.`] : []),
  ].join('\n');
}

function row(label: string, f: CommandPathFigures, messages: number, target: string): string {
  return `| ${label} | ${messages.toLocaleString('en-US')} | ${f.p50_us} µs | ${f.p99_us} µs | ${f.p999_us} µs | ${f.max_us} µs | ${f.mean_us} µs | ${target} |`;
}

export async function commandPathSection(quick: boolean, pin: readonly string[]): Promise<{ title: string; body: string }> {
  const title = 'Command path latency';
  if (!existsSync(join(ROOT, 'src', 'control', 'server.ts'))) {
    return { title, body: 'Not measured: src/control/server.ts (startControlServer) does not exist yet.' };
  }
  const argv = [...pin, process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'command-path.ts'), '--messages', quick ? '10000' : '100000'];
  const result = await runJsonChild<CommandPathResult>(argv, 'command-path', 300_000);
  console.log(`command path: p50 ${result.p50_us} µs, p99 ${result.p99_us} µs over ${result.messages} messages; `
    + `recording on: p99 ${result.recording.p99_us} µs (${result.p99_ratio}x; a second plain server ${result.noise_p99_ratio}x)`);
  return { title, body: commandPathBody(result) };
}
