// Lights and horn over the protocol: the car's accessories in `welcome`, the driver's `accessory` message
// reaching a real TCP peer in another app's characters (--charmap), and everyone else refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCharmap } from '../../src/vehicle/index.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { connect, startServer } from './helpers.js';

test('an rc-app car: its accessories in welcome; the driver\'s horn reaches the car and leaves it stopped', async (t) => {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const server = await startServer(t, { link: car.link, codec: 'rc-app', charmap: parseCharmap({ horn: { on: 'Y', off: 'y' } }) });
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const driver = await connect(t, url);
  assert.deepEqual(driver.welcome.vehicle.accessories, ['front-lights', 'back-lights', 'horn', 'extra']);
  await car.holds((b) => b === 'S'.charCodeAt(0), 'the stop on connecting');

  driver.send({ type: 'accessory', name: 'horn', on: true });
  await driver.roundTrip();
  await car.waitFor(() => String.fromCharCode(...car.bytes.map((b) => b.value)).endsWith('YS'), 'the horn, then the stop again');
  assert.equal(driver.inbox.filter((m) => m.type === 'error').length, 0);
  assert.equal(driver.latestState().direction, 'stop');

  const spectator = await connect(t, url);
  spectator.send({ type: 'accessory', name: 'horn', on: true });
  const refused = await spectator.expect('error');
  assert.deepEqual([refused.code, refused.ref], ['not_driver', 'accessory']);

  const mark = driver.mark();
  driver.send({ type: 'accessory', name: 'all', on: true });
  driver.send({ type: 'accessory', name: 'siren', on: true });
  driver.send({ type: 'accessory', name: 'horn', on: 1 });
  await driver.roundTrip();
  const errors = driver.inbox.slice(mark).filter((m) => m.type === 'error');
  assert.deepEqual(errors.map((e) => [e.code, e.field]), [['invalid_message', 'on'], ['invalid_message', 'name'], ['invalid_message', 'on']]);
  driver.send({ type: 'accessory', name: 'all', on: false });
  await car.waitFor(() => String.fromCharCode(...car.bytes.map((b) => b.value)).endsWith('wuyxS'), 'every off, then the stop');
});

test('a driver who leaves with the horn on: the server stops the car and switches the horn off', async (t) => {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const server = await startServer(t, { link: car.link, codec: 'rc-app' });
  const driver = await connect(t, `ws://127.0.0.1:${server.port}/ws`);
  await car.holds((b) => b === 'S'.charCodeAt(0), 'the stop on connecting');
  driver.send({ command: 'up', duration: 2 });
  driver.send({ type: 'accessory', name: 'horn', on: true });
  await car.waitFor(() => String.fromCharCode(...car.bytes.map((b) => b.value)).includes('V'), 'the horn');
  driver.ws.terminate();
  await car.waitFor(() => /V.*S.*v/.test(String.fromCharCode(...car.bytes.map((b) => b.value))), 'the stop, then the horn off');
  assert.equal(server.driver.state.direction, 'stop');
});

test('an i-Racer has no accessories: an empty list, and a clear refusal', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, `ws://127.0.0.1:${server.port}/ws`);
  assert.deepEqual(driver.welcome.vehicle.accessories, []);
  driver.send({ type: 'accessory', name: 'front-lights', on: true });
  const refused = await driver.expect('error');
  assert.deepEqual([refused.code, refused.field, refused.ref], ['invalid_message', 'name', 'accessory']);
  assert.match(refused.message, /this car has no front-lights \(it has: none\)/);
});
