/**
 * Masking (RFC 6455 section 5.3): every byte of a client frame's payload is XORed with the
 * 4-byte masking key, cycling. Applied in place: the caller owns the bytes.
 *
 * The core keeps a frame's key as one 32-bit number (key byte 0 in the top bits): a number costs
 * nothing per connection, where a 4-byte Uint8Array costs 184 bytes of heap.
 */

// The 32-bit word loop below builds the key as a native-endian integer.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Below this size the word loop's setup (alignment, typed-array view) costs more than it saves.
const WORD_LOOP_MIN = 32;

/** The 4 key bytes at bytes[off] as one 32-bit number, byte 0 in the most significant bits. */
export function readMaskKey(bytes: Uint8Array, off: number): number {
  return ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
}

/** XORs `data` in place with the 4-byte `mask`, starting at key position `phase` (0..3). */
export function applyMask(data: Uint8Array, mask: Uint8Array, phase = 0): void {
  applyMaskKey(data, readMaskKey(mask, 0), phase);
}

/**
 * XORs `data` in place with the key from readMaskKey, starting at key position `phase` (0..3): a
 * payload that arrives in several pieces is unmasked piece by piece, each piece starting where the
 * previous one stopped.
 */
export function applyMaskKey(data: Uint8Array, key: number, phase = 0): void {
  const n = data.length;
  // A zero key is legal and leaves the payload unchanged: skip the pass entirely.
  if (n === 0 || key === 0) return;
  if (n < WORD_LOOP_MIN) {
    for (let i = 0; i < n; i++) data[i] ^= keyByte(key, i + phase);
    return;
  }
  // Bytes up to the first 4-byte aligned address, then whole words, then the tail.
  const head = (4 - (data.byteOffset & 3)) & 3;
  for (let i = 0; i < head; i++) data[i] ^= keyByte(key, i + phase);
  const words = (n - head) >>> 2;
  // The key rotated so that its byte for the first word's first byte comes first.
  const shift = ((head + phase) & 3) * 8;
  const rotated = shift === 0 ? key : ((key << shift) | (key >>> (32 - shift))) >>> 0;
  const word = LITTLE_ENDIAN ? byteSwap(rotated) : rotated;
  const view = new Uint32Array(data.buffer, data.byteOffset + head, words);
  let w = 0;
  // Unrolled: about three times the speed of the plain word loop on V8 (measured, 64 KiB payloads).
  for (const end = words - 7; w < end; w += 8) {
    view[w] ^= word;
    view[w + 1] ^= word;
    view[w + 2] ^= word;
    view[w + 3] ^= word;
    view[w + 4] ^= word;
    view[w + 5] ^= word;
    view[w + 6] ^= word;
    view[w + 7] ^= word;
  }
  for (; w < words; w++) view[w] ^= word;
  for (let i = head + words * 4; i < n; i++) data[i] ^= keyByte(key, i + phase);
}

/** Key byte for payload position i (the key cycles every 4 bytes). */
function keyByte(key: number, i: number): number {
  return (key >>> (24 - ((i & 3) << 3))) & 0xff;
}

function byteSwap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
