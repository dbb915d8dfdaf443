// The real `webracer` command as a child process, the way a user runs it (through tsx, so it works from a
// clean clone after `npm ci`, with no build), for the fault-injection suite and the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LogReader } from '../support/log-reader.js';
import { runOnTerminal } from '../support/pty-host.js';

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

/** webracer running, before anyone knows its address. */
export interface RunningWebracer {
  /** The process this test started: webracer itself, or the pty host it runs under (output 'terminal'). */
  readonly child: ChildProcess;
  /** webracer's own process id. */
  readonly pid: Promise<number>;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Its stderr alone (with output 'pipes'; otherwise everything, as `2>&1`). */
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Calls `listener` after each piece of output; returns the call that stops it. */
  onOutput(listener: () => void): () => void;
  /** Sends a signal; returns performance.now() just before, the moment of the fault. */
  signal(name: NodeJS.Signals): number;
  /** With output 'terminal': closes the terminal (an ssh connection that drops); returns performance.now() just before. */
  hangUp(): number;
  /** With output 'terminal': Ctrl+S (the terminal stops taking output) or Ctrl+Q (it takes it again). */
  terminalOutput(flow: 'stop' | 'start'): void;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
}

export interface WebracerProcess extends RunningWebracer {
  /** http(s)://127.0.0.1:PORT/ as the CLI printed it. */
  readonly url: string;
  /** ws://127.0.0.1:PORT/ws */
  readonly wsUrl: string;
}

export interface StartOptions {
  /** WEBRACER_FAULTS=1: the server's test-only fault hooks. */
  faults?: boolean;
  env?: Record<string, string>;
  /** Called with a cleanup to run after the test (t.after); omitted by the bench, which cleans up itself. */
  after?: (cleanup: () => Promise<void>) => void;
  /**
   * Where its stdout and stderr go: 'pipes' (default), one each, read here; a LogReader, whose one real
   * pipe takes both (`2>&1 | cat`) and whose reader the test can make go away; 'terminal', a
   * pseudo-terminal the test can hang up (test/support/pty-host.ts; needs python3).
   */
  output?: 'pipes' | LogReader | 'terminal';
}

/** Starts `webracer --port 0 --host 127.0.0.1 ...args`; resolves once it runs, without waiting for its URL. */
export function spawnWebracer(args: readonly string[], options: StartOptions = {}): RunningWebracer {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WEBRACER_TOKEN: '', // never the developer's own token
    WEBRACER_FAULTS: options.faults ? '1' : '',
    ...options.env,
  };
  const argv = ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', ...args];
  const output = options.output ?? 'pipes';
  const running = output === 'terminal' ? onTerminal(argv, env) : direct(argv, env, output);
  options.after?.(() => running.kill());
  return running;
}

/**
 * Starts `webracer --port 0 --host 127.0.0.1 ...args` and resolves once it printed its URL. The child is
 * killed (SIGKILL) and awaited by the cleanup, whatever the test did.
 */
export async function startWebracer(args: readonly string[], options: StartOptions = {}): Promise<WebracerProcess> {
  const running = spawnWebracer(args, options);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no URL within ${START_MS} ms`), START_MS);
    const fail = (why: string): void => {
      clearTimeout(timer);
      stop();
      reject(new Error(`webracer ${args.join(' ')} ${why}:\n${running.output()}`));
    };
    const stop = running.onOutput(() => {
      const match = /https?:\/\/127\.0\.0\.1:\d+\//.exec(running.output());
      if (!match) return;
      clearTimeout(timer);
      stop();
      resolve(match[0]);
    });
    void running.exited.then((e) => fail(`exited (${e.code ?? e.signal}) before printing its URL`), (err: Error) => fail(err.message));
  }).catch(async (err: unknown) => {
    await running.kill();
    throw err;
  });
  return reachedAt(running, url);
}

/** The running process with its address (found by the test when it printed none: output gone). */
export function reachedAt(running: RunningWebracer, url: string): WebracerProcess {
  return { ...running, url, wsUrl: `${url.replace(/^http/, 'ws')}ws` };
}

/** webracer as this process's child: its output on two pipes read here, or into a LogReader's one. */
function direct(argv: string[], env: NodeJS.ProcessEnv, output: 'pipes' | LogReader): RunningWebracer {
  const into = output === 'pipes' ? 'pipe' : output.writeEnd;
  const child = spawn(process.execPath, argv, { cwd: ROOT, env, stdio: ['ignore', into, into] });
  if (output !== 'pipes') void output.releaseWriteEnd(); // the child's copies are the only writers left
  const text = collect();
  if (output === 'pipes') {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => text.add(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => text.add(d, true));
  } else {
    text.add(output.text());
    output.onText((d) => text.add(d));
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  return {
    child, exited, pid: Promise.resolve(child.pid!), ...text.view(output === 'pipes'),
    signal(name) {
      const at = performance.now();
      child.kill(name);
      return at;
    },
    hangUp: () => noTerminal(),
    terminalOutput: () => noTerminal(),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** webracer on a pseudo-terminal of its own (test/support/pty-host.ts), as over ssh. */
function onTerminal(argv: string[], env: NodeJS.ProcessEnv): RunningWebracer {
  const terminal = runOnTerminal(process.execPath, argv, { cwd: ROOT, env });
  const text = collect();
  terminal.onText((d) => text.add(d));
  let pid: number | null = null;
  void terminal.pid.then((p) => (pid = p), () => {});
  return {
    child: terminal.host, exited: terminal.exited, pid: terminal.pid, ...text.view(false),
    signal(name) {
      const at = performance.now();
      if (pid !== null) process.kill(pid, name);
      return at;
    },
    hangUp: () => terminal.hangUp(),
    terminalOutput: (flow) => terminal.flow(flow),
    async kill() {
      if (pid !== null) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      terminal.host.stdin!.end(); // the host kills the command too when its stdin closes
      await terminal.exited.catch(() => {});
    },
  };
}

function noTerminal(): never {
  throw new Error('no terminal: start it with output \'terminal\'');
}

/** The output as it comes: all of it, stderr apart, and who wants to hear of more. */
function collect() {
  let all = '';
  let errors = '';
  const listeners = new Set<() => void>();
  return {
    add(chunk: string, fromStderr = false): void {
      all += chunk;
      if (fromStderr) errors += chunk;
      for (const listener of [...listeners]) listener();
    },
    view(separateStderr: boolean): Pick<RunningWebracer, 'output' | 'stderr' | 'onOutput'> {
      return {
        output: () => all,
        stderr: () => (separateStderr ? errors : all),
        onOutput(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      };
    },
  };
}
