// The times a recording gives the car's bytes are the times the car's link took them, whatever the
// command path did meanwhile: a simulated car replays (--dry-run) to the very spot it stopped on even
// when the process lost time between the write and the recorder hearing of it (a busy machine, a GC
// pause, a slow listener ahead of the recorder: the race's arena handling the car's pose at rest).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CarWorld } from '../../src/control/car/car-world.js';
import type { CarEvent } from '../../src/control/car/car-events.js';
import { silentLogger } from '../../src/control/log.js';
import { RecordingDirectory } from '../../src/recording/directory.js';
import { replayAtOnce } from '../../src/recording/dry-run.js';
import { parseRecording } from '../../src/recording/reader.js';
import { CarRecorder } from '../../src/recording/recorder.js';
import { createCodec, Driver, SimLink, VirtualClock, type Clock } from '../../src/vehicle/index.js';
import { fakeContext, fakeSession, TEST_LIMITS } from '../control/fake-peer.js';
import { readRecordings, tempDir } from './helpers.js';

/**
 * A car world and its recorder on a virtual clock, with `lose(ms)` making that much time pass at once
 * without any timer firing: what a process preempted or busy in the middle of the command path sees.
 */
async function recordedWorld(t: TestContext, opts: { timersLateBy?: number; watchdogMs?: number } = {}) {
  const clock = new VirtualClock();
  let lost = 0;
  const limits = { ...TEST_LIMITS, watchdogMs: opts.watchdogMs ?? TEST_LIMITS.watchdogMs };
  const time: Clock = {
    now: () => clock.now() + lost,
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms + (opts.timersLateBy ?? 0)),
    setInterval: (fn, ms) => clock.setInterval(fn, ms),
    clearTimeout: (timer) => clock.clearTimeout(timer),
  };
  const link = new SimLink({ clock: time });
  const car = new Driver({ link, codec: createCodec('iracer'), watchdogMs: limits.watchdogMs, clock: time });
  const world = new CarWorld({
    name: 'car', driver: car, link, codec: 'iracer', accessories: [], linkKind: 'sim', limits,
    authRequired: false, maxViewers: 1, iceServers: () => ({ iceServers: [], expiresInS: null }), log: silentLogger,
    now: time.now,
  });
  t.after(() => world.close());
  await car.start();
  const listenFirst = (listener: (event: CarEvent) => void): void => void world.events.listen(listener);
  return {
    clock, world, listenFirst,
    lose: (ms: number) => (lost += ms),
    record(dir: string): CarRecorder {
      const directory = new RecordingDirectory({ dir, maxFileBytes: 32 << 20, maxTotalBytes: 1 << 30, log: () => {} });
      return new CarRecorder(world, { directory, server: 'webracer test', now: time.now });
    },
    join(id: string) {
      const { session, peer } = fakeSession(fakeContext(time.now), { id });
      world.attach(session);
      return peer;
    },
  };
}

/** The session's recording, replayed at once: how far from the recorded end the dry run leaves the car. */
async function dryRunMiss(dir: string): Promise<{ cm: number; what: string }> {
  const [{ name }] = readRecordings(dir);
  const recording = parseRecording(readFileSync(join(dir, name), 'utf8'));
  const end = recording.end.pose!;
  assert.ok(Math.hypot(end.x, end.y) > 0.5, `it drove: ${JSON.stringify(end)}`);
  assert.ok(recording.lines.every((l, i) => i === 0 || l.t >= recording.lines[i - 1].t), 'time never goes back');
  const dry = await replayAtOnce(recording, { codec: createCodec('iracer') });
  const cm = Math.hypot(dry.pose.x - end.x, dry.pose.y - end.y) * 100;
  return { cm, what: `the dry run ends ${cm.toFixed(2)} cm from the recorded end (${JSON.stringify(dry.pose)} vs ${JSON.stringify(end)})` };
}

describe('recorded times', () => {
  it('a write is recorded at the time the link took it, however long the listeners before the recorder took: the dry run ends where the car did', async (t) => {
    const w = await recordedWorld(t);
    // Ahead of the recorder, a listener that costs 45 ms whenever the car comes to rest (as the arena's
    // pose handling may on a busy machine): the stop's bytes reach the recorder that much later.
    w.listenFirst((event) => {
      if (event.kind === 'pose' && event.pose.speed === 0) w.lose(45);
    });
    const dir = tempDir(t);
    const recorder = w.record(dir);
    const driver = w.join('c1');
    driver.say({ type: 'drive', x: 0, y: 0 }); // the stick at the centre first (arming)
    for (let i = 0; i < 10; i++) {
      driver.say({ type: 'drive', x: 0.3, y: 1 });
      w.clock.runUntil(w.clock.now() + 101);
    }
    driver.say({ type: 'stop' });
    w.clock.runUntil(w.clock.now() + 100);
    driver.end();
    await recorder.close();

    const { cm, what } = await dryRunMiss(dir);
    assert.ok(cm < 0.1, what);
  });

  it('80 ms lost between the watchdog and its stop (the work that follows a watchdog, on a busy machine): the dry run stops the car when it stopped', async (t) => {
    const w = await recordedWorld(t, { watchdogMs: 500 });
    const dir = tempDir(t);
    const recorder = w.record(dir);
    w.listenFirst((event) => { // after the recorder: its watchdog line is on time, the stop's bytes 80 ms later
      if (event.kind === 'watchdog') w.lose(80);
    });
    const driver = w.join('c1');
    driver.say({ type: 'drive', x: 0, y: 0 });
    for (let i = 0; i < 5; i++) {
      driver.say({ type: 'drive', x: 0, y: 1 });
      w.clock.runUntil(w.clock.now() + 100);
    }
    w.clock.runUntil(w.clock.now() + 1000);
    driver.end();
    await recorder.close();
    const { cm, what } = await dryRunMiss(dir);
    assert.ok(cm < 0.1, what);
  });

  it('a watchdog that fired 150 ms late (a busy machine): the dry run stops the car when it stopped', async (t) => {
    const w = await recordedWorld(t, { timersLateBy: 150, watchdogMs: 500 });
    const dir = tempDir(t);
    const recorder = w.record(dir);
    const driver = w.join('c1');
    driver.say({ type: 'drive', x: 0, y: 0 });
    for (let i = 0; i < 5; i++) {
      driver.say({ type: 'drive', x: 0, y: 1 });
      w.clock.runUntil(w.clock.now() + 100);
    }
    w.clock.runUntil(w.clock.now() + 1000); // silence: the watchdog, 150 ms late
    driver.end();
    await recorder.close();
    const { cm, what } = await dryRunMiss(dir);
    assert.ok(cm < 0.1, what);
  });
});
