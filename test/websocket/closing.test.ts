/** Section 7 in the core: the closing handshake both ways and Autobahn case 7 ground. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { encodeClosePayload } from '../../src/websocket/close.js';
import { Opcode } from '../../src/websocket/frame.js';
import { Connection } from '../../src/websocket/protocol.js';
import { client, closeCodeOf, errorCode, feed, readFrames, run } from './frames.js';

const { Text, Binary, Continuation, Close, Ping } = Opcode;
const closeFrame = (code: number, reason = ''): Buffer => client(Close, encodeClosePayload(code, reason));
const rawClose = (code: number): Buffer => client(Close, Buffer.from([code >> 8, code & 0xff]));

test('7.1.1: a message, then close: the message is echoed-able, the close answered, input ends', () => {
  const { events, sent, conn } = run([client(Text, 'Hello World!'), closeFrame(1000)]);
  assert.deepEqual(events.map((e) => e.type), ['message', 'close']);
  assert.deepEqual(sent.map((f) => [f.opcode, closeCodeOf(f)]), [[Close, 1000]]);
  assert.ok(conn.inputDone && conn.closeSent);
});

test('7.1.2-7.1.4: whatever follows the peer close is ignored (a second close, a ping, text)', () => {
  for (const after of [closeFrame(1000), client(Ping, 'x'), client(Text, 'late')]) {
    const { events, sent } = run([closeFrame(1000), after]);
    assert.deepEqual(events.map((e) => e.type), ['close']);
    assert.equal(sent.length, 1);
  }
});

test('7.1.5: close in the middle of a fragmented message is answered', () => {
  const { events, sent } = run([client(Text, 'frag', { fin: false }), closeFrame(1000), client(Continuation, 'ment')]);
  assert.deepEqual(events.map((e) => e.type), ['close']);
  assert.equal(closeCodeOf(sent[0]), 1000);
});

test('7.3.1: an empty close is reported as 1005 and answered with an empty close', () => {
  const { events, sent } = run([client(Close)]);
  assert.deepEqual(events, [{ type: 'close', code: 1005, reason: Buffer.alloc(0) }]);
  assert.deepEqual(sent.map((f) => [f.opcode, f.payload.length]), [[Close, 0]]);
});

test('7.3.2: a 1-byte close payload closes with 1002', () => {
  const { events, sent } = run([client(Close, Buffer.from([0x03]))]);
  assert.equal(errorCode(events), 1002);
  assert.equal(closeCodeOf(sent[0]), 1002);
});

test('7.3.3-7.3.5: code alone, code and reason, and the longest reason (123 bytes)', () => {
  for (const reason of ['', 'Hello World!', '*'.repeat(123)]) {
    const { events } = run([closeFrame(1000, reason)]);
    assert.equal(events[0].type, 'close');
    if (events[0].type === 'close') assert.equal(Buffer.from(events[0].reason).toString(), reason);
  }
});

test('7.3.6: a close payload of 126 bytes is a control frame too long (1002)', () => {
  const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.alloc(124, 0x2a)]);
  assert.equal(errorCode(run([client(Close, payload)]).events), 1002);
});

test('7.5.1: a close reason that is not UTF-8 closes with 1007', () => {
  const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex')]);
  const { events, sent } = run([client(Close, payload)]);
  assert.equal(errorCode(events), 1007);
  assert.equal(closeCodeOf(sent[0]), 1007);
});

test('7.7.x: every valid code is echoed; 7.9.x: every invalid code closes with 1002', () => {
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
    const { events, sent } = run([rawClose(code)]);
    assert.equal(events[0].type === 'close' && events[0].code, code);
    assert.equal(closeCodeOf(sent[0]), code);
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    const { events, sent } = run([rawClose(code)]);
    assert.equal(errorCode(events), 1002, String(code));
    assert.equal(closeCodeOf(sent[0]), 1002);
  }
});

test('server-initiated close: nothing more is sent, messages still arrive until the peer answers', () => {
  const conn = new Connection();
  conn.close(1001, 'going away');
  const first = readFrames(conn.takeOutput());
  assert.deepEqual(first.map((f) => [f.opcode, closeCodeOf(f), f.payload.subarray(2).toString()]), [[Close, 1001, 'going away']]);
  assert.ok(conn.closeSent && !conn.inputDone);
  assert.throws(() => conn.send('more', false));
  conn.ping();
  assert.deepEqual(feed(conn, client(Binary, 'in flight')).map((e) => e.type), ['message']);
  assert.deepEqual(feed(conn, client(Ping, 'x')).map((e) => e.type), ['ping'], 'no pong after our close');
  const events = feed(conn, closeFrame(1001));
  assert.deepEqual(events.map((e) => e.type), ['close']);
  assert.deepEqual(conn.takeOutput(), [], 'the close is not sent twice');
  assert.ok(conn.inputDone);
});

test('the application may not send reserved or malformed closes', () => {
  const conn = new Connection();
  assert.throws(() => conn.close(1006), RangeError);
  assert.throws(() => conn.close(1000, 'x'.repeat(124)), RangeError);
  assert.equal(conn.closeSent, false);
});

test('after failing, input is ignored and the close frame is sent exactly once', () => {
  const conn = new Connection();
  assert.equal(errorCode(feed(conn, client(7, 'x'))), 1002);
  assert.deepEqual(feed(conn, client(Text, 'ignored'), closeFrame(1000)), []);
  const sent = readFrames(conn.takeOutput());
  assert.deepEqual(sent.map((f) => [f.opcode, closeCodeOf(f)]), [[Close, 1002]]);
  assert.equal(sent[0].payload.subarray(2).toString(), 'reserved opcode 7');
});
