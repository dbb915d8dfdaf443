// Clients that do not read: what waits for them stays bounded by maxBufferedAmount. Messages the
// application sends them follow the backpressure policy (drop or terminate); replies to their own
// requests and pongs to their pings are flow-controlled by pausing reads, so nothing is lost.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { Opcode } from '../../src/websocket/frame.js';
import type { WebSocket, WebSocketServer } from '../../src/websocket/index.js';
import { client } from './frames.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, rawConnect, upgradeRequest, type RawClient } from './raw.js';

const LIMIT = 256 * 1024;
const CHUNK = Buffer.alloc(16 * 1024, 0x61);

/** A raw client that upgrades and then stops reading; resolves with its server-side WebSocket. */
async function nonReader(t: TestContext, wss: WebSocketServer, url: string): Promise<{ raw: RawClient; ws: WebSocket }> {
  const serverSide = once(wss, 'connection');
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest());
  await raw.until(headComplete);
  raw.socket.pause();
  const [ws] = (await serverSide) as [WebSocket];
  return { raw, ws };
}

/** Sends numbered 16 KiB messages until `stop` says so; returns the callbacks' outcomes. */
async function broadcastUntil(ws: WebSocket, stop: (errors: number) => boolean): Promise<{ ok: number; sent: number; errors: Error[]; maxBuffered: number }> {
  const errors: Error[] = [];
  let ok = 0;
  let maxBuffered = 0;
  let sent = 0;
  for (let i = 0; i < 10_000 && !stop(errors.length); i++, sent++) {
    ws.send(Buffer.concat([Buffer.from(`${i}:`), CHUNK]), (err) => (err ? errors.push(err) : ok++));
    maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
    if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve)); // let callbacks and the kernel run
  }
  await new Promise((resolve) => setImmediate(resolve)); // the last callbacks
  return { ok, sent, errors, maxBuffered };
}

/** Reads the server's frames (unmasked, payloads under 64 KiB) as the raw client gets them. */
function onFrames(raw: RawClient, each: (opcode: number, payload: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  raw.socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const len = pending[1] & 0x7f;
      const header = len === 126 ? 4 : 2;
      if (pending.length < header) break;
      const size = len === 126 ? pending.readUInt16BE(2) : len;
      if (pending.length < header + size) break;
      each(pending[0] & 0x0f, pending.subarray(header, header + size));
      pending = pending.subarray(header + size);
    }
  });
}

test("backpressure 'drop': past maxBufferedAmount messages are dropped with an error, the backlog stays bounded", async (t) => {
  const { wss, url } = await startServer(t, { maxBufferedAmount: LIMIT, backpressure: 'drop' });
  echoAll(wss);
  const bystander = await connect(t, url);
  const { raw, ws } = await nonReader(t, wss, url);
  const { sent, errors, maxBuffered } = await broadcastUntil(ws, (n) => n >= 50);
  assert.ok(errors.length >= 50);
  assert.ok(errors.every((e) => (e as Error & { code?: string }).code === 'ERR_WS_BACKPRESSURE'));
  assert.ok(maxBuffered <= LIMIT + CHUNK.length + 64, `backlog reached ${maxBuffered}`);
  assert.equal(ws.readyState, ws.OPEN, 'dropping keeps the connection');
  bystander.send('served');
  assert.equal((await nextMessage(bystander)).data.toString(), 'served');
  // The reader comes back: what was queued arrives whole and in order (only the tail was dropped).
  const queued = sent - errors.length;
  const numbers: number[] = [];
  const all = new Promise<void>((resolve) => onFrames(raw, (_op, payload) => numbers.push(parseInt(payload.toString('latin1', 0, 8), 10)) === queued && resolve()));
  raw.socket.resume();
  await all;
  assert.deepEqual(numbers, Array.from({ length: queued }, (_, i) => i));
  assert.equal(ws.bufferedAmount, 0);
});

test("backpressure 'terminate' (default): the non-reading peer is dropped, resources freed, others served", async (t) => {
  const { wss, url } = await startServer(t, { maxBufferedAmount: LIMIT });
  echoAll(wss);
  const bystander = await connect(t, url);
  const { raw, ws } = await nonReader(t, wss, url);
  const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])));
  const { errors, maxBuffered } = await broadcastUntil(ws, (n) => n >= 1);
  assert.equal((errors[0] as Error & { code?: string }).code, 'ERR_WS_BACKPRESSURE');
  assert.ok(maxBuffered <= LIMIT + CHUNK.length + 64, `backlog reached ${maxBuffered}`);
  assert.deepEqual(await closed, [1006, 'send buffer overflow']);
  raw.socket.resume(); // read to the end: the server closed its side
  await raw.ended;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(wss.clients.size, 1, 'only the bystander is left');
  bystander.send('served');
  assert.equal((await nextMessage(bystander)).data.toString(), 'served');
});

test('a non-reading peer flooding pings and requests: reading pauses, pongs and echoes stay bounded, none lost', async (t) => {
  const { wss, url } = await startServer(t, { maxBufferedAmount: LIMIT });
  echoAll(wss);
  const { raw, ws } = await nonReader(t, wss, url);
  let pings = 0;
  let messages = 0;
  let maxBuffered = 0;
  ws.on('ping', () => pings++);
  ws.on('message', () => {
    messages++;
    maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
  });
  const ping = client(Opcode.Ping, Buffer.alloc(125, 0x70));
  const request = client(Opcode.Binary, Buffer.alloc(1000, 0x72));
  const ROUNDS = 8000; // 8 MiB of requests and 1 MiB of pings, 32x the limit
  const flood = Buffer.concat(Array.from({ length: ROUNDS }, () => [ping, request]).flat());
  raw.socket.write(flood);
  // Wait until the server stopped reading: no new events for a while means TCP is pushing back.
  let seen = -1;
  while (seen !== pings + messages) {
    seen = pings + messages;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.diagnostic(`paused after ${messages}/${ROUNDS} requests and ${pings} pings; backlog peaked at ${maxBuffered} B`);
  assert.ok(messages < ROUNDS, 'the server stopped reading the peer');
  assert.ok(maxBuffered <= LIMIT + 64 * 1024 + 1024, `backlog reached ${maxBuffered}`);
  assert.equal(ws.readyState, ws.OPEN, 'replies to its own requests never trip the policy');
  // The peer reads again: every request is answered, every ping ponged.
  let answered = 0;
  let pongs = 0;
  const done = new Promise<void>((resolve) =>
    onFrames(raw, (opcode) => {
      if (opcode === Opcode.Pong) pongs++;
      else answered++;
      if (answered === ROUNDS && pongs === ROUNDS) resolve();
    }),
  );
  raw.socket.resume();
  await done;
  assert.equal(pings, ROUNDS);
});
