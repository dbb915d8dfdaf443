/** The Node adapter's hot-path promises, checked on an in-memory socket that records every write. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import { Opcode } from '../../src/websocket/frame.js';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { DeflateExtension } from '../../src/websocket/deflate-extension.js';
import { WebSocket } from '../../src/websocket/websocket.js';
import { client, readFrames } from './frames.js';

/** A socket whose writes are recorded as calls; `hold` keeps write callbacks pending (a congested peer). */
class FakeSocket extends Duplex {
  calls: Buffer[][] = [];
  held: Array<() => void> = [];
  hold = false;
  constructor() {
    super({ allowHalfOpen: true });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.record([chunk], cb);
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: () => void): void {
    this.record(chunks.map((c) => c.chunk), cb);
  }
  setNoDelay(): void {}
  release(): void {
    this.hold = false;
    for (const cb of this.held.splice(0)) cb();
  }
  private record(chunks: Buffer[], cb: () => void): void {
    this.calls.push(chunks);
    if (this.hold) this.held.push(cb);
    else cb();
  }
}

function open(maxBufferedAmount = 1 << 20): { socket: FakeSocket; ws: WebSocket } {
  const socket = new FakeSocket();
  const ws = new WebSocket(socket, Buffer.alloc(0), { maxPayload: 1 << 24, closeTimeoutMs: 1000, maxBufferedAmount });
  return { socket, ws };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('everything produced while handling one read leaves in one write', async () => {
  const { socket, ws } = open();
  ws.on('message', (data: Buffer) => {
    ws.send(`re: ${data}`);
    ws.send(Buffer.from('bin'));
  });
  const pings = Array.from({ length: 10 }, (_, i) => client(Opcode.Ping, `p${i}`));
  socket.push(Buffer.concat([...pings, client(Opcode.Text, 'hello'), client(Opcode.Ping, 'last')]));
  await tick();
  assert.equal(socket.calls.length, 1, 'one write call for the whole read');
  const frames = readFrames(socket.calls[0]);
  assert.deepEqual(
    frames.map((f) => [f.opcode, f.payload.toString()]),
    // Pongs are queued while the read is parsed, the application's replies as its handlers run.
    [...pings.map((_, i) => [Opcode.Pong, `p${i}`]), [Opcode.Pong, 'last'], [Opcode.Text, 're: hello'], [Opcode.Binary, 'bin']],
  );
});

test('replies to messages that arrived in the same read as a close go out before the close (7.1.1)', async () => {
  const { socket, ws } = open();
  ws.on('message', (data: Buffer) => ws.send(data, { binary: false }));
  socket.push(Buffer.concat([client(Opcode.Text, 'one'), client(Opcode.Text, 'two'), client(Opcode.Close, Buffer.from([0x03, 0xe8])), client(Opcode.Text, 'ignored')]));
  await tick();
  const frames = readFrames(socket.calls.flat());
  assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString('latin1')]), [[Opcode.Text, 'one'], [Opcode.Text, 'two'], [Opcode.Close, '\x03\xe8']]);
  ws.send('after the close', (err) => assert.ok(err instanceof Error));
  ws.terminate();
});

test('a reply to a message that came just before a bad frame goes out before the 1002 close (3.2)', async () => {
  const { socket, ws } = open();
  ws.on('message', (data: Buffer) => ws.send(data, { binary: false }));
  socket.push(Buffer.concat([client(Opcode.Text, 'hello'), client(Opcode.Text, 'bad', { rsv2: true }), client(Opcode.Ping)]));
  await tick();
  const frames = readFrames(socket.calls.flat());
  assert.deepEqual(frames.map((f) => f.opcode), [Opcode.Text, Opcode.Close]);
  assert.equal(frames[1].payload.readUInt16BE(0), 1002);
  ws.terminate();
});

test('a big payload is written as header + the caller\'s own buffer, never concatenated', async () => {
  const { socket, ws } = open();
  const payload = Buffer.alloc(1 << 20, 3);
  ws.send(payload);
  await tick();
  assert.equal(socket.calls.length, 1);
  assert.equal(socket.calls[0].length, 2);
  assert.equal(socket.calls[0][1], payload, 'the very same buffer');
  assert.equal(socket.calls[0][0].length, 10);
});

