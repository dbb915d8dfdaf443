// The reader at the other end of `webracer ... 2>&1 | cat` (or `| head`, a log collector): a `cat`
// process reading a real pipe (a FIFO: Node's own stdio "pipes" are socket pairs). The test hands the
// pipe's write end to the writer as its stdout and stderr, reads what `cat` relays, and can make the
// reader go away; from then on every write into the pipe fails with EPIPE.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class LogReader {
  #text = '';
  #writeEnd: FileHandle | null;

  private constructor(private readonly cat: ChildProcess, writeEnd: FileHandle, private readonly dir: string) {
    this.#writeEnd = writeEnd;
    cat.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.#text += chunk));
  }

  /** A FIFO in a fresh temporary folder, `cat` reading it, and the write end open here. */
  static async start(): Promise<LogReader> {
    const dir = await mkdtemp(join(tmpdir(), 'webracer-exit-paths-log-'));
    const fifo = join(dir, 'log');
    execFileSync('mkfifo', [fifo]);
    const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    // Opening a FIFO for writing waits until a reader has it open: `cat`, unless it failed to start.
    const opening = open(fifo, 'w');
    const catEnded = once(cat, 'exit').then(() => null, () => null);
    const writeEnd = await Promise.race([opening, catEnded]);
    if (writeEnd === null) {
      await (await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK)).close(); // lets the open above finish
      await (await opening).close();
      await rm(dir, { recursive: true, force: true });
      throw new Error('cat could not read the FIFO');
    }
    return new LogReader(cat, writeEnd, dir);
  }

  /** The pipe's write end, to give a child as its stdout and stderr (then releaseWriteEnd()). */
  get writeEnd(): number {
    if (this.#writeEnd === null) throw new Error('the write end was released');
    return this.#writeEnd.fd;
  }

  /** Closes this process's copy of the write end: the child's copies are the only writers left. */
  async releaseWriteEnd(): Promise<void> {
    await this.#writeEnd?.close();
    this.#writeEnd = null;
  }

  /** Everything the reader has read so far. */
  text(): string {
    return this.#text;
  }

  onText(listener: (chunk: string) => void): void {
    this.cat.stdout!.on('data', listener);
  }

  /** The reader goes away (SIGKILL: it reads nothing more), and is gone when this resolves. */
  async goAway(): Promise<void> {
    if (this.cat.exitCode === null && this.cat.signalCode === null) {
      this.cat.kill('SIGKILL');
      await once(this.cat, 'exit');
    }
  }

  async close(): Promise<void> {
    await this.goAway();
    await this.releaseWriteEnd();
    await rm(this.dir, { recursive: true, force: true });
  }
}
