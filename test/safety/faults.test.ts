// Exceptions, provoked through the server's test-only fault hooks (WEBRACER_FAULTS=1, src/control/):
// the ones that reach the process stop the car and end it non-zero; the ones in a handler are contained
// where they happen (one connection closes with 1011, everything else goes on, the car stops if that
// connection was its driver's).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { connect } from '../control/helpers.js';
import {
  carAndServer, driverClient, FULL_FORWARD, holdStick, isMoving, isStop, SLACK_MS, STOP, spectatorClient, stopAfter,
  stopLatency, within,
} from './scene.js';

/** The grace a fault gives the close (src/cli/shutdown.ts DEFAULT_FAULT_GRACE_MS). */
const FAULT_GRACE_MS = 500;

describe('faults that reach the process', { concurrency: true, timeout: 90_000 }, () => {
  for (const [id, words] of [['fault:uncaught', 'uncaught exception'], ['fault:rejection', 'unhandled rejection']] as const) {
    it(`${words} (${id}): the car gets the stop, the error is logged, the process exits 4`, async (t) => {
      const { car, server } = await carAndServer(t, [], { faults: true });
      const driver = await driverClient(t, server);
      holdStick(t, driver);
      await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

      const at = performance.now();
      driver.send({ type: 'ping', id });
      const stopMs = await stopLatency(car, at, `the stop after the ${words}`);
      const exit = await within(server.exited, 'the process to exit');
      assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after the fault`);
      assert.ok(exit.at - at <= FAULT_GRACE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after the fault`);
      assert.deepEqual([exit.code, exit.signal], [4, null], server.output());
      assert.match(server.stderr(), new RegExp(`${words}, car stopped: `));
      assert.equal(car.last?.value, STOP, `the car's last byte; it got ${car.describe()}`);
    });
  }
});

describe('faults contained where they happen', { concurrency: true, timeout: 90_000 }, () => {
  it('the connection handler throws (fault=connection): that connection closes with 1011, the driver drives on', async (t) => {
    const { car, server } = await carAndServer(t, [], { faults: true });
    const driver = await driverClient(t, server);
    holdStick(t, driver);
    const moving = await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

    const faulty = new WebSocket(`${server.wsUrl}?fault=connection`);
    t.after(() => faulty.terminate());
    const code = await within(new Promise<number>((resolve, reject) => {
      faulty.once('close', (c) => resolve(c));
      faulty.once('unexpected-response', (_req, res) => reject(new Error(`the upgrade was answered ${res.statusCode}`)));
      faulty.on('error', () => {}); // the close follows
    }), 'the faulty connection to close');
    assert.equal(code, 1011);

    await driver.roundTrip();
    const later = await connect(t, server.wsUrl); // still accepting
    await later.roundTrip();
    assert.equal(server.child.exitCode, null, 'still running');
    assert.equal(stopAfter(car, moving.at), undefined, `the car was never stopped: ${car.describe()}`);
    assert.equal(car.last?.value, FULL_FORWARD);
  });

  it('the message handler throws (fault:message): the driver\'s connection closes with 1011, the car stops, the others go on',
    async (t) => {
      // A long watchdog: only the driver's connection ending can stop the car within the bound.
      const { car, server } = await carAndServer(t, ['--watchdog-ms', '10000'], { faults: true });
      const driver = await driverClient(t, server);
      const spectator = await spectatorClient(t, server);
      holdStick(t, driver);
      await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

      const at = performance.now();
      driver.send({ type: 'ping', id: 'fault:message' });
      const closed = await within(driver.closed, 'the driver\'s connection to close');
      const stopMs = await stopLatency(car, at, 'the stop after the driver\'s connection closed');
      assert.equal(closed.code, 1011);
      assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after the fault`);
      await spectator.roundTrip();
      assert.equal(server.child.exitCode, null, 'still running');
      assert.equal(car.last?.value, STOP);
    });

  it('a link \'state\' listener throws (fault:link-state): the link reconnects, stop first, and the car drives again',
    async (t) => {
      const { car, server } = await carAndServer(t, [], { faults: true });
      const driver = await driverClient(t, server);
      driver.send({ type: 'ping', id: 'fault:link-state' });
      await driver.roundTrip();
      const stick = holdStick(t, driver);
      await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
      stick.letGo();

      car.dropConnections(); // the bridge reboots: 'reconnecting', then 'connected', each a throwing listener
      await car.waitFor(() => car.connections.length >= 2 && car.connections[1].bytes.length > 0,
        'the link to reconnect and write');
      assert.equal(car.connections[1].bytes[0].value, STOP, 'the first byte on the new connection is the stop');
      await driver.state({ link: 'connected' }, 0);
      assert.equal(server.child.exitCode, null, 'still running');

      await driver.roundTrip();
      holdStick(t, driver);
      await car.holds(isMoving, 'the car to drive again after the reconnect');
      assert.ok(car.connections[1].bytes.some((b) => isStop(b.value)));
    });
});
