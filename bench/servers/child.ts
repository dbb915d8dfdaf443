/**
 * Starts one echo server as a child process, waits for the URL it prints, watches it for errors, and
 * stops it. A server that crashes, exits early or reports `bench-error` makes the benchmark fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { ServerDef } from './catalog.js';

export interface RunningServer {
  name: string;
  pid: number;
  url: string;
  /** JSON the server printed after `bench-info ` (ws servers: which native helpers ws loaded). */
  info: Record<string, unknown> | null;
  /** Problems seen so far: exit before stop, `bench-error` lines, uncaught errors. */
  problems(): string[];
  stderr(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
/** Kills every server still running (on the way out, whatever happened). */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** A port that was free a moment ago (loopback, ephemeral): the servers take --port explicitly. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

export async function startServer(
  def: ServerDef,
  opts: { pin: readonly string[]; deflate?: boolean; startTimeoutMs?: number; nodeFlags?: readonly string[] },
): Promise<RunningServer> {
  const port = await freePort();
  const argv = [...opts.pin, process.execPath, ...(opts.nodeFlags ?? []), ...def.args(port, opts.deflate ?? false)];
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, ...def.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  let stopping = false;
  const problems: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) {
      if (/^bench-error |^\s*(Uncaught|Unhandled)|Error:/.test(line)) problems.push(line.trim());
    }
  });
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      if (!stopping) problems.push(`${def.name} exited unexpectedly (${code ?? signal})`);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${def.name} printed no URL within ${opts.startTimeoutMs ?? 30_000} ms:\n${stderr}`)),
      opts.startTimeoutMs ?? 30_000,
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /\b(ws|tcp):\/\/[\w.]+:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        // Whatever host the server prints, wsload connects over 127.0.0.1 to the port we gave it.
        resolve(`${match[1]}://127.0.0.1:${port}`);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${def.name} exited during startup (${problems.join('; ')}):\n${stderr.trim()}`));
    });
  });
  // bench-info follows the URL on the same write or just after it.
  await new Promise((r) => setTimeout(r, 100));
  const infoLine = /^bench-info (.*)$/m.exec(stdout);
  const server: RunningServer = {
    name: def.name,
    pid: child.pid!,
    url,
    info: infoLine ? (JSON.parse(infoLine[1]) as Record<string, unknown>) : null,
    problems: () => [...problems],
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return server;
}
