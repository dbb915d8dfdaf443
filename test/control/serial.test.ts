// The whole chain with a real serial port: seed-style client -> our server -> serial link -> socat pty
// pair -> the i-Racer device emulator, which must receive exactly the seed's bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/vehicle/emulator.js';
import { connect, ptyPair, startServer, WAIT_MS, wsUrl } from './helpers.js';

test('seed commands reach an emulated i-Racer over a serial port byte for byte', { timeout: 90_000 }, async (t) => {
  const [carEnd, deviceEnd] = await ptyPair(t);
  const emulator = startEmulator(deviceEnd);
  t.after(() => emulator.close());
  await emulator.opened;
  const server = await startServer(t, { link: `serial:${carEnd}` });
  await emulator.waitForBytes(1, WAIT_MS); // the driver's stop on connect
  const car = await connect(t, wsUrl(server, '/'));
  assert.equal(car.latestState().link, 'connected');

  const steps: Array<[string, number]> = [
    ['{"duration":0.3,"command":"up"}', 0x16],
    ['{"command":"down"}', 0x26],
    ['{"duration":null,"command":"left","data":2}', 0x57],
    ['{"duration":0.2,"command":"right","data":3}', 0x67],
    ['{"command":"raw","data":22}', 0x16],
  ];
  // Each byte is held for its duration before the stop: 0.3 s, the remembered 0.3 s, 0.3 s, 0.2 s, raw 1.0 s.
  // Load can only delay bytes, so "the stop arrived at least that long after we sent" is a safe bound.
  const holds = [300, 300, 300, 200, 1000];
  let expected = [0x00];
  for (const [i, [text, byte]] of steps.entries()) {
    const sentAt = Date.now();
    car.sendText(text);
    expected = [...expected, byte, 0x00];
    await emulator.waitForBytes(expected.length, WAIT_MS);
    assert.deepEqual(emulator.bytes, expected, text);
    const held = emulator.received[expected.length - 1].at - sentAt;
    assert.ok(held >= holds[i], `${text}: stopped ${held} ms after sending, wanted at least ${holds[i]}`);
  }

  // A 10 s command, then the driver vanishes: the stop comes at once, long before the 10 s are up.
  car.sendText('{"duration":10,"command":"up"}');
  await emulator.waitForBytes(expected.length + 1, WAIT_MS);
  assert.equal(emulator.motion.direction, 'forward');
  car.ws.terminate();
  await emulator.waitForBytes(expected.length + 2, 8_000);
  assert.equal(emulator.bytes.at(-1), 0x00);
  assert.deepEqual(emulator.motion, { direction: 'stop', speed: 0 });
});

test('closing the server leaves the car stopped', { timeout: 90_000 }, async (t) => {
  const [carEnd, deviceEnd] = await ptyPair(t);
  const emulator = startEmulator(deviceEnd);
  t.after(() => emulator.close());
  await emulator.opened;
  const server = await startServer(t, { link: `serial:${carEnd}` });
  await emulator.waitForBytes(1, WAIT_MS);
  const car = await connect(t, wsUrl(server));
  car.sendText('{"duration":10,"command":"up"}');
  await emulator.waitForBytes(2, WAIT_MS);
  await server.close();
  const bytes = await emulator.waitForBytes(3, WAIT_MS);
  assert.deepEqual(bytes, [0x00, 0x16, 0x00]);
  assert.equal((await car.closed).code, 1001);
});
