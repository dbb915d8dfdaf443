// Arming on the server, over real sockets with raw WebSocket clients (no page): after every stop the driver
// did not make (the watchdog, a hold cut at --max-hold-ms, the car's link lost and back) and in the hand of
// every new driver (the first seat of a fresh server, a release, a takeover, a resume), a push is refused
// until the driver has sent neutral: a drive in the dead zone, or its own stop. The driver hears why once,
// then at most once a second. Waits are on the server's own events (state, notices, pongs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRecorder } from '../support/byte-recorder.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';
import type { ControlServer } from '../../src/control/server.js';

const PUSH = { type: 'drive', x: 0, y: 1 } as const;
const NEUTRAL = { type: 'drive', x: 0, y: 0 } as const;

/**
 * `driver` holds its stick forward (a push) and the car stays stopped, told why by one notice of `code` per
 * stop (`stops` of them since `from`), never one per push; then the stick comes back to `rearm` (default a
 * neutral drive) and the next push drives.
 */
async function refusedUntilNeutral(server: ControlServer, driver: Client, code: string, from: number,
  rearm: object = NEUTRAL, stops = 1): Promise<void> {
  for (let i = 0; i < 3; i++) driver.send(PUSH);
  await driver.roundTrip();
  assert.equal(server.driver.state.direction, 'stop', `a push after ${code} did not drive`);
  const notices = driver.inbox.slice(from).filter((m) => m.type === 'notice');
  assert.deepEqual(notices.map((m) => m.code), Array(stops).fill(code), 'told why once, not once per message');
  assert.match(notices[0].message as string, /centre the stick/);
  assert.equal(driver.inbox.slice(from).filter((m) => m.type === 'error').length, 0, 'a refused push is no error');
  driver.send(rearm);
  const mark = driver.mark();
  driver.send(PUSH);
  await driver.state({ direction: 'forward' }, mark);
}

/** A driver that has been at neutral, pushing: the car moves. */
async function driving(driver: Client): Promise<void> {
  const mark = driver.mark();
  driver.send(NEUTRAL);
  driver.send(PUSH);
  await driver.state({ direction: 'forward' }, mark);
}

test('the first driver of a fresh (or restarted) server must show neutral first; a seed command needs nothing', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  assert.equal(driver.welcome.role, 'driver');
  await refusedUntilNeutral(server, driver, 'new_driver', 0);

  const seedServer = await startServer(t);
  const seed = await connect(t, wsUrl(seedServer, '/'));
  seed.sendText('{"command":"up","duration":0.5}'); // the 2013 page: seed commands only
  await seed.state({ direction: 'forward', byte: 0x16 });
});

test('after the watchdog stops the car, the held stick is refused until neutral', async (t) => {
  const server = await startServer(t, { watchdogMs: 150 });
  const driver = await connect(t, wsUrl(server));
  await driving(driver);
  const mark = driver.mark();
  await driver.state({ direction: 'stop', byte: 0 }, mark); // nobody refreshed it: the watchdog
  await refusedUntilNeutral(server, driver, 'watchdog', mark);
});

test('after a timed command is cut at --max-hold-ms, a push is refused until neutral; a hold that ends as asked is the driver\'s own stop', async (t) => {
  const server = await startServer(t, { maxHoldMs: 200 });
  const driver = await connect(t, wsUrl(server));
  await driving(driver);
  let mark = driver.mark();
  driver.sendText('{"command":"up","duration":0.2}'); // as long as the limit allows, and ends as asked: nothing to re-arm
  await driver.state({ direction: 'stop', byte: 0 }, mark);
  mark = driver.mark();
  driver.send(PUSH);
  await driver.state({ direction: 'forward' }, mark);

  mark = driver.mark();
  driver.sendText('{"command":"up","duration":10}');
  await driver.expect('notice', (m) => m.code === 'duration_clamped', mark);
  await driver.state({ byte: 0x16 }, mark);
  mark = driver.mark();
  await driver.state({ direction: 'stop', byte: 0 }, mark); // the server's limit, not the driver's wish
  await refusedUntilNeutral(server, driver, 'max_hold', mark, { type: 'stop' }); // the driver's own stop re-arms too
});

test('after the car\'s link is lost and back, the held stick is refused until neutral', async (t) => {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const server = await startServer(t, { link: car.link });
  const driver = await connect(t, wsUrl(server));
  if (driver.latestState().link !== 'connected') await driver.state({ link: 'connected' }, 0);
  await driving(driver);
  const mark = driver.mark();
  car.dropConnections(); // the bridge resets: the link is lost, and reconnects with the stop first
  await driver.state({ link: 'reconnecting' }, mark);
  await driver.state({ link: 'connected', byte: 0 }, mark);
  await refusedUntilNeutral(server, driver, 'link_lost', mark, NEUTRAL, 2); // told of the loss, and of the return
});

test('the seat passing on (a release, a takeover) or taken back (a resume): the new driver shows neutral first', async (t) => {
  const server = await startServer(t, { idleTakeoverMs: 200 });
  const first = await connect(t, wsUrl(server));
  const second = await connect(t, wsUrl(server));
  await driving(first);
  let mark = second.mark();
  first.send({ type: 'release' });
  await second.expect('role', (m) => m.role === 'driver', mark);
  await refusedUntilNeutral(server, second, 'new_driver', mark);

  await new Promise((resolve) => setTimeout(resolve, 250)); // `second` idle for idleTakeoverMs
  mark = first.mark();
  first.send({ type: 'claim' });
  await first.expect('role', (m) => m.role === 'driver', mark);
  await refusedUntilNeutral(server, first, 'new_driver', mark);

  const { resumeToken } = first.welcome;
  first.ws.terminate(); // a reload: the seat is held for its token
  await second.state({ reserved: true, direction: 'stop' });
  const back = await connect(t, wsUrl(server));
  mark = back.mark();
  back.send({ type: 'resume', token: resumeToken });
  await back.expect('role', (m) => m.role === 'driver', mark);
  await refusedUntilNeutral(server, back, 'new_driver', mark);
});
