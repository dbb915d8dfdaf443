// A command as a child process for the CLI tests: its output so far, a wait for a line it prints, its
// exit. The child is killed (SIGKILL) after the test, whatever the test did.
import { spawn, type SpawnOptions } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `webracer` from source, as the other CLI tests run it. */
export const WEBRACER = [process.execPath, '--import', 'tsx', 'src/cli/main.ts'];
/** Generous: two cores are shared with other tests and browsers. */
export const WAIT_MS = 30_000;

export interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export interface Child {
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the child exits first or after WAIT_MS. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<Exit>;
}

/** A test environment: no developer token, no loader or options leaking into the child. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WEBRACER_TOKEN: '', ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

export function start(t: TestContext, command: readonly string[], options: SpawnOptions = {}): Child {
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, env: cleanEnv(), ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no ${pattern} within ${WAIT_MS} ms:\n${stdout}\n${stderr}`)), WAIT_MS);
        const look = (): void => {
          const match = pattern.exec(stdout);
          if (match) done(null, match);
        };
        const done = (err: Error | null, match?: RegExpExecArray): void => {
          clearTimeout(timer);
          child.stdout!.off('data', look);
          if (err) reject(err);
          else resolve(match!);
        };
        child.stdout!.on('data', look);
        void exited.then((e) => done(new Error(`exited (${e.code ?? e.signal}) before printing ${pattern}:\n${stdout}\n${stderr}`)));
        look();
      });
    },
  };
}

/** Runs a command to its end. */
export async function run(t: TestContext, command: readonly string[], options: SpawnOptions = {}): Promise<Exit> {
  return start(t, command, options).exited;
}
