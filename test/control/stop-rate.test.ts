// A stop is never dropped by the message rate limit (docs/safety.md, "anyone may stop at once"): after a
// burst over the rate, {"type":"stop"}, the seed's {"command":"stop"} and {"type":"release"} each stop the
// car at once. The stop still counts against the rate, and a flood of stops costs the server its parsing,
// nothing more: no write, no reply, no log line, no recorded event per stop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressLockout } from '../../src/control/connection/auth.js';
import { CarWorld } from '../../src/control/car/car-world.js';
import { ClientSession, type SessionContext } from '../../src/control/connection/client-session.js';
import { silentLogger } from '../../src/control/log.js';
import type { Limits } from '../../src/control/protocol/messages.js';
import { createCodec, Driver, SimLink } from '../../src/vehicle/index.js';
import { FakePeer } from './fake-peer.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';

const BURST = 65; // as found: the default rate is 60 a second, with a burst of 60

describe('a stop after a burst over the rate (real WebSocket)', { concurrency: true }, () => {
  const stops = [
    ['{"type":"stop"}', { direction: 'stop', lastCommand: 'stop' }],
    ['{"command":"stop"}', { direction: 'stop', lastCommand: 'stop' }],
    ['{"type":"release"}', { direction: 'stop', driver: null }], // the driver gives up the seat, and the car stops
  ] as const;
  for (const [stop, stopped] of stops) {
    it(`${BURST} {"command":"up","duration":2}, then ${stop}: the car stops at once, not when the hold ends`, async (t) => {
      const server = await startServer(t);
      const driver = await connect(t, wsUrl(server));
      const mark = driver.mark();
      for (let i = 0; i < BURST; i++) driver.sendText('{"command":"up","duration":2}');
      driver.sendText(stop);
      await driver.state({ direction: 'forward' }, mark);
      // The stop's own state (the end of the hold would say lastCommand "up", and keep the seat).
      await driver.state(stopped, mark);
      assert.equal(server.driver.state.direction, 'stop');
      const limited = driver.inbox.slice(mark).filter((m) => m.type === 'error' && m.code === 'rate_limited');
      assert.equal(limited.length, 1, 'the burst was over the rate (one reply says so)');
    });
  }

  it('a spectator over its rate still stops the driver\'s car at once', async (t) => {
    const server = await startServer(t, { watchdogMs: 60_000 }); // only the stop can stop it within the wait
    const driver = await connect(t, wsUrl(server));
    const spectator = await connect(t, wsUrl(server));
    driver.arm();
    driver.send({ type: 'drive', x: 0, y: 1 });
    await spectator.state({ direction: 'forward' });
    const mark = spectator.mark();
    for (let i = 0; i < BURST; i++) spectator.send({ type: 'ping', id: `p${i}` });
    spectator.send({ type: 'stop' });
    await spectator.state({ direction: 'stop', lastCommand: 'stop' }, mark);
    assert.equal(server.driver.state.direction, 'stop');
  });

  it('a flood of stops on a stopped car: no write, no reply, a bounded log; the server answers and the flooder stays', async (t) => {
    const lines: string[] = [];
    const server = await startServer(t, { log: (line) => lines.push(line) });
    const driver = await connect(t, wsUrl(server));
    const flooder = await connect(t, wsUrl(server));
    let writes = 0;
    server.driver.on('write', () => writes++);
    const mark = flooder.mark();
    const startedAt = performance.now();
    for (let i = 0; i < 20_000; i++) flooder.sendText('{"type":"stop"}');
    await driver.roundTrip(); // sent after the flood began: the server still answers others meanwhile
    await caughtUp(flooder);
    const seconds = (performance.now() - startedAt) / 1000;
    assert.equal(writes, 0, 'the car held the stop already');
    const stopped = lines.filter((l) => l.startsWith('stopped')).length;
    assert.ok(stopped <= 60 * (seconds + 1), `${stopped} "stopped" lines for 20,001 stops in ${seconds.toFixed(1)} s: only those within the rate`);
    const replies = flooder.inbox.slice(mark).filter((m) => m.type !== 'pong' && !(m.type === 'error' && m.code === 'rate_limited'));
    assert.ok(replies.length < 10, `${replies.length} replies to 20,000 stops: ${JSON.stringify(replies.slice(0, 3))}`);
    assert.equal(flooder.ws.readyState, flooder.ws.OPEN, 'a flood of stops is not a flood of errors');
  });
});

