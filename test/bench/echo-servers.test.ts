// The benchmark must measure correct servers: every echo server it starts (ours once it exists, ws plain,
// ws native, the raw node:net echo) is started exactly as the bench starts it and checked for real echoes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { SERVERS, type ServerDef } from '../../bench/servers/catalog.js';
import { startServer, type RunningServer } from '../../bench/servers/child.js';

/** Collects messages in arrival order; next() waits for the next one (bounded). */
function inbox(ws: WebSocket): () => Promise<{ data: Buffer; isBinary: boolean }> {
  const queue: Array<{ data: Buffer; isBinary: boolean }> = [];
  const waiters: Array<(m: { data: Buffer; isBinary: boolean }) => void> = [];
  ws.on('message', (data, isBinary) => {
    const m = { data: data as Buffer, isBinary };
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return () => {
    const m = queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 20 s')), 20_000);
      waiters.push((msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
  };
}

async function checkWebSocketEcho(server: RunningServer): Promise<void> {
  const ws = new WebSocket(server.url);
  const next = inbox(ws);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send('héllo, wörld ✓');
    let m = await next();
    assert.equal(m.isBinary, false);
    assert.equal(m.data.toString('utf8'), 'héllo, wörld ✓');

    const bin = randomBytes(300);
    ws.send(bin);
    m = await next();
    assert.equal(m.isBinary, true);
    assert.deepEqual(m.data, bin);

    // A text message in three frames (RFC 6455 5.4), split inside a multi-byte character.
    const text = Buffer.from('fragmented ✓ message');
    ws.send(text.subarray(0, 12), { binary: false, fin: false });
    ws.send(text.subarray(12, 13), { binary: false, fin: false });
    ws.send(text.subarray(13), { binary: false, fin: true });
    m = await next();
    assert.equal(m.isBinary, false);
    assert.equal(m.data.toString('utf8'), 'fragmented ✓ message');

    const big = randomBytes(1 << 20);
    ws.send(big);
    m = await next();
    assert.equal(m.isBinary, true);
    assert.equal(m.data.length, big.length);
    assert.ok(m.data.equals(big), '1 MiB echo differs');
  } finally {
    ws.terminate();
  }
}

async function checkTcpEcho(server: RunningServer): Promise<void> {
  const { port } = new URL(server.url.replace('tcp:', 'http:'));
  const socket = connect(Number(port), '127.0.0.1');
  try {
    const sent = randomBytes(1 << 20);
    const received: Buffer[] = [];
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('tcp echo incomplete within 20 s')), 20_000);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        total += chunk.length;
        if (total >= sent.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.write(sent);
    });
    assert.ok(Buffer.concat(received).equals(sent), 'tcp echo differs');
  } finally {
    socket.destroy();
  }
}

for (const def of SERVERS) {
  test(`bench echo server "${def.name}" echoes correctly`, { timeout: 90_000 }, async (t) => {
    const why = def.unavailable();
    if (why) {
      t.skip(why);
      return;
    }
    const server = await startServer(def as ServerDef, { pin: [], startTimeoutMs: 60_000 });
    t.after(() => server.stop());
    if (def.protocol === 'tcp') await checkTcpEcho(server);
    else await checkWebSocketEcho(server);
    assert.deepEqual(server.problems(), []);
    if (def.name === 'ws native') assert.equal(server.info?.mask, 'bufferutil (native)');
    if (def.name === 'ws plain') assert.equal(server.info?.mask, 'JavaScript');
  });
}
