// `webracer replay` is a way to move a car, so every way it can end must leave the car stopped: a signal,
// an exception, the car's link dropping mid-replay, a replay that stalls, a recording that ends with the
// car moving. The car is a TCP byte recorder; the replay is the real CLI as a child process.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { FORMAT, FORMAT_VERSION } from '../../src/recording/format.js';
import { start, WEBRACER, type Child } from '../cli/process.js';
import { tempDir } from '../recording/helpers.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { DEADLINE_MS, FULL_FORWARD, isMoving, SLACK_MS, STOP, stopLatency, within } from './scene.js';

/** A recording of a driver holding the stick forward for `ms`, refreshed at 20 Hz as the page does. */
function heldStick(t: TestContext, ms: number, extra: object[] = [], endReason = 'seat'): string {
  const lines: object[] = [{
    format: FORMAT, version: FORMAT_VERSION, car: 'car', codec: 'iracer', link: 'tcp', server: 'webracer test',
    started: '2026-11-29T12:00:00.000Z', clock: 0, session: 's', part: 1, driver: 'c1',
    limits: { watchdogMs: 500, maxHoldMs: 2000, refreshMs: 0 }, linkState: 'connected', pose: null,
  }, { t: 0, kind: 'seat', driver: 'c1', reserved: false }];
  for (let t = 10; t < ms; t += 50) lines.push({ t, kind: 'demand', client: 'c1', demand: { kind: 'analog', x: 0, y: 1 } });
  lines.push(...extra);
  lines.sort((a, b) => ((a as { t?: number }).t ?? -1) - ((b as { t?: number }).t ?? -1));
  lines.push({ t: ms, kind: 'end', reason: endReason, pose: null, droppedPoses: 0, lost: 0 });
  const file = join(tempDir(t), 'held.jsonl');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

interface Replaying { car: ByteRecorder; replay: Child; exited: Promise<{ code: number | null; at: number }> }

/** A car, and `webracer replay FILE --link <car>` driving it: resolves once the car is moving. */
async function replaying(t: TestContext, file: string, env: Record<string, string> = {}): Promise<Replaying> {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const replay = start(t, [...WEBRACER, 'replay', file, '--link', car.link], { env: { ...process.env, WEBRACER_TOKEN: '', ...env } });
  const exited = replay.exited.then((e) => ({ code: e.code, at: performance.now() }));
  await car.holds((b) => b === FULL_FORWARD, 'the replayed stick held forward', 30_000);
  return { car, replay, exited };
}

const lastByte = (car: ByteRecorder): number | undefined => car.last?.value;

describe('replay safety', { concurrency: true, timeout: 120_000 }, () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} mid-replay: the car gets the stop first, and the process exits 0 within the deadline`, async (t) => {
      const { car, replay, exited } = await replaying(t, heldStick(t, 20_000));
      const at = performance.now();
      replay.kill(signal);
      const stopMs = await stopLatency(car, at, `the stop after ${signal}`);
      const exit = await within(exited, 'the replay to exit');
      assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after ${signal}`);
      assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after ${signal}`);
      assert.equal(exit.code, 0, replay.stdout() + replay.stderr());
      assert.equal(lastByte(car), STOP, car.describe());
    });
  }

  it('an uncaught exception mid-replay: the stop, and exit 4', async (t) => {
    const file = heldStick(t, 20_000, [{ t: 1500, kind: 'message', client: 'c1', message: { type: 'ping', id: 'fault:uncaught' } }]);
    const { car, replay, exited } = await replaying(t, file, { WEBRACER_FAULTS: '1' });
    const exit = await within(exited, 'the replay to exit');
    assert.equal(exit.code, 4, replay.stdout() + replay.stderr());
    assert.match(replay.stderr(), /uncaught exception, car stopped/);
    assert.equal(lastByte(car), STOP, car.describe());
  });

  it('the car\'s link drops mid-replay: the replay ends, the reconnection\'s first byte is the stop, nothing drives after, exit 5',
    async (t) => {
      const { car, replay, exited } = await replaying(t, heldStick(t, 20_000));
      car.dropConnections(); // a bridge that reboots
      const exit = await within(exited, 'the replay to exit', 30_000);
      assert.equal(exit.code, 5, replay.stdout() + replay.stderr());
      assert.match(replay.stdout(), /the car's link was lost .* replay ended/);
      assert.match(replay.stdout(), /the link is back and the car got the stop/);
      const after = car.connections.slice(1).flatMap((c) => c.bytes.map((b) => b.value));
      assert.ok(after.length > 0 && after.every((b) => b === STOP), `after the outage: ${car.describe()}`);
    });

  it('a replay that stalls (SIGSTOP for a second): on waking it stops the car and ends, exit 5', async (t) => {
    const { car, replay, exited } = await replaying(t, heldStick(t, 20_000));
    replay.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 1000)); // the stall itself: a second of wall time the replay misses
    const woke = performance.now();
    replay.kill('SIGCONT');
    const stopMs = await stopLatency(car, woke, 'the stop after waking');
    const exit = await within(exited, 'the replay to exit');
    assert.ok(stopMs <= SLACK_MS, `the stop came ${stopMs.toFixed(0)} ms after waking`);
    assert.equal(exit.code, 5, replay.stdout() + replay.stderr());
    // Whichever notices first on waking: the replay's lag bound, the watchdog, or the link's own timeout
    // for the write the freeze left undelivered (then the reconnection's first byte is the stop).
    assert.match(replay.stdout(), /ms behind its timeline|watchdog|link was lost/);
    assert.ok(!car.bytes.some((b) => b.at > woke && isMoving(b.value)), `nothing moved the car after it woke: ${car.describe()}`);
    assert.equal(lastByte(car), STOP);
  });

  it('a recording that ends with the car moving (a file cut at its size limit): the replay stops it, exit 0', async (t) => {
    const { car, exited, replay } = await replaying(t, heldStick(t, 1500, [], 'file-limit'));
    const exit = await within(exited, 'the replay to exit');
    assert.equal(exit.code, 0, replay.stdout() + replay.stderr());
    assert.equal(lastByte(car), STOP, car.describe());
  });
});
