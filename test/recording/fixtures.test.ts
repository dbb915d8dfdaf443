// The recordings in test/fixtures/recordings/ as regression tests of the Driver and the codecs: replayed
// at once (the same Replay, Driver and simulator as a live replay, on a virtual clock), each must send
// exactly the bytes it recorded, when it recorded them, and a simulator session must end where its car
// did. Replayed with the other codec, each must send what the golden files say that car gets.
// UPDATE_GOLDEN=1 rewrites the golden files (look at the diff before committing it).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../src/recording/format.js';
import { replayAtOnce } from '../../src/recording/dry-run.js';
import { parseRecording, type Recording } from '../../src/recording/reader.js';
import { createCodec, type CodecName } from '../../src/vehicle/index.js';

const fixture = (name: string): URL => new URL(`../fixtures/recordings/${name}`, import.meta.url);
const load = (name: string): Recording => parseRecording(readFileSync(fixture(`${name}.jsonl`), 'utf8'));

function recordedWrites(recording: Recording): Array<{ t: number; hex: string }> {
  return recording.lines.flatMap((l) => (l.kind === 'write' ? [{ t: l.t, hex: l.bytes }] : []));
}

async function replayedWrites(recording: Recording, codec: CodecName): Promise<{ writes: Array<{ t: number; hex: string }>; pose: { x: number; y: number; heading: number } }> {
  const run = await replayAtOnce(recording, { codec: createCodec(codec) });
  assert.equal(run.outcome.kind, 'done');
  return { writes: run.timeline.flatMap((e) => (e.kind === 'write' ? [{ t: e.t, hex: toHex(e.bytes) }] : [])), pose: run.pose };
}

describe('recorded sessions as regression tests', () => {
  for (const name of ['sim-iracer', 'sim-rc-app']) {
    it(`${name}: the same bytes at the same times (to the millisecond), and the car ends where it did`, async () => {
      const recording = load(name);
      const { writes, pose } = await replayedWrites(recording, recording.header.codec);
      const recorded = recordedWrites(recording);
      assert.deepEqual(writes.map((w) => w.hex), recorded.map((w) => w.hex));
      writes.forEach((w, i) => assert.ok(Math.abs(w.t - recorded[i].t) < 1, `write ${i} (${w.hex}) at ${w.t} ms, recorded at ${recorded[i].t} ms`));
      const end = recording.end.pose!;
      assert.ok(Math.hypot(pose.x - end.x, pose.y - end.y) < 1e-3, `ends at ${JSON.stringify(pose)}, recorded ${JSON.stringify(end)}`);
      assert.ok(Math.abs(pose.heading - end.heading) < 1e-3);
    });
  }

  it('busy-machine (recorded under a load average of 40-60: the watchdog\'s stop left 74 ms after it): the dry run ends where the car did', async () => {
    const recording = load('busy-machine');
    const { writes, pose } = await replayedWrites(recording, 'iracer');
    assert.deepEqual(writes.map((w) => w.hex), recordedWrites(recording).map((w) => w.hex));
    const end = recording.end.pose!;
    assert.ok(Math.hypot(pose.x - end.x, pose.y - end.y) < 1e-3, `ends at ${JSON.stringify(pose)}, recorded ${JSON.stringify(end)}`);
  });

  it('tcp-outage: while the recorded link was down the car is stopped, and it drives again after, as recorded', async () => {
    const recording = load('tcp-outage');
    const { writes } = await replayedWrites(recording, 'iracer');
    const recorded = recordedWrites(recording);
    assert.deepEqual(writes.map((w) => w.hex), recorded.map((w) => w.hex), 'the same bytes in the same order');
    const lost = recording.lines.find((l) => l.kind === 'link' && l.state !== 'connected')!;
    // Live the stop came with the reconnection; replayed it comes when the link was lost (nobody knows
    // what the car did meanwhile, so a replay never lets it run on blind).
    assert.equal(writes[1].hex, '00');
    assert.ok(Math.abs(writes[1].t - lost.t) < 1, `the stop at the outage (${writes[1].t} ms), not at the reconnection (${recorded[1].t} ms)`);
    for (const i of [0, 2, 3]) assert.ok(Math.abs(writes[i].t - recorded[i].t) < 1);
  });

  for (const [name, other] of [['sim-iracer', 'rc-app'], ['sim-rc-app', 'iracer']] as const) {
    it(`${name} onto a car that speaks ${other}: what the golden file says`, async () => {
      const { writes } = await replayedWrites(load(name), other);
      const text = writes.map((w) => `${w.t.toFixed(3)} ${w.hex} ${JSON.stringify(Buffer.from(fromHex(w.hex)).toString('latin1'))}`).join('\n') + '\n';
      const golden = fixture(`${name}.as-${other}.txt`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
      assert.equal(text, readFileSync(golden, 'utf8'));
    });
  }
});
