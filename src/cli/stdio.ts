/**
 * The process's standard output and error, as everything in the CLI writes them.
 *
 * A reader that goes away (`webracer ... | head`, an ssh session closed without nohup, a log collector
 * restarting: EPIPE) or a terminal that hangs up (EIO) makes every later write to that stream fail. Node's
 * stdio streams never stay destroyed (they undo their own destroy), so each failed write emits 'error'
 * again; with no listener each is an uncaught exception, whose own log line fails again, and so on, one
 * process.nextTick after the other: the event loop starves (no timer, no signal, no socket is served).
 * So each stream gets a permanent 'error' listener (installed by guardStdio(), first thing in main), and
 * the first failure drops the stream, quietly: nothing is written to it again. Nothing here throws.
 */

export class StdStream {
  #gone = false;
  #guarded = false;

  constructor(private readonly stream: () => NodeJS.WriteStream) {}

  /** True once a write failed: the reader or the terminal is gone, and nothing is written any more. */
  get gone(): boolean {
    return this.#gone;
  }

  /** True when the stream is a terminal (for colour); false once it is gone. */
  get isTTY(): boolean {
    return !this.#gone && this.stream().isTTY === true;
  }

  /** Installs the permanent 'error' listener; it also catches failed writes of console.* and of Node itself. */
  guard(): void {
    if (this.#guarded) return;
    this.#guarded = true;
    this.stream().on('error', () => {
      this.#gone = true;
    });
  }

  write(text: string): void {
    if (this.#gone) return;
    this.guard();
    try {
      this.stream().write(text);
    } catch {
      this.#gone = true; // a write that throws at once: the same as one that fails later
    }
  }

  line(text: string): void {
    this.write(`${text}\n`);
  }
}

export const stdout = new StdStream(() => process.stdout);
export const stderr = new StdStream(() => process.stderr);

/** Call first: from then on a stream that fails is dropped, whoever wrote to it (console.*, Node's warnings). */
export function guardStdio(): void {
  stdout.guard();
  stderr.guard();
}
