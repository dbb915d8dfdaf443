// A command on a pseudo-terminal whose master the test can close (a terminal that hangs up, as when an
// ssh connection drops), through pty-host.py: Node cannot open a pty without a native addon, Python's
// standard library can.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST = fileURLToPath(new URL('./pty-host.py', import.meta.url));
const PYTHON = 'python3';

export interface TerminalExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() in this process when the host reported it. */
  at: number;
}

export interface TerminalProcess {
  /** The host (python3), not the command. */
  readonly host: ChildProcess;
  /** The command's own process id, once it runs. */
  readonly pid: Promise<number>;
  /** What the command wrote to its terminal. */
  onText(listener: (text: string) => void): void;
  /** The command's own exit, as the host saw it. */
  readonly exited: Promise<TerminalExit>;
  /** Closes the terminal's master side; returns performance.now() just before. */
  hangUp(): number;
  /** Types Ctrl+S (stop: writes to the terminal wait) or Ctrl+Q (start) into the terminal. */
  flow(output: 'stop' | 'start'): void;
}

/** Why the pty tests cannot run here, or null when they can. */
export function ptyHostMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import pty, termios, fcntl'], { stdio: 'ignore' });
  return probe.status === 0 ? null : `needs ${PYTHON} with its pty module (Debian: python3)`;
}

export function runOnTerminal(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): TerminalProcess {
  const host = spawn(PYTHON, [HOST, command, ...args], { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
  host.stdout!.setEncoding('utf8');
  const { pid, exited } = hostReports(host);
  return {
    host, pid, exited,
    onText: (listener) => host.stdout!.on('data', listener),
    hangUp() {
      const at = performance.now();
      host.stdin!.write('hangup\n');
      return at;
    },
    flow: (output) => void host.stdin!.write(`${output}-output\n`),
  };
}

/** The host's lines on stderr: {"pid"} first, {"code","signal"} last; a host that ends without them fails both. */
function hostReports(host: ChildProcess): { pid: Promise<number>; exited: Promise<TerminalExit> } {
  let text = '';
  let other = ''; // anything else python3 said (a traceback)
  let gotPid!: (pid: number) => void;
  let gotExit!: (exit: TerminalExit) => void;
  let failed!: (err: Error) => void;
  const pid = new Promise<number>((resolve, reject) => {
    gotPid = resolve;
    failed = reject;
  });
  const exited = new Promise<TerminalExit>((resolve, reject) => {
    gotExit = resolve;
    const fail = failed;
    failed = (err) => {
      fail(err);
      reject(err);
    };
  });
  pid.catch(() => {}); // a test that never asks is told through `exited`
  host.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const at = performance.now();
    text += chunk;
    const lines = text.split('\n');
    text = lines.pop()!;
    for (const line of lines) {
      const report = parseReport(line);
      if (report === null) other += `${line}\n`;
      else if (report.pid !== undefined) gotPid(report.pid);
      else gotExit({ code: report.code, signal: report.signal, at });
    }
  });
  // Settled already when the reports came; otherwise python3 itself failed.
  host.once('close', (code) => failed(new Error(`the pty host ended (${code}) without reporting the command's exit: ${other}${text}`)));
  return { pid, exited };
}

type Report = { pid?: number; code: number | null; signal: NodeJS.Signals | null };

function parseReport(line: string): Report | null {
  try {
    const report = JSON.parse(line) as unknown;
    return typeof report === 'object' && report !== null ? report as Report : null;
  } catch {
    return null;
  }
}
