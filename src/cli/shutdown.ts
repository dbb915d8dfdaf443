/**
 * The one way the `webracer` process ends once it drives a car. A car holds the last byte it got, so
 * every exit path writes the stop FIRST, synchronously, before anything that could hang, throw or lose
 * the terminal:
 * - SIGINT (Ctrl+C), SIGTERM (systemd, docker stop), SIGHUP (the ssh session to the Pi dropped),
 *   SIGBREAK (Ctrl+Break on Windows): stop, then close clients, listeners and the link within a hard
 *   deadline (a client that never finishes the closing handshake, a serial port that never drains, a
 *   bridge that never answers our FIN must not keep the process alive), then exit. A second signal
 *   stops again and exits at once.
 * - uncaughtException, unhandledRejection: stop as the last resort, log the error, then give the close
 *   (which flushes the stop out of a serial port's buffer) a short bounded moment, and exit. The event
 *   loop still runs inside these handlers, so the moment is real.
 * Stop, log and close happen in one synchronous turn, so no drive message can be handled in between.
 * Nothing the log does can stand in their way: a line that cannot be written is skipped (a log reader or
 * terminal that went away: stdio.ts), the deadline is set before anything is logged, and a fault stops
 * the car once: faults that follow (a throwing timer, or a fault of the fault handler's own making) add a
 * line each, up to MAX_FAULT_LINES, and never another stop, so nothing here can feed itself in a loop.
 */
import type { EventEmitter } from 'node:events';

export const EXIT_CODES = {
  /** Everything closed in time. */
  clean: 0,
  /** The close did not finish within the deadline, failed, or a second signal cut it short. */
  forced: 3,
  /** An uncaught exception or unhandled rejection. */
  fault: 4,
} as const;

/** What the shutdown needs of the control server (ControlServer has both). */
export interface Stoppable {
  /** Writes the stop now, synchronously. Must not throw (guarded anyway). */
  emergencyStop(): void;
  close(): Promise<void>;
}

export interface ShutdownOptions {
  /** Progress lines (stdout). */
  say: (line: string) => void;
  /** Errors (stderr). */
  complain: (line: string) => void;
  /** The longest a signal's close may take (default 2000 ms). */
  deadlineMs?: number;
  /** The longest a fault's close may take (default 500 ms): long enough to flush one byte. */
  faultGraceMs?: number;
  /** Where signals and process faults arrive; the real `process` unless a test passes its own. */
  events?: EventEmitter;
  platform?: NodeJS.Platform;
}

export const DEFAULT_DEADLINE_MS = 2_000;
export const DEFAULT_FAULT_GRACE_MS = 500;
/** Faults logged in all (the first in full, one line for each that follows); the rest are counted at exit. */
export const MAX_FAULT_LINES = 10;

/** Installs the handlers; resolves once with the code the process should exit with. */
export function handleShutdown(server: Stoppable, opts: ShutdownOptions): Promise<number> {
  const events = opts.events ?? process;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  if ((opts.platform ?? process.platform) === 'win32') signals.push('SIGBREAK');
  const shutdown = new Shutdown(server, opts);
  for (const signal of signals) events.on(signal, (name: NodeJS.Signals) => shutdown.onSignal(name));
  events.on('uncaughtException', (err: unknown) => shutdown.onFault('uncaught exception', err));
  events.on('unhandledRejection', (reason: unknown) => shutdown.onFault('unhandled rejection', reason));
  return shutdown.done;
}

class Shutdown {
  readonly done: Promise<number>;
  private readonly deadlineMs: number;
  private readonly faultGraceMs: number;
  private closing = false;
  private faults = 0;
  private inFault = false;
  private stopped = false;
  private deadline: NodeJS.Timeout | null = null;
  private resolve!: (code: number) => void;
  private finished = false;

  constructor(private readonly server: Stoppable, private readonly opts: ShutdownOptions) {
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.faultGraceMs = opts.faultGraceMs ?? DEFAULT_FAULT_GRACE_MS;
    this.done = new Promise<number>((resolve) => (this.resolve = resolve));
  }

  onSignal(signal: NodeJS.Signals): void {
    this.stopCar();
    if (this.closing) {
      quietly(this.opts.say, `${signal} again: car stopped, exiting now`);
      return this.finish(EXIT_CODES.forced);
    }
    quietly(this.opts.say, `${signal}: car stopped, closing (at most ${this.deadlineMs} ms)`);
    this.closeWithin(this.deadlineMs, EXIT_CODES.clean, `the close took longer than ${this.deadlineMs} ms; exiting anyway`);
  }

  onFault(kind: string, err: unknown): void {
    if (this.inFault) return; // raised by this very handler (its log line): the fault in hand is the one that counts
    this.inFault = true;
    try {
      this.faults += 1;
      // Once: after emergencyStop() the car takes no other demand, so another stop would only repeat the byte.
      if (!this.stopped) this.stopCar();
      const grace = this.faultGraceMs;
      if (!this.closing) this.closeWithin(grace, EXIT_CODES.fault, `the close took longer than ${grace} ms after the ${kind}; exiting`);
      // The first one in full; one line for each that follows (a throwing timer can repeat many times).
      if (this.faults <= MAX_FAULT_LINES) {
        quietly(this.opts.complain, this.faults === 1
          ? `webracer: ${kind}, car stopped: ${describe(err, true)}` : `webracer: then ${kind}: ${describe(err)}`);
      }
    } finally {
      this.inFault = false;
    }
  }

  private stopCar(): void {
    try {
      this.server.emergencyStop();
      this.stopped = true;
    } catch {
      // Nothing more can be done for the car from here; the close below tries once more.
    }
  }

  // The deadline timer stays referenced: a close that hangs on a promise alone must not let the
  // process drift out of the event loop with code 0.
  private closeWithin(ms: number, onTime: number, late: string): void {
    this.closing = true;
    this.deadline = setTimeout(() => {
      quietly(this.opts.complain, `webracer: ${late}`);
      this.finish(EXIT_CODES.forced);
    }, ms);
    let closed: Promise<void>;
    try {
      closed = this.server.close();
    } catch (err) {
      closed = Promise.reject(err);
    }
    closed.then(() => this.finish(onTime), (err: unknown) => {
      quietly(this.opts.complain, `webracer: closing failed: ${describe(err)}`);
      this.finish(EXIT_CODES.forced);
    });
  }

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.deadline !== null) clearTimeout(this.deadline);
    const unlogged = this.faults - MAX_FAULT_LINES;
    if (unlogged > 0) quietly(this.opts.complain, `webracer: then ${unlogged} more faults, not logged`);
    // A fault during the close decides the code: whatever else happened, something went wrong.
    this.resolve(this.faults > 0 ? EXIT_CODES.fault : code);
  }
}

/** A log line that cannot be written is skipped: logging must never cost the stop, the close or the deadline. */
function quietly(write: (line: string) => void, line: string): void {
  try {
    write(line);
  } catch {
    // The line is lost; everything else goes on.
  }
}

function describe(err: unknown, withStack = false): string {
  try {
    if (err instanceof Error) return withStack && err.stack ? err.stack : err.message;
    return String(err);
  } catch {
    return '(an error that cannot be printed)'; // e.g. Object.create(null), or a throwing toString
  }
}
