// A driver that goes quiet: after a timed (seed) command, after an analog drive, and at the TCP level.
// The car must stop by itself; a driver that is gone must lose the seat.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { client as clientFrame } from '../websocket/frames.js';
import { rawConnect, upgradeRequest } from '../websocket/raw.js';
import {
  carAndServer, driverClient, FULL_FORWARD, holdStick, SEED_UP, SLACK_MS, spectatorClient, stopLatency,
} from './scene.js';

const WATCHDOG_MS = 500; // the default --watchdog-ms
const MAX_HOLD_MS = 2_000; // the default --max-hold-ms
const DRIVER_SILENCE_MS = 5_000; // limits.driverSilenceMs

describe('silence', { concurrency: true, timeout: 90_000 }, () => {
  it('{"command":"up","duration":10} and then nothing: stopped at --max-hold-ms (2 s), and the reply says so', async (t) => {
    const { car, server } = await carAndServer(t);
    const driver = await driverClient(t, server);
    const mark = driver.mark();
    driver.sendText('{"command":"up","duration":10}');
    const moving = await car.holds((b) => b === SEED_UP, 'the seed command\'s byte');

    const heldMs = await stopLatency(car, moving.at, 'the stop at the end of the hold', 15_000);
    assert.ok(heldMs >= MAX_HOLD_MS / 2, `stopped after ${heldMs.toFixed(0)} ms: the hold was not kept`);
    assert.ok(heldMs <= MAX_HOLD_MS + SLACK_MS, `held ${heldMs.toFixed(0)} ms, more than --max-hold-ms`);
    const notice = await driver.expect('notice', () => true, mark);
    assert.equal(notice.code, 'duration_clamped');
    assert.equal(notice.ref, 'up');
  });

  it('an analog drive and then nothing (still connected): the watchdog stops the car, the driver keeps the seat', async (t) => {
    const { car, server } = await carAndServer(t);
    const driver = await driverClient(t, server);
    const stick = holdStick(t, driver);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
    stick.letGo();
    const silentSince = stick.lastSentAt;

    const stopMs = await stopLatency(car, silentSince, 'the watchdog\'s stop');
    assert.ok(stopMs <= WATCHDOG_MS + SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms into the silence`);
    await driver.roundTrip();
    assert.equal(driver.latestState().driver, driver.welcome.clientId, 'a quiet driver keeps the seat');
  });

  it('a driver silent at the TCP level (neither reads nor writes): the watchdog stops the car, the seat is lost within 5 s',
    async (t) => {
      const { car, server } = await carAndServer(t);
      const raw = await rawConnect(t, Number(new URL(server.url).port));
      raw.socket.write(upgradeRequest('/ws'));
      await raw.until((bytes) => bytes.includes('"type":"welcome"'));
      const spectator = await spectatorClient(t, server);
      const silentId = spectator.welcome.state.driver;
      assert.ok(silentId, 'the raw client drives');

      const drive = clientFrame(0x1, JSON.stringify({ type: 'drive', x: 0, y: 1 }));
      raw.socket.write(clientFrame(0x1, JSON.stringify({ type: 'drive', x: 0, y: 0 }))); // from the centre (docs/protocol.md "Arming")
      let lastSentAt = 0;
      const timer = setInterval(() => {
        raw.socket.write(drive);
        lastSentAt = performance.now();
      }, 50);
      t.after(() => clearInterval(timer));
      await car.holds((b) => b === FULL_FORWARD, 'the raw client driving');
      clearInterval(timer);
      raw.socket.pause(); // and never reads again: no pong, no message (the kernel still ACKs)
      const silentSince = lastSentAt;

      const stopMs = await stopLatency(car, silentSince, 'the watchdog\'s stop');
      assert.ok(stopMs <= WATCHDOG_MS + SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms into the silence`);
      await spectator.next((m) => m.type === 'state' && m.driver !== silentId, 'the seat to leave the silent driver',
        0, DRIVER_SILENCE_MS + 15_000);
      const lostMs = performance.now() - silentSince;
      assert.ok(lostMs <= DRIVER_SILENCE_MS + SLACK_MS, `the seat was lost ${lostMs.toFixed(0)} ms into the silence`);
      // A frame still in the server's socket may be read after a stalled loop's watchdog (timers run first),
      // and then stopped again by the next watchdog; past that bound, nothing but stops.
      assert.equal(car.last?.value, 0, car.describe());
      assert.equal(car.bytes.filter((b) => b.at > silentSince + WATCHDOG_MS + SLACK_MS).every((b) => b.value === 0), true,
        car.describe());
    });
});
