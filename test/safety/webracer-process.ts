// The real `webracer` command as a child process, the way a user runs it (through tsx, so it works from a
// clean clone after `npm ci`, with no build), for the fault-injection suite and the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'src/cli/main.ts';

/** Generous: two cores are shared with other tests, browsers and helpers. */
export const START_MS = 30_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() in this process when the child exited. */
  at: number;
}

export interface WebracerProcess {
  readonly child: ChildProcess;
  /** http(s)://127.0.0.1:PORT/ as the CLI printed it. */
  readonly url: string;
  /** ws://127.0.0.1:PORT/ws */
  readonly wsUrl: string;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Sends a signal; returns performance.now() just before, the moment of the fault. */
  signal(name: NodeJS.Signals): number;
}

export interface StartOptions {
  /** WEBRACER_FAULTS=1: the server's test-only fault hooks. */
  faults?: boolean;
  env?: Record<string, string>;
  /** Called with a cleanup to run after the test (t.after); omitted by the bench, which cleans up itself. */
  after?: (cleanup: () => Promise<void>) => void;
}

/**
 * Starts `webracer --port 0 --host 127.0.0.1 ...args` and resolves once it printed its URL. The child is
 * killed (SIGKILL) and awaited by the cleanup, whatever the test did.
 */
export async function startWebracer(args: readonly string[], options: StartOptions = {}): Promise<WebracerProcess> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    WEBRACER_TOKEN: '', // never the developer's own token
    WEBRACER_FAULTS: options.faults ? '1' : '',
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    output += d;
    stderr += d;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  options.after?.(kill);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no URL within ${START_MS} ms`), START_MS);
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`webracer ${args.join(' ')} ${why}:\n${output}`));
    };
    const look = (): void => {
      const match = /https?:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      resolve(match[0]);
    };
    child.stdout!.on('data', look);
    void exited.then((e) => fail(`exited (${e.code ?? e.signal}) before printing its URL`));
  }).catch(async (err: unknown) => {
    await kill();
    throw err;
  });
  return {
    child, url, wsUrl: `${url.replace(/^http/, 'ws')}ws`, exited,
    output: () => output,
    stderr: () => stderr,
    signal(name) {
      const at = performance.now();
      child.kill(name);
      return at;
    },
  };
}
