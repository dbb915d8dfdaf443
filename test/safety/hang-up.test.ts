// The terminal hangs up while the stick is held: webracer runs on a pseudo-terminal of its own (as over
// ssh) and the test closes its master side, as sshd does when the connection drops. The kernel sends the
// SIGHUP, and every write to the terminal fails with EIO from then on. The stop must reach the car, and
// the process exit 0 like any SIGHUP (it used to die of SIGSEGV or SIGABRT in Node's exit-time terminal
// reset, nodejs/node#51519, or to loop on its failing log writes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ptyHostMissing } from '../support/pty-host.js';
import {
  carAndServer, DEADLINE_MS, driverClient, FULL_FORWARD, holdStick, isStop, SLACK_MS, STOP, stopLatency, within,
} from './scene.js';

const missing = ptyHostMissing();

describe('the terminal hangs up', { concurrency: true, timeout: 120_000, skip: missing ?? false }, () => {
  it('while the stick is held: the stop reaches the car once, and the process exits 0 (no signal death)', async (t) => {
    // A long watchdog: only the hang-up may stop the car (a busy machine could delay the stick's messages).
    const { car, server } = await carAndServer(t, ['--watchdog-ms', '10000'], { output: 'terminal' });
    const driver = await driverClient(t, server);
    holdStick(t, driver);
    const forward = await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
    assert.match(server.output(), /Press Ctrl\+C to stop/, 'it wrote to the terminal');

    const at = server.hangUp();
    const stopMs = await stopLatency(car, at, 'the stop after the hang-up');
    const exit = await within(server.exited, 'the process to exit after the hang-up');
    const closed = await within(driver.closed, 'the clients to be closed');

    assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after the hang-up`);
    assert.deepEqual([exit.code, exit.signal], [0, null], 'a hang-up ends it like SIGHUP, not by a crash');
    assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after the hang-up`);
    assert.equal(closed.code, 1001);
    const stops = car.bytes.filter((b) => b.at >= forward.at && isStop(b.value));
    assert.equal(stops.length, 1, `one stop: ${car.describe()}`);
    assert.equal(car.last?.value, STOP, `the car's last byte; it got ${car.describe()}`);
  });
});
