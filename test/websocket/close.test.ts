/** Sections 5.5.1 and 7.4: close payloads and which status codes may travel in them. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { encodeClosePayload, isValidCloseCode, parseClosePayload } from '../../src/websocket/close.js';
import { ProtocolError } from '../../src/websocket/errors.js';

const VALID = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const INVALID = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

test('valid close codes (RFC 6455 7.4.1, IANA registry, 3000-4999)', () => {
  for (const code of VALID) assert.equal(isValidCloseCode(code), true, String(code));
});

test('invalid close codes: reserved, report-only, unassigned, out of range', () => {
  for (const code of INVALID) assert.equal(isValidCloseCode(code), false, String(code));
  assert.equal(isValidCloseCode(1000.5), false);
});

test('parse: empty payload means no status (1005)', () => {
  assert.equal(parseClosePayload(new Uint8Array(0)).code, 1005);
});

test('parse: a 1-byte payload is a protocol error (1002)', () => {
  assert.throws(() => parseClosePayload(Uint8Array.of(3)), (e: ProtocolError) => e.closeCode === 1002);
});

test('parse: every invalid code is a protocol error (1002); every valid one is read back', () => {
  for (const code of INVALID.filter((c) => c < 65536)) {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    assert.throws(() => parseClosePayload(payload), (e: ProtocolError) => e.closeCode === 1002, String(code));
  }
  for (const code of VALID) assert.equal(parseClosePayload(encodeClosePayload(code, 'why')).code, code);
});

test('parse: the reason must be valid UTF-8 (1007)', () => {
  const payload = Buffer.from([0x03, 0xe8, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65]);
  assert.throws(() => parseClosePayload(payload), (e: ProtocolError) => e.closeCode === 1007);
  assert.equal(Buffer.from(parseClosePayload(encodeClosePayload(1000, 'κόσμε')).reason).toString(), 'κόσμε');
});

test('encode: code big-endian then reason; 1005 is an empty payload; limits enforced', () => {
  assert.deepEqual(encodeClosePayload(1000, 'ok'), Buffer.from([0x03, 0xe8, 0x6f, 0x6b]));
  assert.equal(encodeClosePayload(1005).length, 0);
  assert.equal(encodeClosePayload(1000, 'x'.repeat(123)).length, 125);
  assert.throws(() => encodeClosePayload(1000, 'x'.repeat(124)), RangeError);
  assert.throws(() => encodeClosePayload(1006), RangeError);
});
