// Ctrl+S in the terminal the server runs in (XOFF: a habit from saving files, or a terminal's scroll
// lock): the terminal stops taking output, and a write to it waits until Ctrl+Q. Node writes to a
// terminal blocking, so the server's next log line used to stop the whole process there: no watchdog, no
// message, the car doing its last byte. The log must wait instead, never the car.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ptyHostMissing } from '../support/pty-host.js';
import {
  carAndServer, driverClient, FULL_FORWARD, holdStick, SLACK_MS, spectatorClient, STOP, stopLatency, within,
} from './scene.js';

const missing = ptyHostMissing();
const WATCHDOG_MS = 500;

describe('the terminal stops taking output (Ctrl+S)', { concurrency: true, timeout: 120_000, skip: missing ?? false }, () => {
  it('while driving: the server goes on (the watchdog stops the car); the log comes when the terminal is started again', async (t) => {
    const { car, server } = await carAndServer(t, [], { output: 'terminal' });
    const driver = await driverClient(t, server);
    const stick = holdStick(t, driver);
    await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');

    server.terminalOutput('stop');
    // "connected ...": a log line into the stopped terminal.
    const spectator = await within(spectatorClient(t, server), 'a spectator to get in while the terminal is stopped');
    await within(spectator.roundTrip(), 'an answer while the terminal is stopped');
    stick.letGo();
    const stopMs = await stopLatency(car, stick.lastSentAt, 'the watchdog\'s stop while the terminal is stopped');
    assert.ok(stopMs <= WATCHDOG_MS + SLACK_MS, `the watchdog's stop came ${stopMs.toFixed(0)} ms after the last drive message`);
    assert.equal(car.last?.value, STOP);

    const shown = server.output().length;
    server.terminalOutput('start');
    await within(new Promise<void>((resolve) => {
      const stop = server.onOutput(() => {
        if (!/watchdog/.test(server.output().slice(shown))) return;
        stop();
        resolve();
      });
    }), 'the log lines written meanwhile, once the terminal takes output again');
  });
});
