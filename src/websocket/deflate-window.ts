/**
 * The LZ77 window of one DEFLATE direction as plain bytes: the last 2^windowBits bytes of
 * plaintext that went through it (RFC 7692 section 7.1.1: with context takeover, the next
 * message may reference them). Fed to zlib as a preset dictionary before each message.
 *
 * The buffer is updated in place and only ever grows (to a power of two, at most the window
 * size): reallocating it per message interleaves long-lived allocations with zlib's transient
 * 64 KiB ones and fragments the heap (measured: RSS per idle connection tripled).
 */
export class SlidingWindow {
  private buf: Buffer | null = null;
  private len = 0;

  constructor(readonly size: number) {}

  /** The window's bytes, valid until the next push; undefined while empty. */
  view(): Buffer | undefined {
    return this.buf === null || this.len === 0 ? undefined : this.buf.subarray(0, this.len);
  }

  /** Bytes held between messages. */
  get capacity(): number {
    return this.buf?.length ?? 0;
  }

  /** Slides the window over data (the plaintext of one more message). */
  push(data: Uint8Array): void {
    const n = data.byteLength;
    if (n >= this.size) {
      this.reserve(this.size, 0);
      this.buf!.set(data.subarray(n - this.size));
      this.len = this.size;
      return;
    }
    const keep = Math.min(this.len, this.size - n);
    this.reserve(keep + n, keep);
    this.buf!.set(data, keep);
    this.len = keep + n;
  }

  clear(): void {
    this.buf = null;
    this.len = 0;
  }

  /** Makes room for `need` bytes and moves the newest `keep` bytes to the front. */
  private reserve(need: number, keep: number): void {
    const old = this.buf;
    if (old !== null && old.length >= need) {
      old.copyWithin(0, this.len - keep, this.len);
      return;
    }
    let capacity = 1024;
    while (capacity < need) capacity *= 2;
    // Slow (unpooled) allocation: this buffer outlives the message and must not pin a pool slab.
    const next = Buffer.allocUnsafeSlow(Math.min(capacity, this.size));
    if (old !== null && keep > 0) old.copy(next, 0, this.len - keep, this.len);
    this.buf = next;
  }
}
