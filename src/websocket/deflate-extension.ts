/**
 * The permessage-deflate codec (RFC 7692 section 7.2) behind the PerMessageExtension seam.
 *
 * Design: every message is one synchronous zlib call (deflateRawSync / inflateRawSync) that
 * allocates its zlib state and frees it before returning. Context takeover (RFC 7692 section
 * 7.1.1) is carried as plain bytes instead of a live zlib stream: the LZ77 window of a DEFLATE
 * sender is exactly the last 2^windowBits bytes of plaintext it has compressed, so preloading
 * those bytes as a preset dictionary (zlib's deflateSetDictionary / inflateSetDictionary)
 * reproduces what a long-lived stream would see. An idle connection therefore holds at most
 * two window copies (<= 32 KiB each, none without context takeover) instead of two zlib streams
 * (~235 KiB measured with the defaults), and only one zlib state exists per process at a time.
 * docs/permessage-deflate.md has the measurements behind this choice.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';
import { ProtocolError } from './errors.js';
import type { PerMessageExtension } from './extension.js';
import { SlidingWindow } from './deflate-window.js';

/** The parameters both ends agreed on in the handshake (RFC 7692 section 7.1). */
export interface DeflateParams {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  /** 8..15: the window our compressor may reference. */
  readonly serverMaxWindowBits: number;
  /** 8..15: the window the client's compressor may reference (15 when not limited). */
  readonly clientMaxWindowBits: number;
}

/** Local compressor settings that are not negotiated. */
export interface DeflateTuning {
  /** Messages shorter than this (bytes) go out uncompressed. */
  readonly threshold: number;
  /** zlib level, -1 (zlib default, 6) to 9. */
  readonly level: number;
  /** zlib memLevel, 1 to 9: memory of the compressor's hash tables. */
  readonly memLevel: number;
}

/** RFC 7692 section 7.2.1: the tail of the empty stored block a sync flush ends with. */
const SYNC_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * zlib refuses raw deflate with a 256-byte window (deflateInit2 rejects windowBits 8 without a
 * zlib wrapper). With windowBits 9 its matches still reach back at most 512 - 262 = 250 bytes
 * (MAX_DIST = w_size - MIN_LOOKAHEAD), so the output is valid for a peer limited to 2^8 = 256.
 */
function zlibWindowBits(bits: number): number {
  return Math.max(bits, 9);
}

function zlibCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

export class DeflateExtension implements PerMessageExtension {
  /** Plaintext window of the client's compressor (what its next message may reference). */
  private readonly inflateWindow: SlidingWindow;
  /** Plaintext window of our compressor (what the client's decompressor still holds). */
  private readonly deflateWindow: SlidingWindow;
  private disposed = false;

  constructor(
    readonly params: DeflateParams,
    private readonly tuning: DeflateTuning,
  ) {
    this.inflateWindow = new SlidingWindow(1 << params.clientMaxWindowBits);
    this.deflateWindow = new SlidingWindow(1 << params.serverMaxWindowBits);
  }

  compress(data: Uint8Array): Uint8Array | null {
    this.assertLive();
    if (data.byteLength < this.tuning.threshold) return null;
    const out = deflateRawSync(data, {
      finishFlush: constants.Z_SYNC_FLUSH,
      windowBits: zlibWindowBits(this.params.serverMaxWindowBits),
      memLevel: this.tuning.memLevel,
      level: this.tuning.level,
      dictionary: this.deflateWindow.view(),
    });
    // RFC 7692 7.2.1: drop the 0x00 0x00 0xff 0xff that the sync flush ended with.
    const body = out.subarray(0, out.length - SYNC_TAIL.length);
    // Incompressible: send it plain. The peer never inflates it, so its window stays as it was,
    // and so does ours (RFC 7692 section 6: RSV1 says, per message, whether it is compressed).
    if (body.length >= data.byteLength) return null;
    if (!this.params.serverNoContextTakeover) {
      this.deflateWindow.push(data);
    }
    return body;
  }

  decompress(chunks: readonly Uint8Array[], maxBytes: number): Uint8Array {
    this.assertLive();
    if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`);
    // RFC 7692 7.2.2: append the sync-flush tail, then inflate the whole message.
    const input = Buffer.concat([...chunks, SYNC_TAIL]);
    // Node counts the output while inflating and stops at maxOutputLength, so a bomb costs at
    // most maxBytes plus one 16 KiB chunk before it fails. Its floor is 1: 0 is checked below.
    const limit = Math.max(1, Math.min(maxBytes, bufferConstants.MAX_LENGTH));
    let out: Buffer;
    try {
      out = inflateRawSync(input, {
        finishFlush: constants.Z_SYNC_FLUSH,
        windowBits: 15, // a larger window than the sender's is always safe when inflating
        maxOutputLength: limit,
        dictionary: this.inflateWindow.view(),
      });
    } catch (err) {
      throw toProtocolError(err, maxBytes);
    }
    if (out.length > maxBytes) throw tooBig(maxBytes);
    if (!this.params.clientNoContextTakeover) {
      this.inflateWindow.push(out);
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    this.inflateWindow.clear();
    this.deflateWindow.clear();
  }

  /** Bytes held between messages (the two windows): what an idle connection costs. */
  get retainedBytes(): number {
    return this.inflateWindow.capacity + this.deflateWindow.capacity;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('permessage-deflate extension used after dispose()');
  }
}

function tooBig(maxBytes: number): ProtocolError {
  return new ProtocolError(1009, `decompressed message exceeds ${maxBytes} bytes`);
}

function toProtocolError(err: unknown, maxBytes: number): ProtocolError {
  const code = zlibCode(err);
  if (code === 'ERR_BUFFER_TOO_LARGE') return tooBig(maxBytes);
  // Data errors are the peer's fault: 1007, as ws does and the seam requires (RFC 7692 names
  // no code). Anything else (Z_MEM_ERROR) is ours: 1011 without internal detail.
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'Z_NEED_DICT') {
    return new ProtocolError(1007, 'invalid compressed data');
  }
  return new ProtocolError(1011, 'decompression failed');
}
