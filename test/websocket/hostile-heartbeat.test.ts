// Half-open TCP and congested peers against the heartbeat: a client that vanishes without a close
// (simulated by one that stops answering pings) is terminated after two silent intervals; a
// client that is still draining a backlog is alive even though our pings wait behind that backlog.
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

async function upgraded(t: TestContext, wss: WebSocketServer, url: string): Promise<{ raw: RawClient; ws: WebSocket }> {
  const serverSide = once(wss, 'connection');
  const raw = await rawConnect(t, Number(new URL(url).port));
  raw.socket.write(upgradeRequest());
  await raw.until(headComplete);
  const [ws] = (await serverSide) as [WebSocket];
  return { raw, ws };
}

const intervals = (n: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, n * INTERVAL));

test('half-open: a peer that answered pings and then fell silent is terminated; a live one stays', async (t) => {
  const { wss, url } = await startServer(t, { heartbeatIntervalMs: INTERVAL });
  echoAll(wss);
  const alive = await connect(t, url); // ws answers pings by itself
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
  const closed = once(ws, 'close');
  const [code, reason] = await closed;
  assert.equal(code, 1006);
  assert.equal(String(reason), 'no answer to ping', 'the application can tell why (a log line)');
  assert.equal(answered, 3, 'it lived as long as it answered');
  await raw.ended;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([...wss.clients].length, 1);
  assert.equal(alive.readyState, WS.OPEN);
});

test('a peer draining a backlog slowly outlives the heartbeat; one that stopped reading does not', async (t) => {
  const { wss, url } = await startServer(t, { heartbeatIntervalMs: INTERVAL, maxBufferedAmount: 256 << 20 });
  const slow = await upgraded(t, wss, url);
  const stopped = await upgraded(t, wss, url);
  slow.raw.socket.pause();
  stopped.raw.socket.pause();
  // Each peer gets 1 MiB messages, the next as soon as the previous one left (how an app streams
  // to a slow client with send callbacks), so the backlog never ends while the peer reads.
  const blob = Buffer.alloc(1 << 20, 0x62);
  const stream = (ws: WebSocket): void => ws.send(blob, (err) => !err && stream(ws));
  stream(slow.ws);
  stream(stopped.ws);
  // The slow reader takes eight 64 KiB reads every 25 ms and never answers a ping: ours wait
  // behind data it has not reached, so only the progress of our writes shows it is there.
  let reads = 0;
  slow.raw.socket.on('data', () => ++reads % 8 === 0 && slow.raw.socket.pause());
  const reader = setInterval(() => slow.raw.socket.resume(), 25);
  t.after(() => clearInterval(reader)); // also when an assertion fails: a live interval would hang the file
  const stoppedClosed = once(stopped.ws, 'close');
  await stoppedClosed;
  await intervals(4); // well past the two intervals that ended the other one
  assert.equal(slow.ws.readyState, slow.ws.OPEN, 'a reading peer is alive');
  assert.ok(slow.ws.bufferedAmount > 0, 'and its backlog is still draining');
  assert.equal(wss.clients.size, 1);
});
