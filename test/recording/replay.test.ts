// The replay engine on a virtual clock: speed and --from, Ctrl+C, and a target link that drops. Every
// ending leaves the car stopped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { replayAtOnce } from '../../src/recording/dry-run.js';
import { parseRecording, type Recording } from '../../src/recording/reader.js';
import { Replay } from '../../src/recording/replay.js';
import { MAX_RECORDING_MS } from '../../src/recording/format.js';
import { createCodec, Driver, VirtualClock, type Clock } from '../../src/vehicle/index.js';
import { FakeLink } from '../vehicle/fake-link.js';

const fixture = (): Recording => parseRecording(readFileSync(new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url), 'utf8'));
const writes = async (recording: Recording, options: { speed?: number; fromMs?: number } = {}) =>
  (await replayAtOnce(recording, { codec: createCodec('iracer'), ...options })).timeline
    .flatMap((e) => (e.kind === 'write' ? [{ at: e.t, byte: e.bytes[0] }] : []));

/** The replay's own clock time for each write: what the target car sees. */
async function replayTimes(recording: Recording, speed: number): Promise<number[]> {
  const clock = new VirtualClock();
  const link = new FakeLink();
  const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: recording.header.limits.watchdogMs, clock });
  await driver.start();
  const times: number[] = [];
  driver.on('write', () => times.push(clock.now()));
  const replay = new Replay({ recording, driver, clock, speed });
  const done = replay.start();
  clock.runAll(1e7);
  assert.equal((await done).kind, 'done');
  return times;
}

