/** The Node adapter and WebSocketServer over real loopback sockets. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import WS from 'ws';
import { isValidCloseCode } from '../../src/websocket/close.js';
import { Opcode } from '../../src/websocket/frame.js';
import { WebSocket, WebSocketServer } from '../../src/websocket/index.js';
import { client, readFrames } from './frames.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, parseResponse, rawConnect, upgradeRequest } from './raw.js';

const portOf = (url: string): number => Number(new URL(url).port);

async function rawUpgrade(t: Parameters<typeof rawConnect>[0], url: string, request: string) {
  const raw = await rawConnect(t, portOf(url));
  raw.socket.write(request);
  return { raw, response: parseResponse(await raw.until(headComplete)) };
}

test('frames sent in the same packet as the upgrade request are parsed', async (t) => {
  const { wss, url } = await startServer(t);
  const got = new Promise<Buffer>((resolve) => wss.on('connection', (ws) => ws.on('message', resolve)));
  const raw = await rawConnect(t, portOf(url));
  raw.socket.write(Buffer.concat([Buffer.from(upgradeRequest()), client(Opcode.Text, 'early bird')]));
  assert.equal((await got).toString(), 'early bird');
  const response = parseResponse(await raw.until(headComplete));
  assert.equal(response.status, 101);
  assert.equal(response.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('bad handshakes get a 4xx with a reason and the socket is closed', async (t) => {
  const { url } = await startServer(t, { path: '/ws' });
  const cases: Array<[string, number]> = [
    [upgradeRequest('/ws', { 'Sec-WebSocket-Version': '8' }), 426],
    [upgradeRequest('/ws', { 'Sec-WebSocket-Key': 'short' }), 400],
    [upgradeRequest('/other'), 400],
    [upgradeRequest('/ws', { 'X-Big': 'x'.repeat(20_000) }), 431],
    ['GET /ws HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ];
  for (const [request, status] of cases) {
    const { raw, response } = await rawUpgrade(t, url, request);
    assert.equal(response.status, status, request.slice(0, 60));
    if (status === 426) assert.equal(response.headers['sec-websocket-version'], '13');
    await raw.ended;
  }
});

test('verifyClient and handleProtocols decide by request', async (t) => {
  const { url } = await startServer(t, {
    verifyClient: (req: IncomingMessage) => (req.headers.origin === 'https://good.example' ? true : { status: 403, reason: 'origin not allowed' }),
    handleProtocols: (offered: string[]) => (offered.includes('webracer.v1') ? 'webracer.v1' : false),
  });
  const { raw, response } = await rawUpgrade(t, url, upgradeRequest('/', { Origin: 'https://evil.example' }));
  assert.equal(response.status, 403);
  assert.equal(response.rest.toString(), 'origin not allowed');
  await raw.ended;
  const ok = await connect(t, url, { origin: 'https://good.example' }, ['other', 'webracer.v1']);
  assert.equal(ok.protocol, 'webracer.v1');
  const none = await connect(t, url, { origin: 'https://good.example' });
  assert.equal(none.protocol, '');
});

test('a subprotocol the client did not offer is refused with 500, never sent (RFC 6455 4.2.2)', async (t) => {
  const { url } = await startServer(t, { handleProtocols: () => 'not-offered' });
  const { raw, response } = await rawUpgrade(t, url, upgradeRequest('/', { 'Sec-WebSocket-Protocol': 'chat' }));
  assert.equal(response.status, 500);
  await raw.ended;
});

test('attached to an existing http server, and noServer with handleUpgrade', async (t) => {
  const http = createServer((_req, res) => res.end('page'));
  t.after(() => http.close());
  const attached = new WebSocketServer({ server: http, path: '/ws' });
  http.listen(0, '127.0.0.1');
  await once(attached, 'listening');
  const port = (http.address() as AddressInfo).port;
  const connected = once(attached, 'connection');
  await connect(t, `ws://127.0.0.1:${port}/ws`);
  const [ws, req] = (await connected) as [WebSocket, IncomingMessage];
  assert.equal(req.url, '/ws');
  assert.equal(attached.clients.has(ws), true);
  assert.equal(attached.address(), null);

  const manual = new WebSocketServer({ noServer: true });
  const http2 = createServer();
  t.after(() => http2.close());
  let fromCallback: WebSocket | null = null;
  http2.on('upgrade', (r: IncomingMessage, socket: Duplex, head: Buffer) => manual.handleUpgrade(r, socket, head, (w) => (fromCallback = w)));
  http2.listen(0, '127.0.0.1');
  await once(http2, 'listening');
  const emitted = once(manual, 'connection');
  await connect(t, `ws://127.0.0.1:${(http2.address() as AddressInfo).port}`);
  const [viaEvent] = (await emitted) as [WebSocket];
  assert.equal(viaEvent, fromCallback);
  await new Promise<void>((resolve) => attached.close(resolve));
  await new Promise<void>((resolve) => manual.close(resolve));
});

test('a protocol violation sends a real close frame (1002), then the server closes TCP', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const { raw } = await rawUpgrade(t, url, upgradeRequest());
  const [ws] = (await serverSide) as [WebSocket];
  // events.once would listen for 'error' too: there must be no 'error' listener here.
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
  raw.socket.write(client(7, 'reserved opcode'));
  await raw.ended;
  const frames = readFrames([parseResponse(raw.received()).rest]);
  assert.deepEqual(frames.map((f) => [f.opcode, f.payload.readUInt16BE(0)]), [[Opcode.Close, 1002]]);
  assert.equal(await closed, 1002);
});

test("'error' is emitted with the ProtocolError when someone listens; maxPayload gives 1009", async (t) => {
  const { wss, url } = await startServer(t, { maxPayload: 1024 });
  const serverSide = once(wss, 'connection');
  const peer = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const error = once(ws, 'error');
  const peerClosed = once(peer, 'close');
  peer.send(Buffer.alloc(1025));
  assert.equal((await error)[0].closeCode, 1009);
  assert.equal((await peerClosed)[0], 1009);
});

test('a peer that never answers our close is dropped after closeTimeoutMs', async (t) => {
  const { wss, url } = await startServer(t, { closeTimeoutMs: 150 });
  const serverSide = once(wss, 'connection');
  const { raw } = await rawUpgrade(t, url, upgradeRequest());
  const [ws] = (await serverSide) as [WebSocket];
  const closed = once(ws, 'close');
  ws.close(1000);
  await raw.ended;
  assert.equal((await closed)[0], 1006, 'no close frame came back');
});

test('heartbeat: a silent peer is terminated, a ponging peer stays', async (t) => {
  const { wss, url } = await startServer(t, { heartbeatIntervalMs: 150 });
  const alive = await connect(t, url);
  let pings = 0;
  const threePings = new Promise<void>((resolve) => alive.on('ping', () => ++pings === 3 && resolve()));
  const serverSide = once(wss, 'connection');
  const { raw } = await rawUpgrade(t, url, upgradeRequest());
  const [silent] = (await serverSide) as [WebSocket];
  const silentClosed = once(silent, 'close');
  await raw.ended;
  assert.equal((await silentClosed)[0], 1006);
  await threePings;
  assert.equal(alive.readyState, WS.OPEN);
});

test('handshake timeout: a client that never finishes its headers is disconnected, open connections stay', async (t) => {
  const { wss, url } = await startServer(t, { handshakeTimeoutMs: 200 });
  echoAll(wss);
  const peer = await connect(t, url);
  const raw = await rawConnect(t, portOf(url));
  raw.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  await raw.ended;
  assert.equal(peer.readyState, WS.OPEN, 'the timeout does not apply to upgraded connections');
  peer.send('still here');
  assert.equal((await nextMessage(peer)).data.toString(), 'still here');
});

test('backpressure: bufferedAmount grows while the peer does not read; callbacks fire once flushed', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const { raw } = await rawUpgrade(t, url, upgradeRequest());
  const [ws] = (await serverSide) as [WebSocket];
  raw.socket.pause();
  const chunk = Buffer.alloc(1 << 20);
  let flushed = 0;
  let sent = 0;
  while (ws.bufferedAmount === 0 && sent < 256) {
    ws.send(chunk, () => flushed++);
    sent++;
  }
  assert.ok(ws.bufferedAmount > 0, 'the kernel buffers filled up');
  assert.ok(flushed < sent);
  const allFlushed = new Promise<void>((resolve) => ws.send(Buffer.from('last'), () => resolve()));
  raw.socket.resume();
  await allFlushed;
  assert.equal(flushed, sent);
  assert.equal(ws.bufferedAmount, 0);
});

test('wss.close closes every client with 1001 and calls back', async (t) => {
  const { wss, url } = await startServer(t);
  const peers = [await connect(t, url), await connect(t, url)];
  const codes = Promise.all(peers.map((p) => once(p, 'close')));
  await new Promise<void>((resolve) => wss.close(resolve));
  assert.deepEqual((await codes).map(([code]) => code), [1001, 1001]);
  assert.equal(wss.clients.size, 0);
  assert.equal(wss.address(), null);
});

test('plain HTTP requests to a standalone server are refused with a reason', async (t) => {
  const { url } = await startServer(t);
  const response = await fetch(url.replace('ws:', 'http:'));
  assert.equal(response.status, 400);
  assert.match(await response.text(), /Upgrade/);
});

test('messages are delivered between two reads in order, with text/binary flags', async (t) => {
  const { wss, url } = await startServer(t);
  const serverSide = once(wss, 'connection');
  const peer = await connect(t, url);
  const [ws] = (await serverSide) as [WebSocket];
  const got: Array<[string, boolean]> = [];
  const done = new Promise<void>((resolve) => ws.on('message', (d: Buffer, b: boolean) => got.push([d.toString(), b]) === 3 && resolve()));
  peer.send('one');
  peer.send(Buffer.from('two'));
  peer.send('three');
  await done;
  assert.deepEqual(got, [['one', false], ['two', true], ['three', false]]);
  ws.send('reply');
  assert.deepEqual(await nextMessage(peer), { data: Buffer.from('reply'), isBinary: false });
});

test('Autobahn 6.4.3 over TCP: bad UTF-8 fails with 1007 before the rest of the frame is sent', async (t) => {
  const { wss, url } = await startServer(t);
  wss.on('connection', (ws) => ws.on('message', () => assert.fail('no message may be delivered')));
  const { raw, response } = await rawUpgrade(t, url, upgradeRequest());
  assert.equal(response.status, 101);
  const good = Buffer.from('cebae1bdb9cf83cebcceb5', 'hex');
  const frame = client(Opcode.Text, Buffer.concat([good, Buffer.from('f4908080', 'hex'), Buffer.from('edited')]));
  const split = 6 + good.length;
  raw.socket.write(frame.subarray(0, split));
  raw.socket.write(frame.subarray(split, split + 4)); // the rest of the frame is never sent
  await raw.ended; // the server closes TCP after its close frame
  const [close] = readFrames([parseResponse(raw.received()).rest]);
  assert.equal(close.opcode, Opcode.Close);
  assert.equal(close.payload.readUInt16BE(0), 1007);
});

test('the 101 and what the connection handler sends at once leave in one write', async (t) => {
  const { wss, url } = await startServer(t);
  wss.on('connection', (ws) => ws.send('welcome'));
  const raw = await rawConnect(t, portOf(url));
  const first = new Promise<Buffer>((resolve) => raw.socket.once('data', resolve));
  raw.socket.write(upgradeRequest());
  const chunk = await first;
  const response = parseResponse(chunk);
  assert.equal(response.status, 101);
  assert.deepEqual(readFrames([response.rest]).map((f) => f.payload.toString()), ['welcome']);
});

test('random bytes after the handshake never crash the server; any close it sends has a valid code', async (t) => {
  const { wss, url } = await startServer(t, { maxPayload: 1 << 16 });
  echoAll(wss);
  const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 400 }), { numRuns: 25, seed: 6455 });
  for (const noise of samples) {
    const bytes = Buffer.from(noise);
    bytes[1] |= 0x80; // masked, so the deeper rules are reached too
    const { raw } = await rawUpgrade(t, url, upgradeRequest());
    raw.socket.end(bytes);
    await raw.ended;
    const rest = parseResponse(raw.received()).rest;
    for (const frame of readCompleteFrames(rest)) {
      if (frame.opcode === Opcode.Close && frame.payload.length >= 2) assert.ok(isValidCloseCode(frame.payload.readUInt16BE(0)));
    }
  }
});

/** The frames that arrived whole (the server may have been cut off by our FIN mid-echo). */
function readCompleteFrames(bytes: Buffer): ReturnType<typeof readFrames> {
  for (let end = bytes.length; end >= 0; end--) {
    try {
      return readFrames([bytes.subarray(0, end)]);
    } catch {
      // not a frame boundary
    }
  }
  return [];
}