/**
 * Resolves once the server has handled everything the client sent so far: a connection's messages are
 * handled in order, so an answered ping comes after them all. A ping over the rate is dropped, so the
 * client asks again (every 100 ms) until one is within it.
 */
async function caughtUp(client: Client): Promise<void> {
  const id = `caught-up-${client.mark()}`;
  client.send({ type: 'ping', id });
  const again = setInterval(() => client.send({ type: 'ping', id }), 100);
  try {
    await client.next((m) => m.type === 'pong' && m.id === id, 'a ping within the rate to be answered');
  } finally {
    clearInterval(again);
  }
}

describe('stops over the rate, on a clock that stands still (no token comes back)', () => {
  it('the first stop after a drive always acts; the stops after it cost nothing; stops count against the rate', async (t) => {
    let now = 0;
    const limits: Limits = {
      watchdogMs: 60_000, maxMessageBytes: 16_384, driveRatePerSecond: 3, idleTakeoverMs: 15_000, maxHoldMs: 2_000,
      driverSilenceMs: 60_000, resumeWindowMs: 10_000,
    };
    const link = new SimLink();
    const car = new Driver({ link, codec: createCodec('iracer'), watchdogMs: limits.watchdogMs });
    const world = new CarWorld({
      name: 'car', driver: car, link, codec: 'iracer', accessories: [], linkKind: 'sim', limits, authRequired: false,
      maxViewers: 4, iceServers: () => ({ iceServers: [], expiresInS: null }), log: silentLogger, now: () => now,
    });
    t.after(() => world.close());
    await car.start();
    const ctx: SessionContext = { token: null, lockout: new AddressLockout(() => now), limits, log: silentLogger, now: () => now };
    const session = (id: string): { socket: FakePeer; say: (text: string) => void } => {
      const socket = new FakePeer();
      world.attach(new ClientSession(socket, ctx, { id, address: '127.0.0.1' }));
      return { socket, say: (text) => socket.say(text) };
    };
    const driver = session('driver');
    const bystander = session('bystander');
    const writes: number[] = [];
    car.on('write', (bytes: Uint8Array) => writes.push(...bytes));

    for (let i = 0; i < 3; i++) bystander.say('{"type":"stop"}'); // its whole rate, on a car already stopped
    bystander.say('{"type":"ping","id":"over"}');
    assert.ok(!bystander.socket.sent.some((m) => m.includes('"pong"')), 'the bystander is over its rate');
    driver.say('{"type":"drive","x":0,"y":0}'); // a new driver shows neutral before it pushes (rearm-gate.ts)
    driver.say('{"type":"drive","x":0,"y":1}');
    assert.equal(car.state.direction, 'forward');
    const stopsBefore = writes.filter((b) => b === 0).length;
    bystander.say('{"type":"stop"}'); // over the rate, the first stop after the drive: it acts
    assert.equal(car.state.direction, 'stop');
    for (let i = 0; i < 1000; i++) bystander.say('{"type":"\\u0073top"}'); // still stops, even spelled so: nothing to stop
    assert.equal(writes.filter((b) => b === 0).length, stopsBefore + 1, 'one stop written, not one per message');
    const refusals = bystander.socket.sent.map((m) => JSON.parse(m) as { type: string; code?: string }).filter((m) => m.type === 'error');
    assert.deepEqual(refusals.map((m) => m.code), ['rate_limited'], 'one for the ping, nothing for the stops');
  });
});
