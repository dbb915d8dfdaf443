/** Interop with the `ws` package's client: the messages, control frames and closes a real peer sends. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { encodeFrame, headerSize, Opcode } from '../../src/websocket/frame.js';
import { WebSocket } from '../../src/websocket/index.js';
import { chop, readFrames } from './frames.js';
import { closed, connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, parseResponse, rawConnect, upgradeRequest, type RawClient } from './raw.js';

test('text and binary messages echo with their type', async (t) => {
  const { wss, url } = await startServer(t);
  echoAll(wss);
  const client = await connect(t, url);
  client.send('héllo wörld ✓');
  assert.deepEqual(await nextMessage(client), { data: Buffer.from('héllo wörld ✓'), isBinary: false });
  client.send(Buffer.from([0, 1, 2, 255]));
  assert.deepEqual(await nextMessage(client), { data: Buffer.from([0, 1, 2, 255]), isBinary: true });
  client.send('');
  assert.deepEqual(await nextMessage(client), { data: Buffer.alloc(0), isBinary: false });
});

test('fragmented messages are reassembled', async (t) => {
  const { wss, url } = await startServer(t);
  echoAll(wss);
  const client = await connect(t, url);
  client.send('frag', { fin: false });
  client.ping('in between');
  client.send('men', { fin: false });
  client.send('ted', { fin: true });
  const got = await nextMessage(client);
  assert.equal(got.data.toString(), 'fragmented');
  assert.equal(got.isBinary, false);
});

test('16 MiB messages travel both ways intact', async (t) => {
  const { wss, url } = await startServer(t);
  echoAll(wss);
  const client = await connect(t, url);
  const big = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  big[big.length - 1] = 0x5a;
  client.send(big);
  const got = await nextMessage(client);
  assert.equal(got.isBinary, true);
  assert.ok(got.data.equals(big));
  const text = 'x'.repeat(16 * 1024 * 1024 - 1) + 'é';
  client.send(text);
  const echoed = await nextMessage(client);
  assert.equal(echoed.isBinary, false);
  assert.equal(echoed.data.toString(), text);
});

test('ping gets a pong with the same payload, and the server can ping', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const client = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const pinged = once(ws, 'ping');
  client.ping('are you there');
  const [pong] = await once(client, 'pong');
  assert.equal(pong.toString(), 'are you there');
  assert.equal((await pinged)[0].toString(), 'are you there');
  const serverPong = once(ws, 'pong');
  ws.ping('server ping');
  assert.equal((await serverPong)[0].toString(), 'server ping');
});

test('client-initiated close: both sides see the code and reason', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const client = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const serverClosed = once(ws, 'close');
  const clientClosed = closed(client);
  client.close(4321, 'done here');
  const [code, reason] = await serverClosed;
  assert.equal(code, 4321);
  assert.equal(reason.toString(), 'done here');
  assert.equal((await clientClosed).code, 4321);
  assert.equal(ws.readyState, WebSocket.CLOSED);
  assert.equal(wss.clients.size, 0);
});

test('server-initiated close: the client sees the code and reason, the server its echo', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const client = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const clientClosed = closed(client);
  const serverClosed = once(ws, 'close');
  ws.close(1000, 'bye');
  assert.equal(ws.readyState, WebSocket.CLOSING);
  assert.deepEqual(await clientClosed, { code: 1000, reason: 'bye' });
  assert.equal((await serverClosed)[0], 1000);
});

test('every valid close code crosses in both directions', async (t) => {
  const { wss, url } = await startServer(t);
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999]) {
    const serverSide = once(wss, 'connection');
    const client = await connect(t, url);
    const [ws] = (await serverSide) as [WebSocket];
    const got = once(ws, 'close');
    // The ws client refuses to send the codes only an endpoint failing the protocol may use.
    const sent = code === 1002 || code === 1007 || code === 1009 || code === 1011 ? 4000 : code;
    client.close(sent, 'c');
    assert.equal((await got)[0], sent, `client close ${sent}`);
    const serverSide2 = once(wss, 'connection');
    const client2 = await connect(t, url);
    const [ws2] = (await serverSide2) as [WebSocket];
    const c2 = closed(client2);
    ws2.close(code, 'r');
    assert.equal((await c2).code, code, `server close ${code}`);
  }
});

test('send callbacks fire once flushed, and sends after close report an error', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const client = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const err = await new Promise<Error | undefined | null>((resolve) => ws.send('hi', resolve));
  assert.ok(!err);
  assert.equal((await nextMessage(client)).data.toString(), 'hi');
  ws.close();
  const late = await new Promise<Error | undefined | null>((resolve) => ws.send('late', resolve));
  assert.ok(late instanceof Error);
});

test('a dropped TCP connection closes with 1006', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const client = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const got = once(ws, 'close');
  client.terminate();
  assert.equal((await got)[0], 1006);
});

test('property: random messages, fragmented and written in random pieces, come back intact', async (t) => {
  const { wss, url } = await startServer(t);
  echoAll(wss);
  const message = fc.record({
    binary: fc.boolean(),
    text: fc.string({ unit: 'binary', maxLength: 2000 }),
    bytes: fc.uint8Array({ maxLength: 70_000 }),
    fragments: fc.integer({ min: 1, max: 4 }),
    mask: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), async (messages, sizes) => {
      const { raw } = await rawUpgradeOnce(t, url);
      const expected = messages.map((m) => ({ payload: m.binary ? Buffer.from(m.bytes) : Buffer.from(m.text, 'utf8'), binary: m.binary }));
      const frames = messages.flatMap((m, i) => {
        const payload = expected[i].payload;
        const step = Math.ceil(payload.length / m.fragments) || 1;
        const parts = payload.length === 0 ? [payload] : chop(payload, step);
        return parts.map((part, j) => encodeFrame({ opcode: j > 0 ? Opcode.Continuation : m.binary ? Opcode.Binary : Opcode.Text, fin: j === parts.length - 1, payload: part, mask: m.mask }));
      });
      const stream = Buffer.concat(frames);
      for (let off = 0, k = 0; off < stream.length; k++) {
        const size = sizes[k % sizes.length];
        raw.socket.write(stream.subarray(off, off + size));
        off += size;
      }
      const echoed = await raw.until((bytes) => countFrames(parseResponse(bytes).rest) >= expected.length);
      const got = readFrames([parseResponse(echoed).rest]);
      assert.deepEqual(got.map((f) => [f.opcode, f.payload]), expected.map((e) => [e.binary ? Opcode.Binary : Opcode.Text, e.payload]));
      raw.socket.destroy();
    }),
    { numRuns: 15 },
  );
});

/** Upgrades a raw socket and waits for the 101. */
async function rawUpgradeOnce(t: TestContext, url: string): Promise<{ raw: RawClient }> {
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest());
  await raw.until(headComplete);
  return { raw };
}

/** Number of complete frames at the start of `bytes` (server frames are unmasked). */
function countFrames(bytes: Buffer): number {
  let n = 0;
  let off = 0;
  while (off + 2 <= bytes.length) {
    const size = headerSize(bytes[off + 1]);
    if (off + size > bytes.length) break;
    const len7 = bytes[off + 1] & 0x7f;
    const len = len7 === 126 ? bytes.readUInt16BE(off + 2) : len7 === 127 ? Number(bytes.readBigUInt64BE(off + 2)) : len7;
    if (off + size + len > bytes.length) break;
    off += size + len;
    n++;
  }
  return n;
}
