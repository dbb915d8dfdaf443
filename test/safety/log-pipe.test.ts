// `webracer ... 2>&1 | head -n 2`, or any log reader that goes away (an ssh session closed without nohup,
// a log collector restarting): from then on every write to the log fails with EPIPE. The log is lost,
// nothing else: the server drives on, idle, and a signal still stops the car once and ends the process
// within the deadline. (It used to throw on every log write, the fault handler logging and throwing
// again: a loop at full CPU writing thousands of stops a second, deaf to SIGTERM.)
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ByteRecorder } from '../support/byte-recorder.js';
import { LogReader } from '../support/log-reader.js';
import { cpuTimeMs, listeningPorts } from '../support/proc.js';
import {
  carAndServer, DEADLINE_MS, driverClient, FULL_FORWARD, holdStick, isStop, SLACK_MS, STOP, spectatorClient, stopAfter, within,
  type Scene,
} from './scene.js';
import { reachedAt, spawnWebracer, START_MS } from './webracer-process.js';

/**
 * Only the shutdown may stop the car here: a watchdog that fires because this busy machine delayed the
 * held stick's messages would add a stop of its own to the count.
 */
const QUIET_WATCHDOG = ['--watchdog-ms', '10000'];
/** How long the idle process is watched for a loop: long enough for CPU ticks (10 ms) to mean something. */
const IDLE_WINDOW_MS = 1_000;
/** A spinning process takes a whole core; an idle one with a stick held at 20 Hz, a few per cent. */
const MAX_IDLE_CPU_SHARE = 0.3;

describe('the log reader goes away', { concurrency: true, timeout: 120_000 }, () => {
  it('while driving, then SIGTERM: the server drives on idle, one stop, exit 0 within the deadline', async (t) => {
    const reader = await LogReader.start();
    t.after(() => reader.close());
    const scene = await carAndServer(t, QUIET_WATCHDOG, { output: reader });
    const driver = await driverClient(t, scene.server);
    holdStick(t, driver);
    const forward = await scene.car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
    assert.match(reader.text(), /Press Ctrl\+C to stop/, 'the reader got the log until it went away');

    await reader.goAway();
    await noLoopThenSigterm(t, scene, forward.at);
  });

  it('during start-up (before the first line): the server starts, drives, and a SIGTERM still ends it in time', async (t) => {
    const reader = await LogReader.start();
    t.after(() => reader.close());
    await reader.goAway(); // the pipe's reader is gone before the server writes anything
    const car = await ByteRecorder.start();
    t.after(() => car.close());
    const running = spawnWebracer(['--link', car.link, ...QUIET_WATCHDOG], { output: reader, after: (cleanup) => t.after(cleanup) });
    // It printed no URL, the reader being gone: that it started shows in the car (the link is opened after
    // the HTTP listener listens) and in /proc (its port).
    await within(Promise.race([car.holds(isStop, 'the stop a link sends on connecting', START_MS), running.exited.then((e) => {
      throw new Error(`exited (${e.code ?? e.signal}) during start-up, its log pipe broken`);
    })]), 'the server to start', START_MS);
    const [port] = listeningPorts(await running.pid);
    assert.ok(port !== undefined, 'it listens');
    const server = reachedAt(running, `http://127.0.0.1:${port}/`);
    const driver = await driverClient(t, server);
    holdStick(t, driver);
    const forward = await car.holds((b) => b === FULL_FORWARD, 'the stick held forward');
    await noLoopThenSigterm(t, { car, server }, forward.at);
  });
});

/**
 * With the log pipe broken and the stick held forward since `since`: a log line is provoked (a spectator
 * comes and leaves), the server still answers, stays idle, and SIGTERM stops the car once and ends it in time.
 */
async function noLoopThenSigterm(t: TestContext, { car, server }: Scene, since: number): Promise<void> {
  // "connected ...": a log write into the broken pipe.
  const spectator = await within(spectatorClient(t, server), 'a spectator to get in after the pipe broke');
  await within(spectator.roundTrip(), 'an answer after a log write into the broken pipe');
  spectator.ws.close();
  await spectator.closed;

  const pid = await server.pid;
  const cpuBefore = cpuTimeMs(pid);
  const windowStart = performance.now();
  // A measurement window, not a wait for something to happen: a loop shows as CPU time.
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  const share = (cpuTimeMs(pid) - cpuBefore) / (performance.now() - windowStart);
  assert.equal(server.child.exitCode, null, 'still running: a broken log costs the log only');

  const at = server.signal('SIGTERM');
  const exit = await within(server.exited, 'the process to exit after SIGTERM');
  const stops = car.bytes.filter((b) => b.at >= since && isStop(b.value));
  assert.ok(stopAfter(car, at) !== undefined, `a stop after SIGTERM; the car got ${car.describe()}`);
  assert.equal(stops.length, 1, `one stop, not a stop per failed log line: ${stops.length} stops`);
  assert.equal(car.last?.value, STOP, `the car's last byte; it got ${car.describe()}`);
  assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after SIGTERM`);
  assert.deepEqual([exit.code, exit.signal], [0, null]);
  assert.ok(share < MAX_IDLE_CPU_SHARE, `${(share * 100).toFixed(0)}% of a core while idle: a loop?`);
}
