// Roles over real sockets: one driver, spectators who see everything, takeover when the driver leaves,
// claim and release; the car stops whenever the seat changes hands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, startServer, wsUrl } from './helpers.js';

test('the first client drives; spectators see its state and telemetry live', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  assert.equal(driver.inbox[0].role, 'driver');
  const welcome = spectator.welcome;
  assert.equal(welcome.role, 'spectator');
  assert.equal(welcome.vehicle.link, 'sim');
  assert.deepEqual(welcome.limits,
    { watchdogMs: 500, maxMessageBytes: 16_384, driveRatePerSecond: 60, idleTakeoverMs: 15_000,
      maxHoldMs: 2_000, driverSilenceMs: 5_000, resumeWindowMs: 10_000, deadZone: 0.15 });
  assert.equal(welcome.state.driver, driver.inbox[0].clientId);
  await driver.state({ spectators: 1 }, 0);

  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  const seen = await spectator.state({ direction: 'forward', lastCommand: 'drive' });
  assert.equal(seen.byte, server.driver.state.byte);
  const pose = await spectator.expect('telemetry', (m) => m.pose.y > 0);
  assert.equal(typeof pose.t, 'number');
  // Nobody refreshes the analog demand: the watchdog stops the car, and spectators see it.
  await spectator.state({ direction: 'stop', byte: 0 });
});

test('a spectator cannot drive: not_driver, and the car does not move', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  for (const msg of ['{"duration":1,"command":"up"}', '{"type":"drive","x":1,"y":1}',
    '{"command":"raw","data":22}', '{"type":"release"}']) {
    spectator.sendText(msg);
    const error = await spectator.expect('error');
    assert.equal(error.code, 'not_driver', msg);
  }
  await spectator.roundTrip();
  assert.deepEqual(server.driver.state, { direction: 'stop', speed: 0, byte: 0, link: 'connected' });
  assert.equal(driver.latestState().lastCommand, null);
});

test('anyone may stop, only the driver may go: a spectator\'s stop (typed or seed) stops the car at once', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  for (const stop of ['{"type":"stop"}', '{"command":"stop"}']) {
    driver.sendText('{"duration":10,"command":"up"}');
    await spectator.state({ direction: 'forward', byte: 0x16 });
    const mark = driver.mark();
    spectator.sendText(stop);
    await spectator.state({ direction: 'stop', byte: 0, lastCommand: 'stop' });
    const notice = await driver.expect('notice', (m) => m.code === 'stopped_by_other', mark);
    assert.match(notice.message, /stopped the car/, stop);
    assert.equal(server.driver.state.byte, 0);
  }
  assert.equal(spectator.inbox.filter((m) => m.type === 'error').length, 0, 'no refusals');
});

test('after a spectator\'s stop, the driver\'s held stick does nothing until it is centred', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  await spectator.state({ direction: 'forward' });
  const mark = driver.mark();
  spectator.send({ type: 'stop' });
  await spectator.state({ direction: 'stop' });
  const notice = await driver.expect('notice', (m) => m.code === 'stopped_by_other', mark);
  assert.match(notice.message, new RegExp(`^${spectator.welcome.clientId} stopped the car`));
  driver.send({ type: 'drive', x: 0, y: 1 }); // still held: ignored (no second notice this soon)
  await driver.roundTrip();
  assert.equal(server.driver.state.direction, 'stop');
  assert.equal(driver.inbox.slice(mark).filter((m) => m.type === 'notice').length, 1);
  driver.send({ type: 'drive', x: 0.05, y: 0 }); // back in the dead zone: armed again
  driver.send({ type: 'drive', x: 0, y: 1 });
  await spectator.state({ direction: 'forward' });
});

