/**
 * The sans-I/O core against RFC 6455 sections 5 and 8, covering the ground of Autobahn|Testsuite
 * cases 1 (framing), 2 (pings/pongs), 3 (reserved bits), 4 (opcodes), 5 (fragmentation),
 * 6 (UTF-8), 9 (limits and big messages) and 10 (auto-fragmentation).
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { Opcode } from '../../src/websocket/frame.js';
import { Connection } from '../../src/websocket/protocol.js';
import { chop, client, closeCodeOf, errorCode, feed, readFrames, run } from './frames.js';

const { Text, Binary, Continuation, Close, Ping, Pong } = Opcode;

test('case 1: text and binary of every length class echo as one message, whole or chopped', () => {
  for (const length of [0, 125, 126, 127, 128, 65535, 65536]) {
    for (const opcode of [Text, Binary]) {
      const payload = Buffer.alloc(length, opcode === Text ? 0x2a : 0xfe);
      const frame = client(opcode, payload);
      for (const pieces of [[frame], chop(frame, 997), chop(frame, 1)].slice(0, length > 1000 ? 2 : 3)) {
        const { events } = run(pieces);
        assert.deepEqual(events, [{ type: 'message', data: payload, isBinary: opcode === Binary }], `${opcode}/${length}/${pieces.length}`);
      }
    }
  }
});

test('a message arriving in one frame in one read is a view of the input, not a copy', () => {
  const conn = new Connection();
  const input = client(Binary, Buffer.alloc(1000, 7));
  const [event] = conn.receive(input);
  assert.equal(event.type, 'message');
  if (event.type === 'message') assert.equal(event.data.buffer, input.buffer);
});

test('case 2: ping gets a pong with the same payload; unsolicited pongs are only reported', () => {
  for (const payload of ['', 'Hello, world!', Buffer.from([0, 0xff, 0xfe, 0xfd, 0xfc]), Buffer.alloc(125, 0xfe)]) {
    const frame = client(Ping, payload);
    for (const pieces of [[frame], chop(frame, 1)]) {
      const { events, sent } = run(pieces);
      const data = Buffer.from(payload);
      assert.deepEqual(events, [{ type: 'ping', data }]);
      assert.deepEqual(sent, [{ fin: true, rsv1: false, opcode: Pong, payload: data }]);
    }
  }
  const { events, sent } = run([client(Pong, 'unsolicited'), client(Ping, 'ping')]);
  assert.deepEqual(events.map((e) => e.type), ['pong', 'ping']);
  assert.deepEqual(sent.map((f) => [f.opcode, f.payload.toString()]), [[Pong, 'ping']]);
});

test('case 2.10: ten pings in a row get ten pongs in order, even byte by byte', () => {
  const pings = Buffer.concat(Array.from({ length: 10 }, (_, i) => client(Ping, `payload-${i}`)));
  for (const pieces of [[pings], chop(pings, 1)]) {
    const { sent } = run(pieces);
    assert.deepEqual(sent.map((f) => f.payload.toString()), Array.from({ length: 10 }, (_, i) => `payload-${i}`));
  }
});

test('case 2.5: a ping over 125 bytes closes with 1002', () => {
  const { events, sent } = run([client(Ping, Buffer.alloc(126))]);
  assert.equal(errorCode(events), 1002);
  assert.equal(closeCodeOf(sent[0]), 1002);
});

test('case 3: RSV bits without an extension close with 1002, after earlier frames were handled', () => {
  const variants = [
    { rsv1: true }, { rsv2: true }, { rsv1: true, rsv2: true }, { rsv3: true },
    { rsv1: true, rsv3: true }, { rsv2: true, rsv3: true }, { rsv1: true, rsv2: true, rsv3: true },
  ];
  for (const [i, bits] of variants.entries()) {
    const opcode = [Text, Text, Text, Binary, Ping, Ping, Close][i];
    const { events, sent } = run([client(Text, 'before'), client(opcode, 'x', bits), client(Ping, 'after')]);
    assert.deepEqual(events.map((e) => e.type), ['message', 'error'], JSON.stringify(bits));
    assert.equal(errorCode(events), 1002);
    assert.deepEqual(sent.map((f) => f.opcode), [Close], 'nothing after the failing frame is answered');
  }
});

test('case 4: reserved opcodes close with 1002', () => {
  for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    const { events, sent } = run([client(Text, 'hi'), client(opcode, 'reserved'), client(Ping)]);
    assert.deepEqual(events.map((e) => e.type), ['message', 'error'], `opcode ${opcode}`);
    assert.equal(closeCodeOf(sent[sent.length - 1]), 1002);
  }
});

test('case 5: fragmented messages are reassembled, with control frames in between', () => {
  const frames = [client(Text, 'frag', { fin: false }), client(Ping, 'p1'), client(Continuation, 'men', { fin: false }), client(Pong), client(Continuation, 'ted')];
  const whole = Buffer.concat(frames);
  for (const pieces of [frames, [whole], chop(whole, 1)]) {
    const { events, sent } = run(pieces);
    assert.deepEqual(events, [
      { type: 'ping', data: Buffer.from('p1') },
      { type: 'pong', data: Buffer.alloc(0) },
      { type: 'message', data: Buffer.from('fragmented'), isBinary: false },
    ]);
    assert.deepEqual(sent.map((f) => f.opcode), [Pong]);
  }
  const binary = run([client(Binary, Buffer.from([1]), { fin: false }), client(Continuation, Buffer.alloc(0), { fin: false }), client(Continuation, Buffer.from([2, 3]))]);
  assert.deepEqual(binary.events, [{ type: 'message', data: Buffer.from([1, 2, 3]), isBinary: true }]);
});

test('case 5: fragmentation rules close with 1002', () => {
  const cases: Array<[string, Buffer[]]> = [
    ['fragmented ping', [client(Ping, 'a', { fin: false }), client(Continuation, 'b')]],
    ['fragmented pong', [client(Pong, 'a', { fin: false }), client(Continuation, 'b')]],
    ['continuation without start (fin)', [client(Continuation, 'x')]],
    ['continuation without start (not fin)', [client(Continuation, 'x', { fin: false })]],
    ['continuation after a finished message', [client(Text, 'a', { fin: false }), client(Continuation, 'b'), client(Continuation, 'c', { fin: false })]],
    ['new text inside a fragmented message', [client(Text, 'a', { fin: false }), client(Text, 'b')]],
    ['new binary inside a fragmented message', [client(Binary, 'a', { fin: false }), client(Ping), client(Binary, 'b')]],
  ];
  for (const [name, frames] of cases) {
    for (const pieces of [frames, chop(Buffer.concat(frames), 1)]) assert.equal(errorCode(run(pieces).events), 1002, name);
  }
});

test('an unmasked client frame closes with 1002 (section 5.1)', () => {
  const unmasked = Buffer.from([0x81, 0x02, 0x68, 0x69]);
  assert.equal(errorCode(run([unmasked]).events), 1002);
});

test('case 6: bad UTF-8 closes with 1007 in the piece that carries it (6.4.1-6.4.4)', () => {
  const good = Buffer.from('cebae1bdb9cf83cebcceb5', 'hex');
  const bad = Buffer.from('f4908080', 'hex');
  const rest = Buffer.from('edited');
  // 6.4.1: three frames; the second fails before the third arrives.
  const conn = new Connection();
  assert.deepEqual(feed(conn, client(Text, good, { fin: false })), []);
  assert.equal(errorCode(feed(conn, client(Continuation, bad, { fin: false }))), 1007);
  // 6.4.3: one frame delivered in three chops; the middle chop fails.
  const frame = client(Text, Buffer.concat([good, bad, rest]));
  const head = 6 + good.length;
  const conn2 = new Connection();
  assert.deepEqual(feed(conn2, frame.subarray(0, head)), []);
  assert.equal(errorCode(feed(conn2, frame.subarray(head, head + 4))), 1007);
  // 6.4.4: the single byte after F4 fails by itself.
  const frame3 = client(Text, Buffer.concat([good, Buffer.from([0xf4, 0x90, 0x80, 0x80])]));
  const conn3 = new Connection();
  assert.deepEqual(feed(conn3, frame3.subarray(0, head + 1)), []);
  assert.equal(errorCode(feed(conn3, frame3.subarray(head + 1, head + 2))), 1007);
});

test('case 6: a text message ending inside a sequence closes with 1007; valid text split anywhere passes', () => {
  assert.equal(errorCode(run([client(Text, Buffer.from([0x61, 0xe2, 0x82]))]).events), 1007);
  const truncatedFragments = [client(Text, Buffer.from([0xe2]), { fin: false }), client(Continuation, Buffer.from([0x82]))];
  assert.equal(errorCode(run(truncatedFragments).events), 1007);
  const text = Buffer.from('κόσμε 😀 €');
  for (let cut = 0; cut <= text.length; cut++) {
    const { events } = run([client(Text, text.subarray(0, cut), { fin: false }), client(Continuation, text.subarray(cut))]);
    assert.deepEqual(events, [{ type: 'message', data: text, isBinary: false }], `cut ${cut}`);
  }
  assert.equal(errorCode(run([client(Binary, Buffer.from([0xff]))]).events), null, 'binary is not UTF-8 checked');
});

test('case 9: maxPayload closes with 1009 from the header, before the payload is buffered', () => {
  const conn = new Connection({ maxPayload: 1000 });
  const header = client(Binary, Buffer.alloc(1001)).subarray(0, 8); // 4-byte header + mask
  assert.equal(errorCode(feed(conn, header)), 1009);
  assert.equal(closeCodeOf(readFrames(conn.takeOutput())[0]), 1009);
  const fragments = [client(Text, 'a'.repeat(600), { fin: false }), client(Continuation, 'b'.repeat(401)).subarray(0, 8)];
  assert.equal(errorCode(run(fragments, { maxPayload: 1000 }).events), 1009, 'the sum of fragments counts');
  const exact = run([client(Binary, Buffer.alloc(600), { fin: false }), client(Continuation, Buffer.alloc(400))], { maxPayload: 1000 });
  assert.equal(exact.events[0].type, 'message');
});

test('case 9: a 16 MiB message in 64-byte fragments and in one chopped frame', () => {
  const payload = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < payload.length; i += 61) payload[i] = i & 0xff;
  const conn = new Connection();
  const frame = client(Binary, payload);
  const events = feed(conn, ...chop(frame, 65536));
  assert.equal(events.length, 1);
  assert.ok(events[0].type === 'message' && Buffer.from(events[0].data).equals(payload));
  const small = payload.subarray(0, 1024 * 1024);
  const frames = chop(small, 64).map((piece, i, all) => client(i === 0 ? Binary : Continuation, piece, { fin: i === all.length - 1 }));
  const got = run([Buffer.concat(frames)]).events;
  assert.ok(got.length === 1 && got[0].type === 'message' && Buffer.from(got[0].data).equals(small));
});

test('case 10: sending a big message writes header and payload without concatenating them', () => {
  const conn = new Connection();
  const payload = Buffer.alloc(1 << 20, 1);
  conn.send(payload, true);
  const out = conn.takeOutput();
  assert.equal(out.length, 2);
  assert.equal(out[1], payload);
  assert.deepEqual(readFrames(out).map((f) => [f.opcode, f.fin, f.payload.length]), [[Binary, true, 1 << 20]]);
  conn.send('small', false);
  const small = conn.takeOutput();
  assert.equal(small.length, 1);
  assert.deepEqual(Buffer.from(small[0]), Buffer.from([0x81, 0x05, ...Buffer.from('small')]));
  conn.send('bin', true);
  assert.deepEqual(readFrames(conn.takeOutput())[0].opcode, Binary);
});
