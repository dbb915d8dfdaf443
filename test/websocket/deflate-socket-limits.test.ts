// permessage-deflate limits over real sockets: RSV1 where RFC 7692 forbids it is 1002, and a
// decompression bomb is stopped at maxPayload (1009) with the server's memory flat while other
// clients keep being served. A file of its own so RSS readings come from a quiet process.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { DeflateExtension } from '../../src/websocket/deflate-extension.js';
import { Opcode } from '../../src/websocket/frame.js';
import type { WebSocket, WebSocketServer } from '../../src/websocket/index.js';
import { client, readFrames } from './frames.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, parseResponse, rawConnect, upgradeRequest } from './raw.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MiB = 1 << 20;
const DEFLATE = { 'Sec-WebSocket-Extensions': 'permessage-deflate' };

/** Counts DeflateExtension.dispose calls: every connection must free its codec. */
function countDisposals(t: { after(fn: () => void): void }): () => number {
  const original = DeflateExtension.prototype.dispose;
  let n = 0;
  DeflateExtension.prototype.dispose = function (this: DeflateExtension) {
    n++;
    original.call(this);
  };
  t.after(() => (DeflateExtension.prototype.dispose = original));
  return () => n;
}

/** A raw client that negotiated permessage-deflate; resolves with the server's close code. */
async function sendRaw(t: Parameters<typeof rawConnect>[0], wss: WebSocketServer, url: string, frames: Buffer[]): Promise<number | null> {
  const serverClosed = new Promise((resolve) => wss.once('connection', (ws: WebSocket) => ws.once('close', resolve)));
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest('/', DEFLATE));
  const response = parseResponse(await raw.until(headComplete));
  assert.equal(response.headers['sec-websocket-extensions'], 'permessage-deflate');
  for (const frame of frames) raw.socket.write(frame);
  await raw.ended;
  await serverClosed; // the server forgot the connection and disposed its codec
  const close = readFrames([parseResponse(raw.received()).rest]).find((f) => f.opcode === Opcode.Close);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
}

const compressed = (text: string): Buffer => zlib.deflateRawSync(text, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);

test('RSV1 on a control frame or a continuation is 1002 over a socket; on a first frame it is a compressed message', async (t) => {
  const disposed = countDisposals(t);
  const { wss, url } = await startServer(t, { perMessageDeflate: true });
  const got: string[] = [];
  wss.on('connection', (ws) => ws.on('message', (d: Buffer) => got.push(d.toString())));
  const ok = client(Opcode.Text, compressed('hello, compressed'), { rsv1: true });
  assert.equal(await sendRaw(t, wss, url, [ok, client(Opcode.Ping, 'x', { rsv1: true })]), 1002);
  const first = client(Opcode.Text, 'plain start ', { fin: false });
  assert.equal(await sendRaw(t, wss, url, [first, client(Opcode.Continuation, compressed('end'), { rsv1: true })]), 1002);
  assert.equal(await sendRaw(t, wss, url, [client(Opcode.Pong, '', { rsv1: true })]), 1002);
  assert.equal(await sendRaw(t, wss, url, [client(Opcode.Close, Buffer.from([0x03, 0xe8]), { rsv1: true })]), 1002);
  assert.deepEqual(got, ['hello, compressed']);
  assert.equal(wss.clients.size, 0);
  assert.equal(disposed(), 4, 'each connection freed its codec');
});

/** `total` zeros as one compressed message payload, built from a reused buffer. */
function bomb(total: number): Buffer {
  const zeros = Buffer.alloc(total);
  return zlib.deflateRawSync(zeros, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
}

test('decompression bombs over sockets close with 1009, RSS stays flat, other clients are served', async (t) => {
  const disposed = countDisposals(t);
  const { wss, url } = await startServer(t, { perMessageDeflate: true, maxPayload: MiB });
  echoAll(wss);
  const bystander = await connect(t, url, { perMessageDeflate: true });
  const payload = bomb(64 * MiB); // 64 MiB of zeros in about 64 KiB
  assert.ok(payload.length < 100 * 1024, `bomb is ${payload.length} bytes`);
  const frame = client(Opcode.Binary, payload, { rsv1: true });
  const errors: number[] = [];
  wss.on('connection', (ws: WebSocket) => ws.on('error', (err: { closeCode: number }) => errors.push(err.closeCode)));

  const WARMUP = 5;
  // Warm up: the first bombs grow the allocator's arenas (about 10 MiB, measured), which it keeps
  // for reuse; what must not happen is growth with every further bomb.
  for (let i = 0; i < WARMUP; i++) await sendRaw(t, wss, url, [frame]);
  gc();
  const before = process.memoryUsage.rss();
  let peak = before;
  const ROUNDS = 30;
  for (let i = 0; i < ROUNDS; i++) {
    assert.equal(await sendRaw(t, wss, url, [frame]), 1009);
    // With the collections a busy server runs (V8 alone lets ~1 MiB of dead output per bomb pile
    // up for a while: 20-30 MiB after 30 bombs was seen without these), nothing may stay behind.
    gc();
    peak = Math.max(peak, process.memoryUsage.rss());
    bystander.send(`still here ${i}`);
    assert.equal((await nextMessage(bystander)).data.toString(), `still here ${i}`);
  }
  gc();
  const after = process.memoryUsage.rss();
  const growth = (after - before) / MiB;
  const peakGrowth = (peak - before) / MiB;
  t.diagnostic(`${ROUNDS} bombs of ${payload.length} B (64 MiB inflated): RSS growth ${growth.toFixed(1)} MiB, peak +${peakGrowth.toFixed(1)} MiB`);
  // One bomb inflated without the limit would take 64 MiB.
  assert.ok(peakGrowth < 4, `RSS peaked ${peakGrowth.toFixed(1)} MiB above the start`);
  assert.ok(growth < 4, `RSS grew ${growth.toFixed(1)} MiB`);
  assert.deepEqual(errors, Array(WARMUP + ROUNDS).fill(1009));
  assert.equal(wss.clients.size, 1, 'only the bystander is left');
  assert.equal(disposed(), WARMUP + ROUNDS);
  bystander.close();
  await once(bystander, 'close');
});
