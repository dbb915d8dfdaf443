// Every signal that ends the process while the stick is held: the stop reaches the car first, and the
// process is gone within the shutdown's deadline. A car holds its last byte, so this is the byte that counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from '../control/helpers.js';
import { rawConnect, upgradeRequest } from '../websocket/raw.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { startWebracer } from './webracer-process.js';
import {
  carAndServer, DEADLINE_MS, driverClient, FULL_FORWARD, holdStick, isMoving, isStop, SLACK_MS, STOP, stopLatency,
  within,
} from './scene.js';

describe('signals while the stick is held', { concurrency: true, timeout: 90_000 }, () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: the car gets the stop first, the clients a 1001, and the process exits 0 within the deadline`, async (t) => {
      const { car, server } = await carAndServer(t);
      const driver = await driverClient(t, server);
      holdStick(t, driver);
      await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

      const at = server.signal(signal);
      const stopMs = await stopLatency(car, at, `the stop after ${signal}`);
      const exit = await within(server.exited, 'the process to exit');
      const closed = await within(driver.closed, 'the clients to be closed');

      assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after ${signal}`);
      assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after ${signal}`);
      assert.deepEqual([exit.code, exit.signal], [0, null], server.output());
      assert.equal(closed.code, 1001);
      assert.equal(car.last?.value, STOP, `the car's last byte; it got ${car.describe()}`);
      assert.match(server.output(), new RegExp(`${signal}: car stopped`));
    });
  }
});

describe('a close that hangs', { concurrency: true, timeout: 90_000 }, () => {
  it('a client that never answers the closing handshake: stop first, exit 3 at the deadline', async (t) => {
    const { car, server } = await carAndServer(t);
    const driver = await driverClient(t, server);
    holdStick(t, driver);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
    // A peer that completes the upgrade, then neither reads nor writes: the server's close frame is never
    // answered, and the WebSocket layer would wait 5 s for it.
    const port = Number(new URL(server.url).port);
    const frozen = await rawConnect(t, port);
    frozen.socket.write(upgradeRequest('/ws'));
    await frozen.until((bytes) => bytes.includes('\r\n\r\n'));
    frozen.socket.pause();
    await driver.roundTrip(); // the frozen client is attached before the signal

    const at = server.signal('SIGTERM');
    const stopMs = await stopLatency(car, at, 'the stop after SIGTERM');
    const exit = await within(server.exited, 'the process to exit');
    assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after SIGTERM`);
    assert.ok(exit.at - at >= DEADLINE_MS * 0.9, `exited ${(exit.at - at).toFixed(0)} ms after SIGTERM: before the deadline?`);
    assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after SIGTERM`);
    assert.deepEqual([exit.code, exit.signal], [3, null], server.output());
    assert.match(server.stderr(), /longer than 2000 ms/);
    assert.equal(car.last?.value, STOP, `the car's last byte; it got ${car.describe()}`);
  });

  it('a second signal while the close hangs: stop again, exit 3 at once', async (t) => {
    const { car, server } = await carAndServer(t);
    const driver = await driverClient(t, server);
    holdStick(t, driver);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
    const port = Number(new URL(server.url).port);
    const frozen = await rawConnect(t, port);
    frozen.socket.write(upgradeRequest('/ws'));
    await frozen.until((bytes) => bytes.includes('\r\n\r\n'));
    frozen.socket.pause();
    await driver.roundTrip();

    const first = server.signal('SIGINT');
    // The stop is written in the same turn as the close starts: once it is here, the close is under way
    // (and hanging on the frozen client).
    await stopLatency(car, first, 'the stop after SIGINT');
    const second = server.signal('SIGINT');
    const exit = await within(server.exited, 'the process to exit');
    assert.ok(exit.at - second <= SLACK_MS, `exited ${(exit.at - second).toFixed(0)} ms after the second SIGINT`);
    assert.deepEqual([exit.code, exit.signal], [3, null], server.output());
    assert.match(server.output(), /SIGINT again: car stopped, exiting now/);
    assert.doesNotMatch(server.output(), /longer than/, 'the second signal, not the deadline, ended it');
    assert.equal(car.last?.value, STOP);
  });

  it('a bridge that never answers our FIN: stop first, exit within the deadline', async (t) => {
    const car = await ByteRecorder.start({ answerFin: false });
    t.after(() => car.close());
    const server = await startWebracer(['--link', car.link], { after: (cleanup) => t.after(cleanup) });
    await car.holds(isStop, 'the stop a link sends on connecting');
    const driver = await connect(t, server.wsUrl);
    holdStick(t, driver);
    await car.holds(isMoving, 'the stick held forward');

    const at = server.signal('SIGTERM');
    const stopMs = await stopLatency(car, at, 'the stop after SIGTERM');
    const exit = await within(server.exited, 'the process to exit');
    assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after SIGTERM`);
    assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after SIGTERM`);
    // The link gives up on the FIN after 2 s itself, racing the deadline: either code is a bounded exit.
    assert.ok(exit.code === 0 || exit.code === 3, `exit code ${exit.code}: ${server.output()}`);
    assert.equal(car.connections.length, 1, 'no reconnect during the shutdown');
    assert.equal(car.last?.value, STOP);
  });
});
