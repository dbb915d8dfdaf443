/**
 * How much one peer may make us inflate: a token bucket in bytes, refilled at `rate` per second
 * and one second deep. Inflating is synchronous and a compressed byte can yield ~1000 plaintext
 * bytes, so without it one peer could keep the event loop busy for everyone.
 */
export class InflateBudget {
  private credit: number;
  private at: number;
  private seen = 0;

  /** @param rate bytes per second, > 0 */
  constructor(private readonly rate: number, now: number) {
    this.credit = rate;
    this.at = now;
  }

  /**
   * Charges what was inflated since the last call (`total` is the running count). Returns 0 to
   * keep reading, or the milliseconds to stop reading until the budget is back to zero.
   */
  charge(total: number, now: number): number {
    const rate = this.rate;
    this.credit = Math.min(rate, this.credit + ((now - this.at) * rate) / 1000) - (total - this.seen);
    this.at = now;
    this.seen = total;
    return this.credit < 0 ? Math.ceil((-this.credit * 1000) / rate) : 0;
  }

  /** True when `total` includes bytes not charged yet. */
  owes(total: number): boolean {
    return total !== this.seen;
  }
}
