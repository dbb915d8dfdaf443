// permessage-deflate over real sockets with the `ws` client: the ground of Autobahn 12.x (default
// offer, several kinds of data, sizes 16 B to 128 KiB, whole and auto-fragmented) and 13.x (the
// same with each parameter set of the client's offer), with fewer messages per case so it stays
// bounded in time. Every message is sent, then its echo awaited and compared, as Autobahn does.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import WS from 'ws';
import { WebSocketServer, type WebSocket } from '../../src/websocket/index.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, parseResponse, rawConnect, upgradeRequest } from './raw.js';

/** A deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Test corpora of 256 KiB each, like Autobahn's data files: messages are windows cycling over them. */
function corpus(kind: 'json' | 'prose' | 'bitmap' | 'noise'): { data: Buffer; binary: boolean } {
  const rand = prng(kind.length * 7919);
  const size = 256 * 1024;
  if (kind === 'noise') return { data: Buffer.from(Array.from({ length: size }, () => (rand() * 256) | 0)), binary: true };
  if (kind === 'bitmap') {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = ((i % 512) + ((i >> 9) % 512) + ((rand() * 8) | 0)) & 0xff;
    return { data, binary: true };
  }
  const parts: string[] = [];
  let length = 0;
  const words = ['Straße', 'Fahrzeug', 'schnell', 'über', 'Lenkung', 'und', 'der', 'Weg', 'grün', 'Motor', 'ß', 'Ärger'];
  while (length < size) {
    const part =
      kind === 'json'
        ? JSON.stringify({ id: (rand() * 1e6) | 0, x: +rand().toFixed(3), y: +rand().toFixed(3), cmd: words[(rand() * 12) | 0], ok: rand() > 0.5 }) + ',\n'
        : words[(rand() * 12) | 0] + (rand() > 0.9 ? '.\n' : ' ');
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  // Text windows are cut at character starts by window() below.
  return { data: Buffer.from(parts.join('')), binary: false };
}

// (payload size, auto-fragment size) as in Autobahn's 12.x/13.x table.
const SIZES: Array<[number, number]> = [
  [16, 0], [64, 0], [256, 0], [1024, 0], [4096, 0], [8192, 0], [16384, 0], [32768, 0], [65536, 0], [131072, 0],
  [8192, 256], [16384, 256], [32768, 256], [65536, 256], [131072, 256], [131072, 1024], [131072, 4096], [131072, 32768],
];
const COUNT = 4;

/** Text windows must not cut a UTF-8 sequence: move the end back to a character start. */
function window(source: Buffer, from: number, length: number, binary: boolean): Buffer {
  const doubled = Buffer.concat([source, source]);
  let start = from % source.length;
  let end = start + length;
  if (!binary) {
    while ((doubled[start] & 0xc0) === 0x80) start++;
    end = start + length;
    while ((doubled[end] & 0xc0) === 0x80) end--;
  }
  return doubled.subarray(start, end);
}

/** Sends a message whole, or in fragments of `fragment` bytes (text cut only at character starts). */
function sendFragmented(client: WS, message: Buffer, binary: boolean, fragment: number): void {
  if (fragment === 0) return void client.send(message, { binary, compress: true });
  let off = 0;
  while (off < message.length) {
    let end = Math.min(off + fragment, message.length);
    while (!binary && end < message.length && (message[end] & 0xc0) === 0x80) end++;
    client.send(message.subarray(off, end), { binary, compress: true, fin: end === message.length });
    off = end;
  }
}

async function echoRun(client: WS, kind: Parameters<typeof corpus>[0]): Promise<{ sent: number }> {
  const { data, binary } = corpus(kind);
  let pointer = 0;
  let sent = 0;
  for (const [size, fragment] of SIZES) {
    for (let i = 0; i < COUNT; i++) {
      const message = window(data, pointer, size, binary);
      pointer += size;
      const echoed = nextMessage(client);
      sendFragmented(client, message, binary, fragment);
      const got = await echoed;
      assert.equal(got.isBinary, binary, `${kind} ${size}/${fragment}: message type`);
      assert.ok(got.data.equals(message), `${kind} ${size}/${fragment} #${i}: echo differs`);
      sent += message.length;
    }
  }
  return { sent };
}

/** The Sec-WebSocket-Extensions our server answered to the next connection. */
const serverExtensions = (wss: WebSocketServer): Promise<string> => new Promise((resolve) => wss.once('connection', (ws: WebSocket) => resolve(ws.extensions)));

const socketOf = (client: WS): Socket => (client as unknown as { _socket: Socket })._socket;

test('Autobahn 12.x ground: default offer, four kinds of data, every size whole and fragmented', async (t) => {
  const { wss, url } = await startServer(t, { perMessageDeflate: true });
  echoAll(wss);
  for (const kind of ['json', 'prose', 'bitmap', 'noise'] as const) {
    const agreed = serverExtensions(wss);
    const client = await connect(t, url, { perMessageDeflate: { threshold: 0 } });
    assert.equal(await agreed, 'permessage-deflate');
    const { sent } = await echoRun(client, kind);
    const socket = socketOf(client);
    const ratio = { up: socket.bytesWritten / sent, down: socket.bytesRead / sent };
    t.diagnostic(`${kind}: ${sent} B each way, wire/payload up ${ratio.up.toFixed(3)} down ${ratio.down.toFixed(3)}`);
    if (kind === 'json' || kind === 'prose') {
      assert.ok(ratio.down < 0.5, `the server compressed its echoes (${ratio.down})`);
      assert.ok(ratio.up < 0.5, `the client's compressed messages were accepted (${ratio.up})`);
    }
    if (kind === 'noise') assert.ok(ratio.down > 0.99, 'incompressible data goes out plain');
    client.close();
    await once(client, 'close');
  }
});

// Autobahn 13.1-13.7: the client's offer (server_no_context_takeover, server_max_window_bits),
// always with client_no_context_takeover and client_max_window_bits offered as that suite does.
const OFFERS: Array<{ name: string; offer: Record<string, unknown>; response: string }> = [
  { name: '13.1', offer: {}, response: 'permessage-deflate' },
  { name: '13.2', offer: { serverNoContextTakeover: true, clientNoContextTakeover: true }, response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover' },
  { name: '13.3', offer: { serverMaxWindowBits: 8 }, response: 'permessage-deflate; server_max_window_bits=8' },
  { name: '13.4', offer: { serverMaxWindowBits: 15 }, response: 'permessage-deflate; server_max_window_bits=15' },
  { name: '13.5', offer: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8 }, response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8' },
  { name: '13.6', offer: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 15 }, response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15' },
  { name: '13.x client window 9', offer: { clientMaxWindowBits: 9 }, response: 'permessage-deflate; client_max_window_bits=9' },
  { name: '13.x both windows 9', offer: { serverMaxWindowBits: 9, clientMaxWindowBits: 9 }, response: 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=9' },
];

for (const { name, offer, response } of OFFERS) {
  test(`Autobahn ${name} ground: offer ${JSON.stringify(offer)}, JSON of every size`, async (t) => {
    const { wss, url } = await startServer(t, { perMessageDeflate: true });
    echoAll(wss);
    const agreed = serverExtensions(wss);
    const client = await connect(t, url, { perMessageDeflate: { threshold: 0, ...offer } });
    assert.equal(await agreed, response);
    assert.equal(client.extensions, 'permessage-deflate', 'ws accepted our response');
    await echoRun(client, 'json');
  });
}

test('Autobahn 13.7 ground: several offers in one header, the first acceptable one wins', async (t) => {
  const { url } = await startServer(t, { perMessageDeflate: { clientMaxWindowBits: 9 } });
  const offers =
    'permessage-deflate; server_max_window_bits=8; server_no_context_takeover; client_no_context_takeover, ' +
    'permessage-deflate; server_no_context_takeover; client_max_window_bits, permessage-deflate';
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest('/', { 'Sec-WebSocket-Extensions': offers }));
  const response = parseResponse(await raw.until(headComplete));
  assert.equal(response.status, 101);
  // The first offer cannot limit the client's window to 9 bits, so the second one is taken.
  assert.equal(response.headers['sec-websocket-extensions'], 'permessage-deflate; server_no_context_takeover; client_max_window_bits=9');
});

test('a malformed Sec-WebSocket-Extensions is refused with 400; deflate off ignores the header', async (t) => {
  const on = await startServer(t, { perMessageDeflate: true });
  const off = await startServer(t);
  for (const [url, status] of [[on.url, 400], [off.url, 101]] as const) {
    const raw = await rawConnect(t, Number(new URL(url).port));
    raw.socket.write(upgradeRequest('/', { 'Sec-WebSocket-Extensions': 'permessage-deflate; =x' }));
    const response = parseResponse(await raw.until(headComplete));
    assert.equal(response.status, status);
    assert.equal(response.headers['sec-websocket-extensions'], undefined);
  }
});

test('compressed messages interleaved with pings and plain messages, both ways, pipelined', async (t) => {
  const { wss, url } = await startServer(t, { perMessageDeflate: { threshold: 64 } });
  const serverSide = once(wss, 'connection');
  const client = await connect(t, url, { perMessageDeflate: { threshold: 0 } });
  const [ws] = (await serverSide) as [import('../../src/websocket/index.js').WebSocket];
  const pongs: string[] = [];
  client.on('pong', (data: Buffer) => pongs.push(data.toString()));
  const received: Buffer[] = [];
  const all = new Promise<void>((resolve) => ws.on('message', (data: Buffer) => received.push(Buffer.from(data)) === 20 && resolve()));
  const { data } = corpus('json');
  const sent: Buffer[] = [];
  for (let i = 0; i < 20; i++) {
    const message = data.subarray(i * 3000, i * 3000 + 100 + i * 500);
    sent.push(message);
    // Three fragments with a ping between each: control frames inside a compressed message.
    const third = Math.floor(message.length / 3);
    client.send(message.subarray(0, third), { fin: false, compress: i % 3 !== 0 });
    client.ping(`p${i}`);
    client.send(message.subarray(third, 2 * third), { fin: false });
    client.ping(`q${i}`);
    client.send(message.subarray(2 * third), { fin: true });
  }
  await all;
  assert.deepEqual(received.map((b) => b.toString()), sent.map((b) => b.toString()));
  assert.equal(pongs.length, 40);
  // Server to client: compressed (over the threshold) and plain (under it) in one stream, with pings.
  const expected: string[] = [];
  const back: string[] = [];
  const done = new Promise<void>((resolve) => client.on('message', (d: Buffer) => back.push(d.toString()) === 40 && resolve()));
  for (let i = 0; i < 20; i++) {
    ws.send(sent[i].toString());
    if (i % 5 === 0) ws.ping(`s${i}`);
    ws.send(`tiny ${i}`);
    expected.push(sent[i].toString(), `tiny ${i}`);
  }
  await done;
  assert.deepEqual(back, expected);
  const down = socketOf(client).bytesRead;
  const plain = expected.reduce((n, m) => n + Buffer.byteLength(m), 0);
  assert.ok(down < plain / 2, `server messages were compressed (${down} wire bytes for ${plain})`);
});

test('bad perMessageDeflate or backpressure options fail when the server is built, not on a request', () => {
  const Server = WebSocketServer;
  assert.throws(() => new Server({ noServer: true, perMessageDeflate: { serverMaxWindowBits: 16 } }), RangeError);
  assert.throws(() => new Server({ noServer: true, perMessageDeflate: { memLevel: 0 } }), RangeError);
  assert.throws(() => new Server({ noServer: true, backpressure: 'queue' as 'drop' }), RangeError);
  const ok = new Server({ noServer: true, perMessageDeflate: { clientMaxWindowBits: 8, threshold: 0 }, backpressure: 'drop' });
  ok.close();
});
