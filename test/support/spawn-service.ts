// Starting a service the tests and benches run beside webracer (coturn, Janus, webracer itself as a
// child): a loopback port that was free a moment ago, and a wait until the child says it is ready.
// A child's start-up has no event of its own to wait on, so readiness is polled (a log line, an HTTP
// answer), and a child that exits first fails the wait at once instead of at its deadline.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A loopback port free a moment ago: the services take it on their command line or in their config. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Resolves once `ready()` says so, asked every `everyMs`; rejects when `child` exits (or cannot be
 * started) first, or after `waitMs`, naming `what`.
 */
export async function whenReady(child: ChildProcess, what: string, ready: () => boolean | Promise<boolean>, waitMs: number, everyMs = 100): Promise<void> {
  let gone: Error | null = null;
  const onExit = (code: number | null, signal: string | null) => { gone = new Error(`${what} exited before it was ready (${signal ?? `code ${code}`})`); };
  const onError = (err: Error) => { gone = new Error(`${what} could not be started: ${err.message}`); };
  child.once('exit', onExit).once('error', onError);
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (gone) throw gone;
      if (await ready()) return;
      if (gone) throw gone;
      if (Date.now() > deadline) throw new Error(`${what} was not ready within ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  } finally {
    child.off('exit', onExit).off('error', onError);
  }
}

/** Whether GET `url` answers 2xx within a second (false while nothing listens). */
export async function answersHttp(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}
