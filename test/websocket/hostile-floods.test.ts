// Floods of tiny frames: one message in 1-byte (or empty) fragments, many tiny messages, many
// pings. The server keeps up, other clients are served, and memory stays bounded: fragments have
// no per-fragment bookkeeping (one buffer growing geometrically, capped by maxPayload), so no
// separate fragment-count limit is needed.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Opcode } from '../../src/websocket/frame.js';
import type { WebSocket } from '../../src/websocket/index.js';
import { client } from './frames.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';
import { headComplete, rawConnect, upgradeRequest } from './raw.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MiB = 1 << 20;

/** What JavaScript holds after a full collection (heap and buffers): RSS moves with the allocator's whims. */
function held(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** One text message of `n` bytes ('x'), each byte its own fragment, and `empty` empty fragments before the last. */
function fragmented(n: number, empty = 0): Buffer {
  const frames = [client(Opcode.Text, 'x', { fin: false })];
  for (let i = 1; i < n - 1; i++) frames.push(client(Opcode.Continuation, 'x', { fin: false }));
  for (let i = 0; i < empty; i++) frames.push(client(Opcode.Continuation, '', { fin: false }));
  frames.push(client(Opcode.Continuation, 'x', { fin: true }));
  return Buffer.concat(frames);
}

async function upgradedRaw(t: Parameters<typeof rawConnect>[0], url: string) {
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest());
  await raw.until(headComplete);
  return raw;
}

test('one message in 100,000 one-byte fragments and 200,000 empty ones: delivered whole, memory bounded', async (t) => {
  const { wss, url } = await startServer(t);
  echoAll(wss);
  const bystander = await connect(t, url);
  const flood = fragmented(100_000, 200_000); // 1.9 MB of headers for 100 KB of payload
  const before = held();
  const got = new Promise<Buffer>((resolve) => wss.once('connection', (ws: WebSocket) => ws.once('message', resolve)));
  const raw = await upgradedRaw(t, url);
  raw.socket.write(flood);
  bystander.send('meanwhile');
  assert.equal((await nextMessage(bystander)).data.toString(), 'meanwhile');
  const message = await got;
  const growth = (held() - before) / MiB;
  t.diagnostic(`300,000 fragments: held memory growth ${growth.toFixed(1)} MiB`);
  assert.ok(message.equals(Buffer.alloc(100_000, 'x')));
  assert.ok(growth < 4, `held memory grew ${growth.toFixed(1)} MiB`);
});

test('1-byte fragments past maxPayload close with 1009 as soon as the sum passes it', async (t) => {
  const { wss, url } = await startServer(t, { maxPayload: 50_000 });
  const closed = new Promise<number>((resolve) => wss.once('connection', (ws: WebSocket) => ws.once('close', resolve)));
  const raw = await upgradedRaw(t, url);
  raw.socket.write(fragmented(100_000));
  raw.socket.resume();
  assert.equal(await closed, 1009);
  await raw.ended;
});

test('100,000 tiny messages and 20,000 pings: all answered in order, others served', async (t) => {
  const { wss, url } = await startServer(t);
  echoAll(wss);
  const bystander = await connect(t, url);
  const peer = await connect(t, url);
  const N = 100_000;
  let echoed = 0;
  let inOrder = true;
  const allEchoed = new Promise<void>((resolve) =>
    peer.on('message', (data: Buffer) => {
      if (data[0] !== echoed % 256) inOrder = false;
      if (++echoed === N) resolve();
    }),
  );
  let pongs = 0;
  const allPonged = new Promise<void>((resolve) => peer.on('pong', () => ++pongs === 20_000 && resolve()));
  const before = held();
  for (let i = 0; i < N; i++) {
    peer.send(Buffer.from([i % 256]));
    if (i % 5 === 0) peer.ping();
  }
  bystander.send('meanwhile');
  assert.equal((await nextMessage(bystander)).data.toString(), 'meanwhile');
  await Promise.all([allEchoed, allPonged]);
  const growth = (held() - before) / MiB;
  t.diagnostic(`${N} messages + 20,000 pings: held memory growth ${growth.toFixed(1)} MiB`);
  assert.ok(inOrder);
  assert.ok(growth < 8, `held memory grew ${growth.toFixed(1)} MiB`);
  peer.close();
  await once(peer, 'close');
});
