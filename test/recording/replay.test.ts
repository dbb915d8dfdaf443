// The replay engine on a virtual clock: speed and --from, Ctrl+C, and a target link that drops. Every
// ending leaves the car stopped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { replayAtOnce } from '../../src/recording/dry-run.js';
import { parseRecording, type Recording } from '../../src/recording/reader.js';
import { Replay } from '../../src/recording/replay.js';
import { createCodec, Driver, VirtualClock } from '../../src/vehicle/index.js';
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

  it('--from: nothing before it is replayed, the car starts stopped, and the rest keeps its times', async () => {
    const recording = fixture();
    const all = await writes(recording);
    const from = 1000; // after the watchdog, before the seed command
    const later = await writes(recording, { fromMs: from });
    assert.deepEqual(later.map((w) => w.byte), all.filter((w) => w.at >= from).map((w) => w.byte));
    later.forEach((w, i) => assert.ok(Math.abs(w.at - all.filter((x) => x.at >= from)[i].at) < 1));
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
