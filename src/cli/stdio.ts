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
 *
 * Nor may a process that drives a car wait for its output. Node writes to a terminal blocking
 * (tty.WriteStream makes it so), and a terminal whose output is stopped (Ctrl+S, XOFF) makes such a write
 * wait until Ctrl+Q: the whole process with it, watchdog and all, while the car does its last byte. So
 * the server and a live replay write their terminal non-blocking, like a pipe (neverBlock()); what it has
 * not taken yet waits in memory, at most MAX_BACKLOG_BYTES, and lines beyond that are skipped (and
 * counted, in the first line written once there is room again). The price: at exit, lines a slow or
 * stopped terminal had not taken yet are lost, so the short commands (usage, version, the unit) keep
 * Node's blocking writes.
 */

/** What may wait for a slow or stopped reader; the log writes a few lines a second at most. */
export const MAX_BACKLOG_BYTES = 256 * 1024;

export class StdStream {
  #gone = false;
  #guarded = false;
  #skipped = 0;

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

  /** A terminal is written without waiting for it (a pipe already is). */
  neverBlock(): void {
    const stream = this.stream();
    // No public API for it: tty.WriteStream calls the same method with true. (On a terminal libuv could not
    // reopen, a virtual console rather than a pseudo-terminal, its writes stay blocking whatever we ask.)
    if (stream.isTTY) (stream as { _handle?: { setBlocking?(blocking: boolean): unknown } })._handle?.setBlocking?.(false);
  }

  write(text: string): void {
    if (this.#gone) return;
    this.guard();
    const stream = this.stream();
    if (stream.writableLength > MAX_BACKLOG_BYTES) {
      this.#skipped += 1;
      return;
    }
    const skipped = this.#skipped;
    this.#skipped = 0;
    try {
      stream.write(skipped === 0 ? text : `webracer: ${skipped} lines not written: the output was not being taken\n${text}`);
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

/** For a process that drives a car: its terminal never holds it up (see above). */
export function neverBlockOnTerminals(): void {
  stdout.neverBlock();
  stderr.neverBlock();
}
