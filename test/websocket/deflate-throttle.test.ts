// The inflate budget: a peer whose compressed messages inflate faster than maxInflateRate stops
// being read until the budget refills, so a stream of small bombs cannot hold the event loop.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { InflateBudget } from '../../src/websocket/inflate-budget.js';
import type { WebSocket } from '../../src/websocket/index.js';
import { connect, echoAll, nextMessage, startServer } from './helpers.js';

const MiB = 1 << 20;

/** A peer sends 1 MiB of zeros (~1 KiB on the wire) `count` times, each as soon as the server got
 *  the previous one (so every read holds one message). Returns the time from the connection to
 *  the last message, and whether a bystander was served before the flood ended. */
async function flood(t: Parameters<typeof startServer>[0], maxInflateRate: number, count: number): Promise<{ ms: number; servedFirst: boolean }> {
  const { wss, url } = await startServer(t, { perMessageDeflate: { maxInflateRate }, maxPayload: 2 * MiB });
  echoAll(wss);
  const bystander = await connect(t, url);
  let start = 0;
  const serverSide = new Promise<WebSocket>((resolve) =>
    wss.once('connection', (ws: WebSocket) => {
      start = performance.now(); // the budget starts full when the connection is made
      resolve(ws);
    }),
  );
  const bomber = await connect(t, url, { perMessageDeflate: { threshold: 0 } });
  const ws = await serverSide;
  const zeros = Buffer.alloc(MiB);
  let received = 0;
  let servedFirst = false;
  const all = new Promise<number>((resolve) =>
    ws.on('message', () => {
      if (++received === count) return resolve(performance.now() - start);
      if (received === 40) {
        bystander.send('meanwhile');
        nextMessage(bystander).then(() => (servedFirst = received < count));
      }
      bomber.send(zeros, { binary: true });
    }),
  );
  bomber.send(zeros, { binary: true });
  const ms = await all;
  return { ms, servedFirst };
}

test('maxInflateRate: 48 MiB inflated at 32 MiB/s takes at least half a second, and others are served meanwhile', async (t) => {
  const { ms, servedFirst } = await flood(t, 32 * MiB, 48);
  t.diagnostic(`48 x 1 MiB at 32 MiB/s: ${ms.toFixed(0)} ms from the connection to the last message`);
  // The bucket starts with 32 MiB; the remaining 16 MiB (less the one message that may overdraw
  // it) need 15/32 s (469 ms) at least, whatever the load. Slack: a timer's start is the event
  // loop's cached time, which can lag behind the moment it was armed. Unthrottled: ~160 ms.
  assert.ok(ms >= 400, `only ${ms.toFixed(0)} ms`);
  assert.ok(servedFirst, 'the bystander was answered while the bomber was throttled');
});

test('maxInflateRate 0 turns the budget off: nothing is charged, and the whole flood is served', async (t) => {
  const charge = t.mock.method(InflateBudget.prototype, 'charge');
  const { ms } = await flood(t, 0, 48);
  t.diagnostic(`48 x 1 MiB unthrottled: ${ms.toFixed(0)} ms`);
  assert.equal(charge.mock.callCount(), 0, 'no inflate budget was charged');
});

test('InflateBudget: one second deep, refilled at the rate, the wait is the time to get back to zero', () => {
  const budget = new InflateBudget(1000, 0); // 1000 B/s, starts full
  assert.equal(budget.charge(600, 0), 0);
  assert.equal(budget.charge(1000, 0), 0, 'exactly the burst');
  assert.equal(budget.charge(1500, 0), 500, '500 B over at 1000 B/s: half a second');
  assert.equal(budget.charge(1500, 500), 0, 'refilled to zero after the wait');
  assert.equal(budget.charge(1500, 10_000), 0);
  assert.equal(budget.charge(2600, 10_000), 100, 'credit never exceeds one second of rate');
  assert.equal(budget.owes(2600), false);
  assert.equal(budget.owes(2601), true);
});
