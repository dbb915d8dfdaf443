/**
 * Client and server on different cores, so the load generator does not steal the server's CPU.
 * Uses util-linux `taskset` when it exists and both cores 0 and 1 are usable by this process.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  client: string[];
  server: string[];
  /** One sentence for the report: how (or why not) the processes were pinned. */
  note: string;
}

function tasksetWorks(core: number): boolean {
  const r = spawnSync('taskset', ['-c', String(core), 'true'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export function choosePinning(): Pinning {
  if (availableParallelism() < 2) {
    return { client: [], server: [], note: 'not pinned: only one CPU is available, client and server share it' };
  }
  if (!tasksetWorks(0) || !tasksetWorks(1)) {
    return { client: [], server: [], note: 'not pinned: `taskset` is missing or cannot use cores 0 and 1' };
  }
  return {
    client: ['taskset', '-c', '0'],
    server: ['taskset', '-c', '1'],
    note: 'load generator pinned to core 0 (`taskset -c 0`), server to core 1 (`taskset -c 1`)',
  };
}
