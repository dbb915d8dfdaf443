// A car world's event stream: what a recorder or a race marshal sees, and that a broken listener
// never reaches the command path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CarEvent } from '../../src/control/car/car-events.js';
import { connect, startServer, wsUrl } from './helpers.js';

test('a drive session as events: seat, messages, demands, refusals, watchdog; a throwing listener changes nothing', async (t) => {
  const logged: string[] = [];
  const server = await startServer(t, { log: (line) => logged.push(line) });
  const world = server.fleet.first;
  const events: CarEvent[] = [];
  world.events.listen(() => {
    throw new Error('a broken listener');
  });
  world.events.listen((e) => {
    if (e.kind !== 'pose') events.push(e);
  });
  const driver = await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  await spectator.state({ direction: 'forward' });
  spectator.send({ type: 'drive', x: 0, y: 1 });
  await spectator.expect('error', (m) => m.code === 'not_driver', 0);
  await spectator.state({ direction: 'stop' }); // the watchdog
  const id = driver.welcome.clientId;
  const kinds = events.map((e) => e.kind);
  assert.deepEqual(events[0], { kind: 'seat', driver: id, reserved: false });
  const messages = events.filter((e) => e.kind === 'message');
  assert.deepEqual(messages.slice(0, 2).map((e) => e.kind === 'message' && e.message),
    [{ type: 'drive', x: 0, y: 0 }, { type: 'drive', x: 0, y: 1 }]);
  assert.deepEqual(events.filter((e) => e.kind === 'demand').slice(0, 2),
    [{ kind: 'demand', client: id, demand: { kind: 'analog', x: 0, y: 0 } }, { kind: 'demand', client: id, demand: { kind: 'analog', x: 0, y: 1 } }]);
  assert.deepEqual(events.find((e) => e.kind === 'refusal'),
    { kind: 'refusal', client: spectator.welcome.clientId, code: 'not_driver', ref: 'drive' });
  assert.ok(kinds.includes('watchdog'), kinds.join(' '));
  assert.ok(logged.some((l) => l.includes('a car event listener failed: Error: a broken listener')));

  const mark = spectator.mark();
  driver.ws.terminate();
  await spectator.state({ reserved: true }, mark);
  assert.deepEqual(events.filter((e) => e.kind === 'demand').pop(), { kind: 'demand', client: null, demand: { kind: 'command', name: 'stop' } });
  assert.deepEqual(events.filter((e) => e.kind === 'seat').pop(), { kind: 'seat', driver: null, reserved: true });
});

test('every byte written to the car is an event, and so is the end of a hold', async (t) => {
  const server = await startServer(t);
  const events: CarEvent[] = [];
  server.fleet.first.events.listen((e) => {
    if (e.kind === 'write' || e.kind === 'hold-expired') events.push(e);
  });
  const driver = await connect(t, wsUrl(server));
  driver.send({ command: 'up', duration: 0.2 });
  await driver.state({ direction: 'forward' });
  await driver.state({ direction: 'stop' });
  assert.deepEqual(events.map((e) => (e.kind === 'write' ? [...e.bytes] : e.kind)), [[0x16], 'hold-expired', [0x00]]);
});

test('a message is told only once the car took it, before what it caused, with only its schema\'s fields; a refused one only as its refusal', async (t) => {
  const server = await startServer(t, { token: 'sesame' });
  const events: CarEvent[] = [];
  server.fleet.first.events.listen((e) => {
    if (e.kind !== 'pose' && e.kind !== 'client') events.push(e);
  });
  const driver = await connect(t, wsUrl(server), { protocols: ['webracer', `webracer.token.${Buffer.from('sesame').toString('base64url')}`] });
  const spectator = await connect(t, wsUrl(server));
  spectator.send({ command: 'stop', token: 'a-guess', pad: 'x'.repeat(1000) });
  await spectator.expect('error', (m) => m.code === 'unauthorized', 0);
  driver.send({ command: 'up', speed: 2, duration: 0.5, data: 7, extra: { nested: [[[]]] } });
  await driver.state({ direction: 'forward' });
  driver.send({ type: 'auth', token: 'wrong' });
  await driver.expect('error', (m) => m.code === 'unauthorized', 0);

  const spectatorId = spectator.welcome.clientId;
  const driverId = driver.welcome.clientId;
  assert.deepEqual(events.filter((e) => 'client' in e && e.client === spectatorId), [{ kind: 'refusal', client: spectatorId, code: 'unauthorized', ref: 'stop' }]);
  const fromDriver = events.filter((e) => (e.kind === 'message' || e.kind === 'refusal' || e.kind === 'demand') && e.client === driverId);
  assert.deepEqual(fromDriver.map((e) => e.kind), ['message', 'demand', 'refusal'], 'the up, then its demand; the wrong token only as a refusal');
  assert.deepEqual(fromDriver[0], { kind: 'message', client: driverId, message: { command: 'up', speed: 2, duration: 0.5 } });
  const up = events.indexOf(fromDriver[0]);
  assert.equal(events[up + 1], fromDriver[1], 'the demand right after its message');
});
