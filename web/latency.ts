// Round-trip time of the application-level ping (browsers cannot send WebSocket pings from script).
// The median of the last few samples: one slow answer (a GC pause, a radio wake-up on a phone) should
// not make the number jump the way a mean would.

export class LatencyWindow {
  private readonly samples: number[] = [];

  constructor(private readonly size = 7) {}

  add(rttMs: number): void {
    this.samples.push(rttMs);
    if (this.samples.length > this.size) this.samples.shift();
  }

  clear(): void {
    this.samples.length = 0;
  }

  /** Median of the recent samples in ms, or null before the first one. */
  median(): number | null {
    const n = this.samples.length;
    if (n === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
