/**
 * UTF-8 validation for text messages (RFC 6455 section 8.1, RFC 3629). Incremental, so a text
 * message fails in the very piece of payload that carries the bad sequence (Autobahn 6.4.x)
 * instead of after the whole message was buffered.
 */
import { isUtf8 } from 'node:buffer';

// Below this size a native call costs more than walking the bytes here.
const NATIVE_MIN = 64;

/** A streaming validator: feed it the pieces of one message in order. */
export class Utf8Validator {
  /** Continuation bytes still expected for the current code point. */
  private need = 0;
  /** Allowed range of the next continuation byte (narrower right after some lead bytes). */
  private lo = 0x80;
  private hi = 0xbf;

  /** True when no code point is left half-finished. */
  get complete(): boolean {
    return this.need === 0;
  }

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
  }

  /** Returns false as soon as the bytes so far cannot be the start of valid UTF-8. */
  push(bytes: Uint8Array): boolean {
    const end = bytes.length;
    let i = 0;
    // Finish a code point left open by the previous piece.
    while (this.need > 0 && i < end) if (!this.step(bytes[i++])) return false;
    if (end - i >= NATIVE_MIN) {
      const cut = lastBoundary(bytes, i, end);
      if (!isUtf8(bytes.subarray(i, cut))) return false;
      i = cut;
    }
    for (; i < end; i++) if (!this.step(bytes[i])) return false;
    return true;
  }

  // Table 3-7 of the Unicode standard: well-formed byte sequences.
  private step(b: number): boolean {
    if (this.need === 0) {
      if (b < 0x80) return true;
      if (b >= 0xc2 && b <= 0xdf) return this.expect(1, 0x80, 0xbf);
      if (b === 0xe0) return this.expect(2, 0xa0, 0xbf);
      if (b === 0xed) return this.expect(2, 0x80, 0x9f); // no UTF-16 surrogates
      if (b >= 0xe1 && b <= 0xef) return this.expect(2, 0x80, 0xbf);
      if (b === 0xf0) return this.expect(3, 0x90, 0xbf);
      if (b >= 0xf1 && b <= 0xf3) return this.expect(3, 0x80, 0xbf);
      if (b === 0xf4) return this.expect(3, 0x80, 0x8f); // nothing above U+10FFFF
      return false;
    }
    if (b < this.lo || b > this.hi) return false;
    this.need--;
    this.lo = 0x80;
    this.hi = 0xbf;
    return true;
  }

  private expect(need: number, lo: number, hi: number): boolean {
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return true;
  }
}

/**
 * The end of the longest prefix of bytes[start, end) that does not stop inside a code point: the
 * native validator checks that prefix whole, the byte walker checks the unfinished tail.
 */
function lastBoundary(bytes: Uint8Array, start: number, end: number): number {
  for (let i = end - 1, back = 1; i >= start && back <= 4; i--, back++) {
    const b = bytes[i];
    if (b < 0x80) return end;
    if (b >= 0xc0) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return back < len ? i : end;
    }
  }
  return end;
}

/** Whole-message check, for payloads that are complete (e.g. after decompression). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
