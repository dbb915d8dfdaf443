/**
 * The per-message extension seam (RFC 6455 section 9, RFC 7692), proven with a test-only
 * extension that XORs bytes, before permessage-deflate plugs into it.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { ProtocolError } from '../../src/websocket/errors.js';
import type { PerMessageExtension } from '../../src/websocket/extension.js';
import { Opcode } from '../../src/websocket/frame.js';
import { Connection } from '../../src/websocket/protocol.js';
import { client, closeCodeOf, errorCode, readFrames, run } from './frames.js';

const { Text, Binary, Continuation, Ping } = Opcode;
const xor = (bytes: Uint8Array): Buffer => Buffer.from(bytes.map((b) => b ^ 0x55));

/** "Compresses" by XOR with 0x55; leaves messages starting with '!' uncompressed. */
class XorExtension implements PerMessageExtension {
  decompressed: Array<readonly Uint8Array[]> = [];
  disposed = 0;
  decompress(chunks: readonly Uint8Array[], maxBytes: number): Uint8Array {
    this.decompressed.push(chunks.map((c) => Buffer.from(c)));
    const out = xor(Buffer.concat(chunks));
    if (out.length > maxBytes) throw new ProtocolError(1009, 'inflated message too big');
    if (out[0] === 0x00) throw new ProtocolError(1007, 'corrupt data');
    return out;
  }
  compress(data: Uint8Array): Uint8Array | null {
    return data[0] === 0x21 ? null : xor(data);
  }
  dispose(): void {
    this.disposed++;
  }
}

test('RSV1 on a first frame: the message goes through decompress', () => {
  const extension = new XorExtension();
  const { events } = run([client(Text, xor(Buffer.from('hello')), { rsv1: true })], { extension });
  assert.deepEqual(events, [{ type: 'message', data: Buffer.from('hello'), isBinary: false }]);
  assert.equal(extension.decompressed.length, 1);
});

test('a compressed fragmented message is decompressed once, whole, with control frames between', () => {
  const extension = new XorExtension();
  const packed = xor(Buffer.from('fragmented'));
  const { events } = run([
    client(Binary, packed.subarray(0, 4), { rsv1: true, fin: false }),
    client(Ping, 'p'),
    client(Continuation, packed.subarray(4)),
  ], { extension });
  assert.deepEqual(events.map((e) => e.type), ['ping', 'message']);
  assert.equal(Buffer.from((events[1] as { data: Uint8Array }).data).toString(), 'fragmented');
  assert.deepEqual(Buffer.concat(extension.decompressed[0]), packed);
});

test('without RSV1 a message bypasses the extension', () => {
  const extension = new XorExtension();
  const { events } = run([client(Text, 'plain')], { extension });
  assert.deepEqual(events, [{ type: 'message', data: Buffer.from('plain'), isBinary: false }]);
  assert.equal(extension.decompressed.length, 0);
});

test('RSV1 on a continuation or a control frame is 1002 even with an extension', () => {
  const extension = new XorExtension();
  assert.equal(errorCode(run([client(Text, 'a', { fin: false }), client(Continuation, 'b', { rsv1: true })], { extension }).events), 1002);
  assert.equal(errorCode(run([client(Ping, 'a', { rsv1: true })], { extension }).events), 1002);
  assert.equal(errorCode(run([client(Text, 'a', { rsv2: true })], { extension }).events), 1002);
});

test('decompressed text is UTF-8 checked (1007); extension errors keep their code (1009, 1007)', () => {
  const extension = new XorExtension();
  assert.equal(errorCode(run([client(Text, xor(Buffer.from([0x61, 0xff])), { rsv1: true })], { extension }).events), 1007);
  const bomb = run([client(Binary, xor(Buffer.alloc(50, 1)), { rsv1: true })], { extension, maxPayload: 10 });
  assert.equal(errorCode(bomb.events), 1009);
  assert.equal(closeCodeOf(bomb.sent[0]), 1009);
  assert.equal(errorCode(run([client(Binary, xor(Buffer.from([0])), { rsv1: true })], { extension }).events), 1007);
});

test('an extension that throws something else fails with 1011 and no detail', () => {
  const broken: PerMessageExtension = {
    decompress: () => { throw new Error('secret internal state'); },
    compress: () => null,
    dispose: () => {},
  };
  const { events, sent } = run([client(Binary, 'x', { rsv1: true })], { extension: broken });
  assert.equal(errorCode(events), 1011);
  assert.equal(sent[0].payload.length, 2, 'no reason text leaks');
});

test('outgoing messages are compressed (RSV1) or sent plain when compress returns null', () => {
  const extension = new XorExtension();
  const conn = new Connection({ extension });
  conn.send('hello', false);
  conn.send('!plain', false);
  conn.ping(Buffer.from('never compressed'));
  const sent = readFrames(conn.takeOutput());
  assert.deepEqual(sent.map((f) => [f.opcode, f.rsv1]), [[Text, true], [Text, false], [Ping, false]]);
  assert.equal(xor(sent[0].payload).toString(), 'hello');
  assert.equal(sent[1].payload.toString(), '!plain');
  conn.dispose();
  conn.dispose();
  assert.equal(extension.disposed, 1);
});