test('send callbacks fire when the bytes are flushed; bufferedAmount counts what waits', async () => {
  const { socket, ws } = open();
  socket.hold = true;
  let done = false;
  ws.send(Buffer.alloc(5000), () => (done = true));
  ws.send('second');
  await tick();
  assert.equal(done, false);
  assert.ok(ws.bufferedAmount >= 5000);
  socket.release();
  await tick();
  socket.release();
  await tick();
  assert.equal(done, true);
  assert.equal(ws.bufferedAmount, 0);
});

test('reading pauses while too much waits to be sent, and resumes once it drains', async () => {
  const { socket, ws } = open(64 * 1024);
  socket.hold = true;
  const ping = client(Opcode.Ping, Buffer.alloc(125, 1));
  let pings = 0;
  ws.on('ping', () => pings++);
  for (let i = 0; i < 1000 && !socket.isPaused(); i++) {
    socket.push(Buffer.concat(Array.from({ length: 50 }, () => ping)));
    await tick();
  }
  assert.ok(socket.isPaused(), 'reading paused');
  assert.ok(ws.bufferedAmount > 64 * 1024 && ws.bufferedAmount < 64 * 1024 + 50 * 127 + 16 * 1024);
  const before = pings;
  socket.push(Buffer.concat([ping, ping]));
  await tick();
  assert.equal(pings, before, 'nothing is read while paused');
  while (socket.held.length > 0) {
    socket.release();
    await tick();
  }
  assert.equal(socket.isPaused(), false);
  assert.equal(pings, before + 2, 'the bytes that waited are read after the drain');
});

test('an inflate budget: a peer over maxInflateRate is not read until it refills; a drain pause is kept apart', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const socket = new FakeSocket();
  const extension = new DeflateExtension(
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 15, clientMaxWindowBits: 15 },
    { threshold: 0, level: -1, memLevel: 8 },
  );
  const ws = new WebSocket(socket, Buffer.alloc(0), { maxPayload: 1 << 24, closeTimeoutMs: 1000, maxBufferedAmount: 1024, maxInflateRate: 1 << 20 }, { protocol: '', extensions: 'permessage-deflate', extension });
  let messages = 0;
  ws.on('message', () => messages++);
  const bomb = zlib.deflateRawSync(Buffer.alloc(3 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
  socket.push(client(Opcode.Binary, bomb, { rsv1: true })); // 3 MiB against a 1 MiB/s budget, 1 MiB deep
  await tick();
  assert.equal(messages, 1);
  assert.ok(socket.isPaused(), 'paused: 2 MiB over budget');
  // Meanwhile the peer also stops reading our replies: a second reason to pause.
  socket.hold = true;
  ws.send(randomBytes(32 * 1024)); // incompressible, past the Writable high-water mark: a drain is awaited
  t.mock.timers.tick(1500); // 2 MiB over at 1 MiB/s: 2 s (less the real time elapsed since the start)
  assert.ok(socket.isPaused(), 'still paused before the budget refilled');
  t.mock.timers.tick(600);
  assert.equal(socket.isPaused(), false, 'resumed once the budget refilled');
  socket.push(client(Opcode.Ping, 'x'));
  await tick();
  socket.push(client(Opcode.Ping, 'y'));
  await tick();
  assert.ok(socket.isPaused(), 'paused for the unread backlog');
  t.mock.timers.tick(5000);
  assert.ok(socket.isPaused(), 'the inflate timer does not lift a drain pause');
  while (socket.held.length > 0) {
    socket.release();
    await tick();
  }
  assert.equal(socket.isPaused(), false);
  ws.terminate();
});

test('a peer close is answered and TCP is ended by the server (section 7.1.1)', async () => {
  const { socket, ws } = open();
  let finished = false;
  socket.on('finish', () => (finished = true));
  socket.push(client(Opcode.Close, Buffer.from([0x03, 0xe8])));
  await tick();
  assert.equal(ws.readyState, WebSocket.CLOSING);
  assert.deepEqual(readFrames(socket.calls.flat()).map((f) => f.opcode), [Opcode.Close]);
  assert.ok(finished, 'our side of TCP is closed');
  ws.terminate();
});
