/**
 * A token bucket: `capacity` messages at once, refilled at `ratePerSecond`. One per client for its
 * messages, one per client for the errors it provokes (an error flood is closed with 1008); the video
 * signalling budget counts bytes with them too (signal-budget.ts).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes `cost` tokens (one message, or its bytes); false when there are fewer (the message is dropped). */
  take(cost = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
