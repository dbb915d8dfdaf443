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

/** Installs the handlers; resolves once with the code the process should exit with. */
export function handleShutdown(server: Stoppable, opts: ShutdownOptions): Promise<number> {
  const events = opts.events ?? process;
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const faultGraceMs = opts.faultGraceMs ?? DEFAULT_FAULT_GRACE_MS;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  if ((opts.platform ?? process.platform) === 'win32') signals.push('SIGBREAK');

  let closing = false;
  let faulted = false;
  let deadline: NodeJS.Timeout | null = null;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    let finished = false;
    finish = (code) => {
      if (finished) return;
      finished = true;
      if (deadline !== null) clearTimeout(deadline);
      // A fault during the close decides the code: whatever else happened, something went wrong.
      resolve(faulted ? EXIT_CODES.fault : code);
    };
  });

  const stopCar = (): void => {
    try {
      server.emergencyStop();
    } catch {
      // Nothing more can be done for the car from here; the close below tries once more.
    }
  };

  // The deadline timer stays referenced: a close that hangs on a promise alone must not let the
  // process drift out of the event loop with code 0.
  const closeWithin = (ms: number, onTime: number, late: string): void => {
    closing = true;
    deadline = setTimeout(() => {
      opts.complain(`webracer: ${late}`);
      finish(EXIT_CODES.forced);
    }, ms);
    let closed: Promise<void>;
    try {
      closed = server.close();
    } catch (err) {
      closed = Promise.reject(err);
    }
    closed.then(() => finish(onTime), (err: unknown) => {
      opts.complain(`webracer: closing failed: ${describe(err)}`);
      finish(EXIT_CODES.forced);
    });
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    stopCar();
    if (closing) {
      opts.say(`${signal} again: car stopped, exiting now`);
      return finish(EXIT_CODES.forced);
    }
    opts.say(`${signal}: car stopped, closing (at most ${deadlineMs} ms)`);
    closeWithin(deadlineMs, EXIT_CODES.clean, `the close took longer than ${deadlineMs} ms; exiting anyway`);
  };

  const onFault = (kind: string, err: unknown): void => {
    stopCar();
    const first = !faulted;
    faulted = true;
    // The first one in full; one line for each that follows (a throwing timer can repeat many times).
    opts.complain(first ? `webracer: ${kind}, car stopped: ${describe(err, true)}` : `webracer: then ${kind}: ${describe(err)}`);
    if (!closing) closeWithin(faultGraceMs, EXIT_CODES.fault, `the close took longer than ${faultGraceMs} ms after the ${kind}; exiting`);
  };

  for (const signal of signals) events.on(signal, onSignal);
  events.on('uncaughtException', (err: unknown) => onFault('uncaught exception', err));
  events.on('unhandledRejection', (reason: unknown) => onFault('unhandled rejection', reason));
  return done;
}

function describe(err: unknown, withStack = false): string {
  try {
    if (err instanceof Error) return withStack && err.stack ? err.stack : err.message;
    return String(err);
  } catch {
    return '(an error that cannot be printed)'; // e.g. Object.create(null), or a throwing toString
  }
}
