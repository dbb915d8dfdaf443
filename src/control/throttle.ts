/**
 * Calls `run` at most once per interval however often `notify` is called, and never drops the last
 * notification of a burst: one that comes too soon is deferred to the end of the interval (and any
 * further ones until then fold into it). Telemetry uses it so clients get at most 20 poses a second,
 * always ending on the newest.
 */
export class Throttle {
  private lastRun = -Infinity;
  private pending: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => void,
    private readonly now: () => number,
  ) {}

  notify(): void {
    if (this.pending) return; // a run is scheduled; it will see the newest data
    const wait = this.lastRun + this.intervalMs - this.now();
    if (wait <= 0) return this.fire();
    this.pending = setTimeout(() => {
      this.pending = null;
      this.fire();
    }, wait);
  }

  cancel(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }

  private fire(): void {
    this.lastRun = this.now();
    this.run();
  }
}

/**
 * At most once per interval, dropping the rest (for what is said or logged again while a client keeps
 * on: a reminder, a refusal, a log line). `take()` is true when the last taken time lies an interval
 * back or more, and takes now; `mark()` takes now whatever the interval (what was just said anyway).
 */
export class AtMostEvery {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  take(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }

  mark(): void {
    this.last = this.now();
  }
}
