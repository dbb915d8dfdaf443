// A pseudo-terminal pair from socat, standing in for a Bluetooth serial port and the car behind it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

export interface PtyPair {
  /** Stable symlinks to the two ends (socat recreates them on restart; the /dev/pts numbers may change). */
  a: string;
  b: string;
  /** socat's process id: SIGSTOP makes it stop relaying (a stalled device), SIGCONT resumes. */
  pid: number;
  stop(): Promise<void>;
}

/** Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0` with symlinks in dir; resolves once it relays. */
export async function startPtyPair(dir: string, timeoutMs = 10_000): Promise<PtyPair> {
  const a = path.join(dir, 'car-a');
  const b = path.join(dir, 'car-b');
  const proc: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
      proc.once('error', (err) => { clearTimeout(timer); reject(err); });
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`socat exited with ${code}:\n${log}`)); });
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk;
        // "PTY is /dev/pts/N" twice, then "starting data transfer loop".
        if ((log.match(/PTY is \/dev\/pts\/\d+/g) ?? []).length >= 2 && log.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { a, b, pid: proc.pid!, stop };
}
