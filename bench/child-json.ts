/** Runs one of the bench's own Node helpers as a child process and reads the JSON line it ends with. */
import { spawn } from 'node:child_process';
import { ROOT } from './servers/catalog.js';

/**
 * argv[0] is the program (after any pinning prefix); rejects with the child's stderr on a non-zero exit,
 * and kills it after timeoutMs so a stuck helper cannot hang the benchmark.
 */
export async function runJsonChild<T>(argv: readonly string[], what: string, timeoutMs: number): Promise<T> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => {
      err += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
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
