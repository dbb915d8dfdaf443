/** RFC 6455 section 5.2 and the section 5.7 examples, both directions, with injected masks. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { encodeFrame, headerSize, newHeader, Opcode, readHeader } from '../../src/websocket/frame.js';
import { applyMaskKey } from '../../src/websocket/mask.js';
import { ProtocolError } from '../../src/websocket/errors.js';
import { MASK } from './frames.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hello = Buffer.from('Hello');

test('section 5.7: a single-frame unmasked text message', () => {
  assert.deepEqual(encodeFrame({ opcode: Opcode.Text, payload: hello }), hex('81 05 48656c6c6f'));
});

test('section 5.7: a single-frame masked text message, both ways', () => {
  const bytes = hex('81 85 37fa213d 7f9f4d5158');
  assert.deepEqual(encodeFrame({ opcode: Opcode.Text, payload: hello, mask: MASK }), bytes);
  const h = newHeader();
  readHeader(bytes, 0, h);
  assert.deepEqual({ fin: h.fin, opcode: h.opcode, masked: h.masked, len: h.payloadLength }, { fin: true, opcode: 1, masked: true, len: 5 });
  assert.equal(h.maskKey, 0x37fa213d);
  const payload = bytes.subarray(headerSize(bytes[1]));
  applyMaskKey(payload, h.maskKey);
  assert.equal(payload.toString(), 'Hello');
});

test('section 5.7: a fragmented unmasked text message', () => {
  assert.deepEqual(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hel'), fin: false }), hex('01 03 48656c'));
  assert.deepEqual(encodeFrame({ opcode: Opcode.Continuation, payload: Buffer.from('lo') }), hex('80 02 6c6f'));
});

test('section 5.7: unmasked ping and masked pong', () => {
  assert.deepEqual(encodeFrame({ opcode: Opcode.Ping, payload: hello }), hex('89 05 48656c6c6f'));
  assert.deepEqual(encodeFrame({ opcode: Opcode.Pong, payload: hello, mask: MASK }), hex('8a 85 37fa213d 7f9f4d5158'));
});

test('section 5.7: 16-bit and 64-bit lengths', () => {
  const b256 = encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(256) });
  assert.deepEqual(b256.subarray(0, 4), hex('82 7e 0100'));
  assert.equal(b256.length, 4 + 256);
  const b64k = encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(65536) });
  assert.deepEqual(b64k.subarray(0, 10), hex('82 7f 0000000000010000'));
  const h = newHeader();
  readHeader(b64k, 0, h);
  assert.equal(h.payloadLength, 65536);
});

test('length boundaries 125/126/65535/65536 pick the smallest encoding', () => {
  for (const [len, size] of [[0, 2], [125, 2], [126, 4], [65535, 4], [65536, 10]] as const) {
    const frame = encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(len) });
    assert.equal(headerSize(frame[1]), size, `length ${len}`);
    const h = newHeader();
    readHeader(frame, 0, h);
    assert.equal(h.payloadLength, len);
  }
});

test('header bits: RSV1-3, opcode, FIN read back', () => {
  const h = newHeader();
  readHeader(hex('72 80 00000000'), 0, h); // RSV1|RSV2|RSV3, opcode 2, not FIN
  assert.deepEqual([h.fin, h.rsv1, h.rsv2, h.rsv3, h.opcode], [false, true, true, true, 2]);
});

test('a 64-bit length with the top bit set is a protocol error (1002)', () => {
  const h = newHeader();
  assert.throws(() => readHeader(hex('82 ff 8000000000000000 00000000'), 0, h), (e: ProtocolError) => e.closeCode === 1002);
});

test('a 64-bit length beyond 2^53 closes with 1009', () => {
  const h = newHeader();
  assert.throws(() => readHeader(hex('82 ff 7fffffffffffffff 00000000'), 0, h), (e: ProtocolError) => e.closeCode === 1009);
});
