// Stop the car when the process is told to end (PROTOCOL.md 4: the car must be left stopped). A car holds
// the last byte it got, so a server killed mid-drive would otherwise leave it running.

import type { Driver } from './driver.js';

export interface StopOnSignalsOptions {
  signals?: NodeJS.Signals[]; // default SIGINT, SIGTERM
  /** Exit with 128 + signal number once the car is stopped (default true). */
  exit?: boolean;
  /** Give up on a link that cannot flush (e.g. a wedged serial port) after this long. Default 2_000. */
  timeoutMs?: number;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Installs the handlers; returns a function that removes them. */
export function stopOnSignals(driver: Driver, opts: StopOnSignalsOptions = {}): () => void {
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = opts.exit ?? true;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const handler = (signal: NodeJS.Signals): void => {
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      if (exit) process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
    };
    driver.close().then(finish, finish);
  };
  for (const s of signals) process.once(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
