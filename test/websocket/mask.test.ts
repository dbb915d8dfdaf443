/** Section 5.3 masking: the word loop agrees with the definition at every length, alignment and phase. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMask } from '../../src/websocket/mask.js';

function reference(data: Uint8Array, mask: Uint8Array, phase: number): Uint8Array {
  return data.map((b, i) => b ^ mask[(i + phase) & 3]);
}

test('masking matches the byte-by-byte definition for every length, offset and phase', () => {
  const mask = Uint8Array.from([0x12, 0xab, 0x00, 0xff]);
  const backing = new Uint8Array(200);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 37) & 0xff;
  for (const length of [0, 1, 3, 4, 5, 31, 32, 33, 64, 100, 150]) {
    for (let offset = 0; offset < 4; offset++) {
      for (let phase = 0; phase < 4; phase++) {
        const data = backing.slice().subarray(offset, offset + length);
        const expected = reference(data, mask, phase);
        applyMask(data, mask, phase);
        assert.deepEqual(data, expected, `length ${length} offset ${offset} phase ${phase}`);
      }
    }
  }
});

test('masking twice restores the data; a zero mask changes nothing', () => {
  const data = Uint8Array.from({ length: 77 }, (_, i) => i);
  const copy = data.slice();
  const mask = Uint8Array.from([9, 8, 7, 6]);
  applyMask(data, mask);
  assert.notDeepEqual(data, copy);
  applyMask(data, mask);
  assert.deepEqual(data, copy);
  applyMask(data, new Uint8Array(4));
  assert.deepEqual(data, copy);
});

test('a payload unmasked in pieces equals one unmasked whole', () => {
  const mask = Uint8Array.from([1, 2, 3, 4]);
  const whole = Uint8Array.from({ length: 90 }, (_, i) => i * 3);
  const pieces = whole.slice();
  applyMask(whole, mask);
  let phase = 0;
  for (const [a, b] of [[0, 7], [7, 50], [50, 51], [51, 90]]) {
    applyMask(pieces.subarray(a, b), mask, phase);
    phase = (phase + b - a) & 3;
  }
  assert.deepEqual(pieces, whole);
});
