/**
 * Collects the payload of a message (or a control frame) that arrives in several pieces. A
 * message that arrives in one piece is handed back as that very view, with no copy; otherwise
 * the pieces are copied into one buffer that grows geometrically, so a flood of tiny fragments
 * costs O(n) copying and no per-piece bookkeeping.
 */
import { Buffer } from 'node:buffer';

export class MessageBuffer {
  private single: Uint8Array | null = null;
  private buf: Buffer | null = null;
  private len = 0;

  /** @param limit the largest size ever needed (the payload limit), so growth never overshoots it */
  constructor(private readonly limit = Number.MAX_SAFE_INTEGER) {}

  get length(): number {
    return this.len;
  }

  /** Makes room for `total` bytes in all, when the caller knows the size in advance. */
  reserve(total: number): void {
    if (this.buf === null || this.buf.length < total) this.grow(total, total);
  }

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.len === 0 && this.buf === null) {
      this.single = piece;
      this.len = piece.length;
      return;
    }
    const need = this.len + piece.length;
    if (this.buf === null || this.buf.length < need) this.grow(need, need * 2);
    (this.buf as Buffer).set(piece, this.len);
    this.len = need;
  }

  /** The collected bytes; the buffer is empty afterwards. */
  take(): Uint8Array {
    const out = this.buf !== null ? this.buf.subarray(0, this.len) : (this.single ?? EMPTY);
    this.single = null;
    this.buf = null;
    this.len = 0;
    return out;
  }

  private grow(min: number, preferred: number): void {
    const next = Buffer.allocUnsafe(Math.max(min, Math.min(Math.max(preferred, 256), this.limit)));
    if (this.buf !== null) next.set(this.buf.subarray(0, this.len), 0);
    else if (this.single !== null) next.set(this.single, 0);
    this.single = null;
    this.buf = next;
  }
}

const EMPTY: Uint8Array = Buffer.alloc(0);
