// The server's own safety rules (docs/safety.md), end to end with real clients (the message rate on fake
// peers and fake time): a timed command is a
// bounded motion, a fast driver is never thrown out, a silent driver loses its connection, the car's
// owner can always get in, and a bug in a handler costs one connection, never the car's stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN_SUBPROTOCOL_PREFIX } from '../../src/control/protocol/messages.js';
import { fakeWorld } from './fake-world.js';
import { connect, open, startServer, upgradeStatus, wsUrl } from './helpers.js';

const tokenProtocol = (token: string) => `${TOKEN_SUBPROTOCOL_PREFIX}${Buffer.from(token).toString('base64url')}`;

test('a seed command longer than maxHoldMs is clamped, says so, and the car stops at the limit', async (t) => {
  const server = await startServer(t, { maxHoldMs: 300 });
  const car = await connect(t, wsUrl(server));
  const mark = car.mark();
  car.sendText('{"command":"up","duration":10}');
  const notice = await car.expect('notice', undefined, mark);
  assert.equal(notice.code, 'duration_clamped');
  assert.equal(notice.ref, 'up');
  assert.match(notice.message, /0\.3 s.*10 s/);
  await car.state({ direction: 'forward', byte: 0x16 }, mark);
  await car.state({ direction: 'stop', byte: 0 }, mark); // the hold ran out, not the 10 s
  // Within the limit: no notice.
  const quiet = car.mark();
  car.sendText('{"command":"up","duration":0.2}');
  await car.state({ direction: 'stop', byte: 0 }, quiet + 1);
  assert.equal(car.inbox.slice(quiet).filter((m) => m.type === 'notice').length, 0);
});

test('a driver over the message rate is never closed: the excess is dropped, rate_limited at most once a second', async (t) => {
  const { join, car, tick } = await fakeWorld(t, { driveRatePerSecond: 10 }); // fake peers and fake time: the refill is exact
  const driver = join('d');
  // Far more than the rate, and more than the 20-error flood budget if each refusal counted.
  driver.say({ type: 'drive', x: 0, y: 0 });
  for (let i = 0; i < 300; i++) driver.say({ type: 'drive', x: 0, y: i % 2 === 0 ? 0.9 : 1 });
  assert.equal(car.state.direction, 'forward');
  tick(1100); // the bucket refills
  driver.say({ type: 'ping', id: 'after-burst' });
  assert.equal(driver.last('pong').id, 'after-burst');
  assert.deepEqual(driver.of('error').map((m) => m.code), ['rate_limited'], 'one rate_limited reply for the whole burst');
  assert.equal(driver.closedWith, null, 'still connected');
  driver.say({ type: 'drive', x: 0, y: -1 });
  assert.equal(car.state.direction, 'backward');
});

test('a driver that goes silent (no message, no pong) is dropped, its car stopped, its seat held for resume', async (t) => {
  const server = await startServer(t, { driverSilenceMs: 400 });
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  await spectator.state({ direction: 'forward' });
  const mark = spectator.mark();
  // A frozen peer: it neither sends nor reads (so it cannot answer the server's pings).
  const socket = (driver.ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.pause();
  await spectator.state({ direction: 'stop' }, mark); // the watchdog, long before the silence limit
  const held = await spectator.state({ reserved: true, driver: null }, mark);
  assert.equal(held.spectators, 1);
  assert.equal(server.driver.state.byte, 0);
});

test('a driver that is merely idle keeps its seat: the server pings it and its pongs count', async (t) => {
  const server = await startServer(t, { driverSilenceMs: 400 });
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  // Three times the silence limit without a message: only the pongs keep the seat.
  const pings = await new Promise<number>((resolve, reject) => {
    let count = 0;
    driver.ws.on('ping', () => { // the ws client answers each with a pong by itself
      if (++count === 12) resolve(count);
    });
    void driver.closed.then(() => reject(new Error(`dropped after ${count} pings`)));
  });
  assert.equal(pings, 12);
  await spectator.roundTrip();
  assert.equal(spectator.latestState().driver, driver.welcome.clientId);
  assert.equal(driver.ws.readyState, driver.ws.OPEN);
});

test('one address cannot take every slot: past maxClientsPerAddress the upgrade gets 503', async (t) => {
  const server = await startServer(t, { maxClientsPerAddress: 2 });
  await connect(t, wsUrl(server));
  await connect(t, wsUrl(server));
  assert.equal(await upgradeStatus(t, wsUrl(server)), 503);
});

test('with a token, slots are kept for token holders: a full server still lets the owner in, and they may drive', async (t) => {
  const token = 'owner-secret';
  const server = await startServer(t, { token, maxClients: 6 }); // 4 of 6 kept for token holders
  await connect(t, wsUrl(server));
  await connect(t, wsUrl(server));
  assert.equal(await upgradeStatus(t, wsUrl(server)), 503, 'spectators stop at 2');
  const owner = await connect(t, wsUrl(server), { protocols: ['webracer', tokenProtocol(token)] });
  assert.equal(owner.ws.protocol, 'webracer', 'the token is never echoed back');
  assert.equal(owner.welcome.authenticated, true);
  assert.equal(owner.welcome.role, 'driver', 'the empty seat is the owner\'s at once');
  owner.sendText('{"command":"up","duration":0.5}');
  await owner.state({ direction: 'forward' });
  // A wrong token at the upgrade buys no reserved slot and no authentication.
  assert.equal(await upgradeStatus(t, wsUrl(server), { protocols: ['webracer', tokenProtocol('guess')] }), 503);
});

test('a wrong token at the upgrade: connected as an unauthenticated spectator, and it counts against the address', async (t) => {
  const server = await startServer(t, { token: 'right' });
  const guess = await connect(t, wsUrl(server), { protocols: ['webracer', tokenProtocol('wrong')] });
  assert.equal(guess.welcome.authenticated, false);
  assert.equal(guess.welcome.role, 'spectator');
  guess.send({ type: 'stop' });
  assert.equal((await guess.expect('error')).code, 'unauthorized', 'stopping needs the token when one is set');
});

test('a page without a subprotocol (seed-era) still connects; one offering only webracer gets it', async (t) => {
  const server = await startServer(t);
  const plain = await connect(t, wsUrl(server));
  assert.equal(plain.ws.protocol, '');
  const page = await connect(t, wsUrl(server), { protocols: ['webracer'] });
  assert.equal(page.ws.protocol, 'webracer');
});

test('fault hooks are off unless WEBRACER_FAULTS=1: a fault ping is just a ping', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server));
  await car.roundTrip('fault:message');
  assert.equal(car.ws.readyState, car.ws.OPEN);
});

test('with WEBRACER_FAULTS=1, a throwing message handler costs that connection (1011) and the car stops', async (t) => {
  process.env.WEBRACER_FAULTS = '1';
  t.after(() => delete process.env.WEBRACER_FAULTS);
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  await spectator.state({ direction: 'forward' });
  driver.send({ type: 'ping', id: 'fault:message' });
  assert.equal((await driver.closed).code, 1011);
  await spectator.state({ direction: 'stop', lastCommand: 'auto' });
  await spectator.roundTrip(); // the server is fine
  assert.ok(await open(t, wsUrl(server)));
});