describe('Replay', () => {
  it('--speed: demands and holds scale, the watchdog keeps its own time (as with a live driver that slow or fast)', async () => {
    const recording = fixture();
    const normal = await replayTimes(recording, 1);
    const slow = await replayTimes(recording, 0.5);
    assert.equal(slow.length, normal.length);
    // The drive, the hold's start and end, the raw byte and the stop come at twice their times; the
    // watchdog's stop comes 500 ms after the stick's last refresh, which now comes at twice its time.
    for (const i of [0, 1, 3, 4, 5, 6]) assert.ok(Math.abs(slow[i] - normal[i] * 2) < 1, `write ${i}: ${slow[i]} vs ${normal[i] * 2}`);
    const lastRefresh = recording.lines.filter((l) => l.kind === 'demand' && l.demand.kind === 'analog').at(-1)!.t;
    assert.ok(Math.abs(slow[2] - (lastRefresh * 2 + 500)) < 1, `the watchdog at ${slow[2]} ms`);
    // Twice as fast, the recorded 0.7 s of silence lasts 0.35 s: shorter than the watchdog, which does not fire.
    const fast = await writes(recording, { speed: 2 });
    assert.deepEqual(fast.map((w) => w.byte), [0x6f, 0x2c, 0x16, 0x00, 0x57, 0x00]);
  });

  it('a session recorded with --link-refresh-ms is replayed with the same refresh (a car that stops by itself needs it)', async () => {
    const recording = fixture();
    const plain = await writes(recording);
    recording.header.limits.refreshMs = 100;
    const refreshed = await writes(recording);
    const moving = refreshed.filter((w, i) => i > 0 && w.byte === refreshed[i - 1].byte && w.byte !== 0);
    assert.ok(moving.length >= 5, `the moving car's byte written again every 100 ms: ${refreshed.map((w) => w.byte.toString(16)).join(' ')}`);
    assert.deepEqual(refreshed.filter((w, i) => i === 0 || w.byte !== refreshed[i - 1].byte).map((w) => w.byte), plain.map((w) => w.byte));
  });

  it('a session recorded on a car with a speed ceiling is replayed with the same ceiling (limits.maxSpeed)', async () => {
    const recording = fixture();
    const plain = await writes(recording);
    recording.header.limits.maxSpeed = 8;
    const capped = await writes(recording);
    const cap = (byte: number) => (byte & 0xf0) | Math.min(byte & 0x0f, 8);
    assert.deepEqual(capped.map((w) => w.byte), plain.map((w) => (w.byte >> 4 === 0 ? w.byte : cap(w.byte))));
    assert.ok(plain.some((w) => (w.byte & 0x0f) > 8), 'the fixture drives faster than 8 somewhere');
  });

  it('--from: nothing before it is replayed, the car starts stopped, and the rest keeps its times', async () => {
    const recording = fixture();
    const all = await writes(recording);
    const from = 1000; // after the watchdog, before the seed command
    const later = await writes(recording, { fromMs: from });
    assert.deepEqual(later.map((w) => w.byte), all.filter((w) => w.at >= from).map((w) => w.byte));
    later.forEach((w, i) => assert.ok(Math.abs(w.at - all.filter((x) => x.at >= from)[i].at) < 1));
  });

  it('a wait longer than a Node timer can take (a week at speed 0.1) is taken in steps, and ends on time', async () => {
    const recording = fixture();
    const week = MAX_RECORDING_MS;
    recording.lines = recording.lines.filter((l) => l.kind !== 'end');
    recording.end = { ...recording.end, t: week };
    recording.lines.push(recording.end);
    const clock = new VirtualClock();
    const delays: number[] = [];
    const watched: Clock = {
      now: () => clock.now(),
      setTimeout: (fn, ms) => {
        delays.push(ms);
        return clock.setTimeout(fn, ms);
      },
      setInterval: (fn, ms) => clock.setInterval(fn, ms),
      clearTimeout: (timer) => clock.clearTimeout(timer),
    };
    const link = new FakeLink();
    const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: 500, clock });
    await driver.start();
    const replay = new Replay({ recording, driver, clock: watched, speed: 0.1 });
    const done = replay.start();
    clock.runAll(week * 11);
    assert.equal((await done).kind, 'done');
    assert.equal(clock.now(), replay.at(week), 'it ended when the recording did');
    assert.ok(Math.max(...delays) <= 2 ** 31 - 1, `a timer of ${Math.max(...delays)} ms would fire at once`);
  });

  it('a replay that writes far more than its recording did (no server wrote it) ends, with the car stopped', async () => {
    const recording = fixture();
    // Within every limit a server takes: a minute's watchdog, a refresh each millisecond, and a stick
    // pushed every 59 s for an hour, with no write recorded.
    recording.header.limits = { watchdogMs: 60_000, maxHoldMs: 2000, refreshMs: 1 };
    recording.lines = Array.from({ length: 61 }, (_, i) => ({ t: i * 59_000, kind: 'demand' as const, client: 'c1', demand: { kind: 'analog' as const, x: 0, y: 1 } }));
    recording.end = { ...recording.end, t: 3_600_000 };
    recording.lines.push(recording.end);
    const clock = new VirtualClock();
    const link = new FakeLink();
    const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: 60_000, refreshMs: 1, clock });
    await driver.start();
    const replay = new Replay({ recording, driver, clock });
    const done = replay.start();
    clock.runAll(4_000_000);
    const outcome = await done;
    assert.deepEqual(outcome, { kind: 'overrun', writes: 10_125, recorded: 0 }, 'one past twice its 62 steps (61 demands, the end) and 10 000');
    assert.equal(link.bytes.at(-1), 0x00, 'the car is stopped');
    assert.ok(clock.now() < 60_000, `within the first minute, not after an hour: ${clock.now()} ms`);
  });

  it('stop() (Ctrl+C) ends it at once with the car stopped; a target link that drops ends it too', async () => {
    const recording = fixture();
    for (const how of ['stop', 'link'] as const) {
      const clock = new VirtualClock();
      const link = new FakeLink();
      const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: 500, clock });
      await driver.start();
      const replay = new Replay({ recording, driver, clock });
      const done = replay.start();
      clock.runUntil(100); // driving forward-right by now
      assert.equal(link.bytes.at(-1), 0x6f);
      if (how === 'stop') replay.stop();
      else link.setState('reconnecting');
      clock.runAll(1e7);
      const outcome = await done;
      assert.equal(outcome.kind, how === 'stop' ? 'stopped' : 'link-lost');
      if (how === 'stop') assert.equal(link.bytes.at(-1), 0x00, 'stopped');
      else {
        link.setState('connected'); // the Driver's own rule: a reconnection begins with the stop
        assert.deepEqual(link.bytes.slice(-2), [0x6f, 0x00], 'nothing more was replayed after the outage');
      }
    }
  });
});
