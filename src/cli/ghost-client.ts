/**
 * `webracer replay FILE --to URL`: shows a recording as a ghost in a running server's arena
 * (docs/recording.md "Ghosts"). The file is read and checked here first, as any replay's is (a missing,
 * corrupt or too large file is refused and nothing is sent), then sent whole to `POST /api/ghosts`, where
 * the server checks it again and runs it on a simulated car of its own: nothing here drives anything.
 * It waits for the ghost's end; Ctrl+C (or SIGTERM, SIGHUP) removes the ghost with the key the server
 * answered with, then exits.
 */
import { readFile, stat } from 'node:fs/promises';
import { MAX_GHOST_FILE_BYTES } from '../recording/ghost-script.js';
import { durationOf, readRecordingFile, RecordingError } from '../recording/reader.js';
import { TOKEN_ENV } from './flags.js';
import type { ReplayCliOptions } from './replay-args.js';
import { stderr, stdout } from './stdio.js';

/** How often the ghost's end is looked for. */
const POLL_MS = 1_000;
/** Polls in a row the server may miss before this gives up waiting (the ghost ends on the server by itself). */
const MAX_MISSES = 10;

interface Started { ghost: { id: string; label: string }; key: string; durationMs: number }

export async function showGhost(options: ReplayCliOptions & { to: string }): Promise<number> {
  const { file, to } = options;
  const refuse = (why: string): number => {
    stderr.write(`webracer replay: ${file}: ${why}; nothing was sent\n`);
    return 1;
  };
  const body = await checkedFile(file);
  if (typeof body === 'string') return refuse(body);
  const token = options.token ?? process.env[TOKEN_ENV];
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  let response: Response;
  try {
    response = await fetch(`${to}/api/ghosts`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-ndjson', ...auth } });
  } catch (err) {
    return refuse(`cannot reach ${to} (${causeOf(err)})`);
  }
  if (response.status !== 201) return refuse(`${to} refused the ghost (${response.status}): ${(await response.text()).trim()}`);
  const started = (await response.json()) as Started;
  return waitForEnd(to, started, auth, `webracer replay: ${file} is in the arena at ${to} as ${started.ghost.id} (${started.ghost.label}), `
    + `${(started.durationMs / 1000).toFixed(1)} s; Ctrl+C removes it`);
}

/** The file's bytes once read and checked whole, or why it cannot be shown. */
async function checkedFile(file: string): Promise<Buffer | string> {
  try {
    const size = (await stat(file)).size;
    if (size > MAX_GHOST_FILE_BYTES) {
      return `the file is ${(size / 1024 / 1024).toFixed(1)} MiB, and a ghost's recording is at most ${MAX_GHOST_FILE_BYTES / 1024 / 1024} MiB`;
    }
    const { recording } = await readRecordingFile(file, MAX_GHOST_FILE_BYTES);
    if (durationOf(recording) <= 0) return 'the recording is empty: nothing to show';
    return await readFile(file);
  } catch (err) {
    if (err instanceof RecordingError) return err.message;
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
  }
}

/**
 * Says `line` once Ctrl+C is ours to handle (whoever reads it may press it at once), then waits until the
 * ghost is gone (its end, or someone else's removal); a signal removes it first. Exit 0 either way.
 */
function waitForEnd(to: string, started: Started, auth: Record<string, string>, line: string): Promise<number> {
  const { id } = started.ghost;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const finish = (code: number): void => {
      clearTimeout(timer);
      for (const signal of signals) process.off(signal, onSignal);
      resolve(code);
    };
    const onSignal = (): void => {
      clearTimeout(timer);
      fetch(`${to}/api/ghosts/${id}`, { method: 'DELETE', headers: { 'X-Ghost-Key': started.key, ...auth } })
        .then((r) => stdout.line(r.status === 204 ? `webracer replay: ${id} removed` : `webracer replay: ${id} was gone already`),
          (err: unknown) => stderr.line(`webracer replay: could not remove ${id} (${causeOf(err)}); it ends with its recording`))
        .finally(() => finish(0));
    };
    for (const signal of signals) process.once(signal, onSignal);
    stdout.line(line);
    let misses = 0;
    const poll = (): void => {
      timer = setTimeout(() => {
        fetch(`${to}/api/ghosts`, { headers: auth })
          .then(async (r) => ((await r.json()) as { ghosts: Array<{ id: string }> }).ghosts.some((g) => g.id === id))
          .then((there) => {
            misses = 0;
            if (there) return poll();
            stdout.line(`webracer replay: ${id} has ended`);
            finish(0);
          }, (err: unknown) => {
            if (++misses < MAX_MISSES) return poll(); // a blip: look again
            stderr.line(`webracer replay: ${to} has not answered for ${MAX_MISSES} s (${causeOf(err)}); leaving ${id} to end with its recording`);
            finish(1);
          });
      }, POLL_MS);
    };
    poll();
  });
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
