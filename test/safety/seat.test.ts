// The driver's seat and the car: a driver that leaves stops the car at once, one that comes back with its
// resume token gets the seat (and the car stays stopped until it drives), and anyone may stop the car.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from '../control/helpers.js';
import {
  carAndServer, driverClient, FULL_FORWARD, holdStick, isMoving, SEED_UP, SLACK_MS, spectatorClient, STOP,
  stopLatency,
} from './scene.js';

describe('the seat', { concurrency: true, timeout: 90_000 }, () => {
  it('a driver that disconnects mid-drive: the car stops at once', async (t) => {
    // A long watchdog: only the disconnect can stop the car within the bound.
    const { car, server } = await carAndServer(t, ['--watchdog-ms', '10000']);
    const driver = await driverClient(t, server);
    holdStick(t, driver);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

    const at = performance.now();
    driver.ws.terminate(); // no closing handshake: the TCP connection just ends
    const stopMs = await stopLatency(car, at, 'the stop after the driver left');
    assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after the driver left`);
  });

  it('a driver that comes back within 10 s with its resume token gets the seat; the car stays stopped until it drives',
    async (t) => {
      const { car, server } = await carAndServer(t, ['--watchdog-ms', '10000']);
      const driver = await driverClient(t, server);
      const spectator = await spectatorClient(t, server);
      const token = driver.welcome.resumeToken;
      assert.ok(typeof token === 'string' && token.length > 0, 'welcome carries a resume token');
      holdStick(t, driver);
      await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

      const left = performance.now();
      const before = spectator.mark(); // the held seat's state may arrive while the stop is awaited
      driver.ws.terminate(); // a page reload or a Wi-Fi blip
      await stopLatency(car, left, 'the stop after the driver left');
      const reserved = await spectator.state({ reserved: true, driver: null }, before);
      assert.ok(reserved, 'the seat is held for the driver that left');

      const back = await connect(t, server.wsUrl);
      const [mark, watched] = [back.mark(), spectator.mark()];
      back.send({ type: 'resume', token });
      await back.expect('role', (m) => m.role === 'driver', mark);
      await spectator.state({ driver: back.welcome.clientId, reserved: false }, watched);
      assert.equal(spectator.inbox.some((m) => m.type === 'role' && m.role === 'driver'), false,
        'the seat never went to the spectator');
      const resumedAt = performance.now();
      await back.roundTrip();
      assert.equal(car.last?.value, STOP, 'resuming does not move the car');
      assert.equal(car.bytes.some((b) => b.at > resumedAt), false, `no byte until the driver drives: ${car.describe()}`);

      holdStick(t, back);
      await car.holds(isMoving, 'the car to move when the resumed driver drives');
    });

  for (const [what, stop] of [['{"type":"stop"}', '{"type":"stop"}'], ['{"command":"stop"}', '{"command":"stop"}']]) {
    it(`a spectator's ${what} while someone else drives: the car stops at once, the driver keeps the seat`, async (t) => {
      // Hold the car with a 10 s seed command: nothing but the spectator's stop ends it within the bound.
      const { car, server } = await carAndServer(t, ['--max-hold-ms', '10000']);
      const driver = await driverClient(t, server);
      const spectator = await spectatorClient(t, server);
      driver.sendText('{"command":"up","duration":10}');
      await car.holds((b) => b === SEED_UP, 'the seed command\'s byte');

      const mark = spectator.mark();
      const at = performance.now();
      spectator.sendText(stop);
      const stopMs = await stopLatency(car, at, 'the stop after the spectator\'s stop');
      assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after the spectator's stop`);
      await spectator.roundTrip();
      assert.deepEqual(spectator.inbox.slice(mark).filter((m) => m.type === 'error'), [], 'the stop is not refused');
      assert.equal(spectator.latestState().driver, driver.welcome.clientId, 'stopping does not take the seat');
    });
  }
});
