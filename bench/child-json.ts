/** Runs one of the bench's own Node helpers as a child process and reads the JSON line it ends with. */
import { spawn } from 'node:child_process';
import { ROOT } from './servers/catalog.js';

/** A quick run (CI's smoke bench) bounds every helper at this, whatever its full-run bound: CI has 90 minutes
 *  in all, and a hung helper must fail the bench, not the whole run. */
export const QUICK_CHILD_LIMIT_MS = 5 * 60_000;

/** The time a helper may take: its full-run bound, or at most QUICK_CHILD_LIMIT_MS in a quick run. */
export function childLimit(quick: boolean, fullRunMs: number): number {
  return quick ? Math.min(fullRunMs, QUICK_CHILD_LIMIT_MS) : fullRunMs;
}

/**
 * argv[0] is the program (after any pinning prefix); rejects with the child's stderr on a non-zero exit,
 * and kills it after timeoutMs so a stuck helper cannot hang the benchmark. The helper runs in a process
 * group of its own and the whole group is killed: its servers and browsers hold the output pipes too, and
 * killing the helper alone would leave `close` waiting on them.
 */
export async function runJsonChild<T>(argv: readonly string[], what: string, timeoutMs: number): Promise<T> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, detached: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      err += `\n(killed after ${timeoutMs} ms)`;
      killGroup();
    }, timeoutMs);
    // The bench itself interrupted or failing: take the helper's group with it.
    process.once('exit', killGroup);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      process.off('exit', killGroup);
      resolve({ code: c, stdout: out, stderr: err });
    });
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`${what} failed (exit ${code}): ${stderr.trim()} ${line}`);
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${what} printed no JSON result: ${JSON.stringify(stdout.slice(-300))}`);
  }
}
