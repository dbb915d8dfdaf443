// Hostile clients before the upgrade: handshakes trickled in byte by byte or never finished, and
// oversized heads, in standalone, attached and noServer modes. The server must close those
// sockets, keep serving everyone else, and keep no client for them.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test, type TestContext } from 'node:test';
import WS from 'ws';
import { WebSocketServer } from '../../src/websocket/index.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, parseResponse, rawConnect, upgradeRequest, type RawClient } from './raw.js';

/** Writes a valid upgrade request one byte every `everyMs`, stopping when the server hangs up; returns how far it got. */
function trickle(raw: RawClient, everyMs: number): () => number {
  const bytes = Buffer.from(upgradeRequest());
  let i = 0;
  const timer = setInterval(() => {
    if (raw.socket.destroyed || i >= bytes.length) return clearInterval(timer);
    raw.socket.write(bytes.subarray(i, ++i));
  }, everyMs);
  raw.ended.then(() => clearInterval(timer), () => clearInterval(timer));
  return () => i;
}

/** A bystander that must keep getting echoes while the hostile sockets are dealt with. */
async function assertServed(peer: WS, text: string): Promise<void> {
  peer.send(text);
  assert.equal((await nextMessage(peer)).data.toString(), text);
}

async function listen(t: TestContext, server: Server): Promise<number> {
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

test('standalone: a trickled handshake and an unfinished one are cut at handshakeTimeoutMs', async (t) => {
  const { wss, url } = await startServer(t, { handshakeTimeoutMs: 400 });
  echoAll(wss);
  const peer = await connect(t, url);
  const port = Number(new URL(url).port);
  const slow = await rawConnect(t, port);
  const progress = trickle(slow, 20); // ~190 bytes at 50 B/s: would take ~4 s
  const stuck = await rawConnect(t, port);
  stuck.socket.write('GET / HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
  await Promise.all([slow.ended, stuck.ended]);
  assert.ok(progress() < upgradeRequest().length, `cut after ${progress()} bytes, although a byte came every 20 ms`);
  assert.ok(slow.received().length === 0 || /^HTTP\/1\.1 408/.test(slow.received().toString()), 'no upgrade was answered');
  assert.equal(wss.clients.size, 1, 'only the bystander is a client');
  await assertServed(peer, 'still served');
});

test('attached: the app server sets headersTimeout/requestTimeout; slow handshakes are cut, others served', async (t) => {
  // RFC 6455 gives no deadline; in attached mode the app's http server owns the request phase, so
  // these are its settings (the defaults bound it too: 60 s headers, 300 s request in Node 20).
  const http = createServer({ connectionsCheckingInterval: 100 });
  http.headersTimeout = 400;
  http.requestTimeout = 400;
  const wss = new WebSocketServer({ server: http });
  t.after(() => new Promise<void>((resolve) => wss.close(resolve)));
  echoAll(wss);
  const port = await listen(t, http);
  const peer = await connect(t, `ws://127.0.0.1:${port}`);
  const slow = await rawConnect(t, port);
  const progress = trickle(slow, 20);
  const stuck = await rawConnect(t, port);
  stuck.socket.write('GET / HTTP/1.1\r\n');
  await Promise.all([slow.ended, stuck.ended]);
  assert.ok(progress() < upgradeRequest().length, `cut after ${progress()} bytes`);
  assert.equal(wss.clients.size, 1);
  await assertServed(peer, 'attached and served');
});

test('header size: Node answers 431 before an attached upgrade; noServer mode checks maxHeaderBytes itself', async (t) => {
  const http = createServer(); // Node's default limit: 16 KiB
  const attached = new WebSocketServer({ server: http });
  t.after(() => new Promise<void>((resolve) => attached.close(resolve)));
  const port = await listen(t, http);
  const big = await rawConnect(t, port);
  big.socket.write(upgradeRequest('/', { 'X-Pad': 'x'.repeat(20_000) }));
  assert.equal(parseResponse(await big.until(headComplete)).status, 431);
  await big.ended;

  // An app server that allows big heads for its own routes: the WebSocket limit still holds.
  const roomy = createServer({ maxHeaderSize: 64 * 1024 });
  const manual = new WebSocketServer({ noServer: true, maxHeaderBytes: 4096 });
  t.after(() => new Promise<void>((resolve) => manual.close(resolve)));
  roomy.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => manual.handleUpgrade(req, socket, head, () => {}));
  const roomyPort = await listen(t, roomy);
  const padded = await rawConnect(t, roomyPort);
  padded.socket.write(upgradeRequest('/', { 'X-Pad': 'x'.repeat(8_000) }));
  const response = parseResponse(await padded.until(headComplete));
  assert.equal(response.status, 431);
  await padded.ended;
  assert.equal(manual.clients.size, 0);
  const fine = await connect(t, `ws://127.0.0.1:${roomyPort}`);
  assert.equal(fine.readyState, WS.OPEN);
  assert.equal(manual.clients.size, 1);
});

test('connection flood: beyond maxConnections upgrades get 503, and a freed slot is reused', async (t) => {
  const { wss, url } = await startServer(t, { maxConnections: 5 });
  echoAll(wss);
  const peers = await Promise.all(Array.from({ length: 5 }, () => connect(t, url)));
  const port = Number(new URL(url).port);
  const refused = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const raw = await rawConnect(t, port);
      raw.socket.write(upgradeRequest());
      const response = parseResponse(await raw.until(headComplete));
      await raw.ended;
      return response.status;
    }),
  );
  assert.deepEqual(new Set(refused), new Set([503]));
  assert.equal(wss.clients.size, 5);
  await assertServed(peers[0], 'the first five stay served');
  const [first] = wss.clients;
  const gone = new Promise<void>((resolve) => first.once('close', () => setImmediate(resolve))); // forgotten right after 'close'
  first.close();
  await gone;
  assert.equal(wss.clients.size, 4);
  const late = await connect(t, url);
  await assertServed(late, 'a freed slot is reused');
});
