/** Section 8.1 UTF-8 validation: the sequences Autobahn 6.x probes, fail-fast per piece, and a cross-check. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import fc from 'fast-check';
import { Utf8Validator } from '../../src/websocket/utf8.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function validWhole(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.push(bytes) && v.complete;
}

const strict = new TextDecoder('utf-8', { fatal: true });
function referenceValid(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

test('valid text: ASCII, 2/3/4-byte forms and the boundaries of the code space', () => {
  for (const s of ['', 'Hello-µ@ßöäüàá-UTF-8!!', 'κόσμε', '\u{10FFFF}', '\uD7FF', '\uE000', '\uFFFD', '\u0080', '\u07FF', '\u0800', '\u{10000}']) {
    assert.ok(validWhole(Buffer.from(s)), JSON.stringify(s));
  }
});

test('invalid sequences are rejected', () => {
  const cases = {
    'lone continuation': '80',
    'overlong slash (2 bytes)': 'c0af',
    'overlong slash (3 bytes)': 'e080af',
    'overlong slash (4 bytes)': 'f08080af',
    'C1 lead': 'c1bf',
    'surrogate D800': 'eda080',
    'surrogate DFFF': 'edbfbf',
    'above U+10FFFF': 'f4908080',
    'F5 lead': 'f5808080',
    'FE byte': 'fe',
    'FF byte': 'ff',
    'truncated 3-byte': 'e282',
    'truncated 4-byte': 'f09f98',
    'continuation missing': 'c241',
  };
  for (const [name, bytes] of Object.entries(cases)) assert.equal(validWhole(hex(bytes)), false, name);
});

test('fail fast: Autobahn 6.4.1, the bad piece fails, the good one before it passes', () => {
  const v = new Utf8Validator();
  assert.ok(v.push(hex('cebae1bdb9cf83cebcceb5')));
  assert.equal(v.push(hex('f4908080')), false);
});

test('fail fast: Autobahn 6.4.2, the byte after F4 fails on its own', () => {
  const v = new Utf8Validator();
  assert.ok(v.push(hex('cebae1bdb9cf83cebcceb5f4')));
  assert.equal(v.complete, false);
  assert.equal(v.push(hex('90')), false);
});

test('a sequence split across pieces is accepted, and incomplete at a split point', () => {
  const bytes = Buffer.from('a€b😀c'.repeat(40));
  for (let cut = 0; cut <= bytes.length; cut++) {
    const v = new Utf8Validator();
    assert.ok(v.push(bytes.subarray(0, cut)) && v.push(bytes.subarray(cut)) && v.complete, `cut ${cut}`);
  }
});

test('property: any bytes, split anywhere, agree with a fatal TextDecoder', () => {
  const interesting = fc.constantFrom(0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff);
  const byteArb = fc.oneof(fc.integer({ min: 0, max: 255 }), interesting);
  fc.assert(
    fc.property(fc.array(byteArb, { maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 5 }), (arr, cuts) => {
      const bytes = Uint8Array.from(arr);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const v = new Utf8Validator();
      let ok = true;
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        ok = ok && v.push(bytes.subarray(prev, p));
        prev = p;
      }
      assert.equal(ok && v.complete, referenceValid(bytes));
    }),
    { numRuns: 2000 },
  );
});

test('property: valid strings stay valid however they are cut', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(), (s, n) => {
      const bytes = Buffer.from(s, 'utf8');
      const cut = n % (bytes.length + 1);
      const v = new Utf8Validator();
      assert.ok(v.push(bytes.subarray(0, cut)) && v.push(bytes.subarray(cut)) && v.complete);
    }),
  );
});
