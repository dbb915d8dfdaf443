/**
 * Runs bench/command-path.ts in its own process (pinned to the server core when pinning is on) and turns
 * its result into the report's section. Target from the issue: p99 under 1 ms.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runJsonChild } from './child-json.js';
import { ROOT } from './servers/catalog.js';

export interface CommandPathResult {
  messages: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  mean_us: number;
  buffered_sends: number;
}

const TARGET_P99_US = 1000;

export function commandPathBody(r: CommandPathResult): string {
  return [
    'Time from a drive message waiting on the control server\'s socket to its byte being handed to the',
    'car\'s link (`link.write()` accepted it), measured in one process with `process.hrtime.bigint()`; how and',
    'what exactly is in the figure: the header of `bench/command-path.ts`. Messages one at a time, each',
    'changing the car\'s byte, over a real loopback WebSocket from the `ws` client; link `tcp:` to a sink.',
    '',
    '| messages | p50 | p99 | p99.9 | max | mean | target |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.messages.toLocaleString('en-US')} | ${r.p50_us} µs | ${r.p99_us} µs | ${r.p999_us} µs | ${r.max_us} µs | ${r.mean_us} µs | p99 < 1 ms: ${r.p99_us < TARGET_P99_US ? 'met' : 'MISSED'} |`,
    ...(r.buffered_sends ? ['', `${r.buffered_sends} sends left bytes in the client's buffer: their t0 is early, so those samples are too long.`] : []),
  ].join('\n');
}

export async function commandPathSection(quick: boolean, pin: readonly string[]): Promise<{ title: string; body: string }> {
  const title = 'Command path latency';
  if (!existsSync(join(ROOT, 'src', 'control', 'server.ts'))) {
    return { title, body: 'Not measured: src/control/server.ts (startControlServer) does not exist yet.' };
  }
  const argv = [...pin, process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'command-path.ts'), '--messages', quick ? '10000' : '100000'];
  const result = await runJsonChild<CommandPathResult>(argv, 'command-path', 300_000);
  console.log(`command path: p50 ${result.p50_us} µs, p99 ${result.p99_us} µs over ${result.messages} messages`);
  return { title, body: commandPathBody(result) };
}