test('the driver leaves while moving: the car stops, the seat is held for its resume token, then passes on', async (t) => {
  const server = await startServer(t, { resumeWindowMs: 300 });
  const driver = await connect(t, wsUrl(server));
  const second = await connect(t, wsUrl(server));
  const third = await connect(t, wsUrl(server));
  driver.sendText('{"duration":10,"command":"up"}');
  await second.state({ direction: 'forward' });
  const [m2, m3] = [second.mark(), third.mark()];
  driver.ws.terminate(); // no closing handshake: a vanished browser
  const held = await third.state({ direction: 'stop', lastCommand: 'auto', reserved: true }, m3);
  assert.equal(held.driver, null);
  assert.equal(server.driver.state.byte, 0);
  second.send({ type: 'claim' });
  assert.equal((await second.expect('error', undefined, m2)).code, 'seat_taken', 'a held seat cannot be claimed');
  const role = await second.expect('role', undefined, m2);
  assert.equal(role.role, 'driver');
  assert.equal(role.driver, second.inbox[0].clientId);
  const state = await third.state({ reserved: false, driver: second.welcome.clientId }, m3);
  assert.equal(state.spectators, 1);
  second.sendText('{"duration":0.5,"command":"down"}');
  await third.state({ direction: 'backward', byte: 0x26 });
});

test('a driver that reconnects with its resume token gets its seat back; the car stays stopped', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  const { resumeToken } = driver.welcome;
  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  await spectator.state({ direction: 'forward' });
  driver.ws.terminate();
  await spectator.state({ direction: 'stop', reserved: true });
  const back = await connect(t, wsUrl(server));
  assert.equal(back.welcome.role, 'spectator');
  back.send({ type: 'resume', token: 'not-the-token' });
  assert.equal((await back.expect('error')).code, 'resume_failed');
  const mark = spectator.mark();
  back.send({ type: 'resume', token: resumeToken });
  const role = await back.expect('role');
  assert.equal(role.role, 'driver');
  const state = await spectator.state({ reserved: false, driver: back.welcome.clientId }, mark);
  assert.equal(state.direction, 'stop', 'resuming does not move the car');
  back.send({ type: 'resume', token: resumeToken });
  assert.equal((await back.expect('error', (m) => m.code === 'resume_failed')).ref, 'resume', 'a token is good once');
});

test('claim is refused while the driver is active; release hands the seat over', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  spectator.send({ type: 'claim' });
  assert.equal((await spectator.expect('error')).code, 'seat_taken');
  driver.send({ type: 'claim' }); // the driver's own claim is answered, and changes nothing
  assert.equal((await driver.expect('role')).role, 'driver');
  driver.sendText('{"duration":10,"command":"right"}');
  await spectator.state({ byte: 0x67 });
  const [m1, m2] = [driver.mark(), spectator.mark()];
  driver.send({ type: 'release' });
  assert.equal((await driver.expect('role', undefined, m1)).role, 'spectator');
  assert.equal((await spectator.expect('role', undefined, m2)).role, 'driver');
  await spectator.state({ direction: 'stop', lastCommand: 'auto' }, 0);
  driver.send({ type: 'drive', x: 1, y: 0 });
  assert.equal((await driver.expect('error')).code, 'not_driver');
});

test('claim takes the seat from a driver idle for idleTakeoverMs', async (t) => {
  const server = await startServer(t, { idleTakeoverMs: 300 });
  const idle = await connect(t, wsUrl(server));
  const keen = await connect(t, wsUrl(server));
  await new Promise((resolve) => setTimeout(resolve, 400));
  const mark = idle.mark();
  keen.send({ type: 'claim' });
  assert.equal((await keen.expect('role')).role, 'driver');
  assert.equal((await idle.expect('role', undefined, mark)).role, 'spectator');
});

test('ping gets a pong with the same id', async (t) => {
  const server = await startServer(t);
  const client = await connect(t, wsUrl(server));
  client.send({ type: 'ping', id: 'abc' });
  const pong = await client.expect('pong');
  assert.equal(pong.id, 'abc');
  assert.ok(Math.abs(pong.serverTime - Date.now()) < 60_000);
});
