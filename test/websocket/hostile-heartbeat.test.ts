// Half-open TCP and congested peers against the heartbeat: a client that vanishes without a close
// (simulated by one that stops answering pings) is terminated after two silent intervals; a
// client that is still draining a backlog is alive even though our pings wait behind that backlog.
//
// The heartbeat's interval is mocked and ticked by the test, and between ticks the test waits for
// what the peers do (a pong, a read that moved the backlog): so the verdict depends on what each peer
// did in an interval, never on how the scheduler of a busy machine spaced two real timers.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import WS from 'ws';
import { Opcode } from '../../src/websocket/frame.js';
import type { WebSocket, WebSocketServer } from '../../src/websocket/index.js';
import { client } from './frames.js';
import { connect, echoAll, startServer } from './helpers.js';
import { headComplete, rawConnect, upgradeRequest, type RawClient } from './raw.js';

const INTERVAL = 300;
/** More ticks than any verdict here needs: a test that would hang fails instead. */
const MAX_TICKS = 400;

/** A server whose heartbeat interval fires only when the test calls tick(). */
async function serverWithManualHeartbeat(t: TestContext, options: { maxBufferedAmount?: number } = {}) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const started = await startServer(t, { heartbeatIntervalMs: INTERVAL, ...options });
  return { ...started, tick: () => t.mock.timers.tick(INTERVAL) };
}

async function upgraded(t: TestContext, wss: WebSocketServer, url: string): Promise<{ raw: RawClient; ws: WebSocket }> {
  const serverSide = once(wss, 'connection');
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest());
  await raw.until(headComplete);
  const [ws] = (await serverSide) as [WebSocket];
  return { raw, ws };
}

/** Counts the pings the server sends on this connection (the heartbeat calls ws.ping()). */
function countPings(ws: WebSocket): () => number {
  let pings = 0;
  const ping = ws.ping.bind(ws);
  ws.ping = (...args: Parameters<WebSocket['ping']>) => {
    pings += 1;
    return ping(...args);
  };
  return () => pings;
}

const isOpen = (ws: WebSocket): boolean => ws.readyState === ws.OPEN;

test('half-open: a peer that answered pings and then fell silent is terminated; a live one stays', async (t) => {
  const { wss, url, tick } = await serverWithManualHeartbeat(t);
  echoAll(wss);
  const aliveSide = once(wss, 'connection');
  const alive = await connect(t, url); // ws answers pings by itself
  const [aliveWs] = (await aliveSide) as [WebSocket];
  const { raw, ws } = await upgraded(t, wss, url);
  // Answer the first three pings with pongs, then vanish (no FIN, no close: the socket stays open).
  let answered = 0;
  raw.socket.on('data', (chunk: Buffer) => {
    for (let i = 0; i + 1 < chunk.length; i++) {
      if (chunk[i] === (0x80 | Opcode.Ping) && chunk[i + 1] === 0 && answered < 3) {
        answered++;
        raw.socket.write(client(Opcode.Pong));
      }
    }
  });
  const pingsToAlive = countPings(aliveWs);
  const pingsToRaw = countPings(ws);
  const closed = once(ws, 'close');
  for (let ticks = 0; isOpen(ws); ticks++) {
    assert.ok(ticks < MAX_TICKS, 'the silent peer was never terminated');
    const before = { alive: pingsToAlive(), raw: pingsToRaw(), answered };
    const pongs: Promise<unknown>[] = [];
    const aliveAnswer = once(aliveWs, 'pong');
    const rawAnswer = once(ws, 'pong');
    tick();
    if (pingsToAlive() > before.alive) pongs.push(aliveAnswer);
    if (pingsToRaw() > before.raw && before.answered < 3) pongs.push(rawAnswer);
    await Promise.all(pongs); // each pinged peer that will answer has answered before the next tick
  }
  const [code, reason] = await closed;
  assert.equal(code, 1006);
  assert.equal(String(reason), 'no answer to ping', 'the application can tell why (a log line)');
  assert.equal(answered, 3, 'it lived as long as it answered');
  await raw.ended;
  assert.deepEqual([...wss.clients], [aliveWs]);
  assert.equal(alive.readyState, WS.OPEN);
});

/**
 * Streams 1 MiB messages to a peer, the next as soon as the previous one left (how an app streams to
 * a slow client with send callbacks), so the backlog never ends while the peer reads. Returns how many
 * have left so far: the progress the heartbeat looks for.
 */
function stream(ws: WebSocket): () => number {
  const blob = Buffer.alloc(1 << 20, 0x62);
  let left = 0;
  const next = (): void => ws.send(blob, (err) => {
    if (err) return;
    left += 1;
    next();
  });
  next();
  return () => left;
}

/**
 * Lets a paused peer read one chunk at a time until one more message has left for it (the kernel
 * took more of the backlog), then pauses it again: a slow reader, however fast or busy the machine.
 */
async function readSome(peer: RawClient, ws: WebSocket, left: () => number): Promise<void> {
  const before = left();
  for (let chunks = 0; left() === before && isOpen(ws); chunks++) {
    assert.ok(chunks < 10_000, 'the backlog never moved while the peer read');
    const read = once(peer.socket, 'data');
    peer.socket.resume();
    await read;
    peer.socket.pause();
    await new Promise((resolve) => setImmediate(resolve)); // the server's write callbacks run
  }
}

test('a peer draining a backlog slowly outlives the heartbeat; one that stopped reading does not', async (t) => {
  const { wss, url, tick } = await serverWithManualHeartbeat(t, { maxBufferedAmount: 256 << 20 });
  const slow = await upgraded(t, wss, url);
  const stopped = await upgraded(t, wss, url);
  for (const peer of [slow, stopped]) {
    peer.raw.socket.pause();
    peer.raw.socket.removeAllListeners('data'); // megabytes follow: read and dropped, not kept
  }
  const slowLeft = stream(slow.ws);
  stream(stopped.ws);
  // The slow reader reads a little in every interval and never answers a ping: ours wait behind
  // data it has not reached, so only the progress of our writes shows it is there. The stopped one
  // is alive only until the kernel's buffers between us are full; then its backlog never moves.
  let ticks = 0;
  for (; isOpen(stopped.ws); ticks++) {
    assert.ok(ticks < MAX_TICKS, 'the peer that stopped reading was never terminated');
    await readSome(slow.raw, slow.ws, slowLeft);
    tick();
    assert.ok(isOpen(slow.ws), `a reading peer is alive (tick ${ticks})`);
  }
  for (let more = 0; more < 4; more++) { // well past the two intervals that ended the other one
    await readSome(slow.raw, slow.ws, slowLeft);
    tick();
  }
  assert.ok(isOpen(slow.ws), 'a reading peer is alive');
  assert.ok(slow.ws.bufferedAmount > 0, 'and its backlog is still draining');
  assert.equal(wss.clients.size, 1);
});
