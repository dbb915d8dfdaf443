/** The echo server script as a child process (killed when the test ends), for tests that need it whole. */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function startEcho(t: TestContext, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/websocket/echo-server.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  return child;
}

/** The first line the child prints (the echo server's URL). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code} before printing its URL`)));
  });
}
