// `webracer replay` end to end, with the real CLI on both sides: a session recorded by `webracer --record`
// from a scripted driver is replayed onto another car, byte for byte and on time; a simulator session
// replays to where the car stopped; a file that cannot be trusted drives nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { replayAtOnce } from '../../src/recording/dry-run.js';
import { fromHex } from '../../src/recording/format.js';
import { parseRecording } from '../../src/recording/reader.js';
import { createCodec } from '../../src/vehicle/index.js';
import { run, start, WEBRACER } from '../cli/process.js';
import { connect } from '../control/helpers.js';
import { ByteRecorder, type ReceivedByte } from '../support/byte-recorder.js';
import { readRecordings, tempDir } from './helpers.js';
import { scriptedDrive } from './scripted.js';

/** Records one scripted session with `webracer --record DIR --link LINK`; returns the file. */
async function recordSession(t: Parameters<typeof tempDir>[0], link: string, extra: string[] = []): Promise<string> {
  const dir = tempDir(t);
  const server = start(t, [...WEBRACER, '--port', '0', '--host', '127.0.0.1', '--no-qr', '--link', link, '--record', dir,
    '--resume-window-ms', '0', ...extra]);
  const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
  const driver = await connect(t, `${url.replace('http', 'ws')}ws`);
  await scriptedDrive(driver);
  driver.ws.close();
  await server.waitFor(/seat driver=null reserved=false/); // the session is over (its file complete) before the server stops
  server.kill('SIGINT');
  assert.equal((await server.exited).code, 0);
  const [{ name }] = readRecordings(dir);
  return join(dir, name);
}

const driving = (bytes: ReceivedByte[]): ReceivedByte[] => bytes.slice(1); // after the stop a connection begins with

describe('webracer replay', { timeout: 120_000 }, () => {
  it('replays a recorded session onto another car: the same bytes, each at its recorded time on the replay\'s clock', async (t) => {
    const car1 = await ByteRecorder.start();
    t.after(() => car1.close());
    const file = await recordSession(t, car1.link);
    const { lines } = parseRecording(readFileSync(file, 'utf8'));
    const recorded = lines.filter((l) => l.kind === 'write').map((l) => ({ t: l.t, bytes: [...fromHex((l as { bytes: string }).bytes)] }));

    const car2 = await ByteRecorder.start();
    t.after(() => car2.close());
    const replay = await run(t, [...WEBRACER, 'replay', file, '--link', car2.link]);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);

    const expected = recorded.flatMap((w) => w.bytes);
    const first = driving(car1.bytes).map((b) => b.value);
    assert.deepEqual(first.slice(0, expected.length), expected, 'the file has every byte the first car got');
    assert.ok(first.slice(expected.length).every((b) => b === 0), 'after the session, only the server\'s stop at its shutdown');
    assert.deepEqual(driving(car2.bytes).map((b) => b.value), expected, `the second car got the same: ${car2.describe()}`);
    assert.ok(expected.includes(0x00) && new Set(expected).size >= 5, `a varied session: ${expected.map((b) => b.toString(16))}`);

    // On time, on the replay's own clock (the same engine on a virtual clock: --dry-run's timeline, in
    // recorded time). Live, a byte left a moment after what caused it arrived (a demand, or the watchdog or
    // a hold ending), however long the server took; the replay writes it at that cause's recorded time.
    const dry = await replayAtOnce(parseRecording(readFileSync(file, 'utf8')), { codec: createCodec('iracer') });
    const planned = dry.timeline.flatMap((e) => (e.kind === 'write' ? [...e.bytes].map((b) => ({ t: e.t, b })) : []));
    assert.deepEqual(planned.map((p) => p.b), expected, 'the dry run writes the recorded bytes');
    const causes = lines.filter((l) => l.kind === 'demand' || l.kind === 'watchdog' || l.kind === 'hold-expired').map((l) => l.t);
    const recordedAt = recorded.flatMap((w) => w.bytes.map(() => w.t));
    const late = planned.filter((p, i) => !causes.some((c) => Math.abs(p.t - c) < 0.002 && c <= recordedAt[i] + 0.002));
    assert.deepEqual(late, [], `bytes not at their cause's recorded time; causes at ${causes.join(' ')}`);

    // How late the live replay's bytes reached the second car is the machine's to decide (a busy machine
    // wakes timers late), so it is reported, not asserted. The two timelines are aligned by the median
    // difference (not by the first byte, which a busy machine may have delayed alone).
    const diffs = driving(car2.bytes).map((b, i) => b.at - recordedAt[i]);
    const shift = [...diffs].sort((a, b) => a - b)[Math.floor(diffs.length / 2)];
    const errors = diffs.map((d) => Math.abs(d - shift)).sort((a, b) => a - b);
    t.diagnostic(`live byte time errors (ms): median ${errors[Math.floor(errors.length / 2)].toFixed(2)}, max ${errors.at(-1)!.toFixed(2)}`);
  });

  // The dry run ends on the recorded spot only if the file has the times the car's link took its bytes
  // (a busy machine used to put them late by up to 10 ms: a simulator step off in about one run of three;
  // test/recording/recorded-times.test.ts holds it without a busy machine).
  it('a simulator session replays to where the car stopped, on a virtual clock (--dry-run) and live', async (t) => {
    const file = await recordSession(t, 'sim');
    const { end } = parseRecording(readFileSync(file, 'utf8'));
    assert.ok(end.pose !== null && Math.hypot(end.pose.x, end.pose.y) > 0.1, `the car went somewhere: ${JSON.stringify(end.pose)}`);
    const pose = (out: string, pattern: RegExp): { x: number; y: number; heading: number } => {
      const m = pattern.exec(out);
      assert.ok(m, out);
      return { x: Number(m[1]), y: Number(m[2]), heading: Number(m[3]) };
    };
    const near = (p: { x: number; y: number; heading: number }, what: string): void => {
      const cm = Math.hypot(p.x - end.pose!.x, p.y - end.pose!.y) * 100;
      const deg = Math.abs(((p.heading - (end.pose!.heading * 180) / Math.PI + 540) % 360) - 180);
      assert.ok(cm <= 1 && deg <= 1, `${what}: ${cm.toFixed(2)} cm and ${deg.toFixed(2)}° from the recorded end`);
    };
    const dry = await run(t, [...WEBRACER, 'replay', file, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    near(pose(dry.stdout, /ends at x (-?[\d.]+) m, y (-?[\d.]+) m, heading (-?[\d.]+)°/), 'the dry run');
    // Live, the timers are the machine's: on a quiet machine each byte is within a millisecond or two and the
    // car ends on the same simulator step; a wake-up late across a step boundary moves it by that step
    // (7.5 cm at full speed), so how close it ends is reported, not asserted.
    const live = await run(t, [...WEBRACER, 'replay', file]);
    assert.equal(live.code, 0, live.stderr);
    const p = pose(live.stdout, /stopped at x (-?[\d.]+) m, y (-?[\d.]+) m, heading (-?[\d.]+)°/);
    t.diagnostic(`live replay ended ${(Math.hypot(p.x - end.pose.x, p.y - end.pose.y) * 100).toFixed(2)} cm from the recorded end`);
  });

  it('a car recorded with --charmap: replayed only with the same characters, never with the common ones', async (t) => {
    // A clone whose app reads lower case for driving and '#' for stop: the common rc-app letters mean
    // nothing to it, and its stop is not 'S'.
    const charmap = join(tempDir(t), 'clone.json');
    writeFileSync(charmap, JSON.stringify({
      forward: 'f', backward: 'b', left: 'l', right: 'r', 'forward-left': 'g', 'forward-right': 'i',
      'backward-left': 'h', 'backward-right': 'j', stop: '#',
    }));
    const car1 = await ByteRecorder.start();
    t.after(() => car1.close());
    const file = await recordSession(t, car1.link, ['--codec', 'rc-app', '--charmap', charmap]);
    const recorded = parseRecording(readFileSync(file, 'utf8')).lines.flatMap((l) => (l.kind === 'write' ? [...fromHex(l.bytes)] : []));
    assert.ok(recorded.includes(0x23) && recorded.includes(0x69), `the clone's stop and forward-right: ${recorded.map((b) => b.toString(16))}`);

    const car2 = await ByteRecorder.start();
    t.after(() => car2.close());
    const refused = await run(t, [...WEBRACER, 'replay', file, '--link', car2.link]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /was sent .*0x23 '#'.* which the rc-app codec here neither sends for the same session nor knows: the car was recorded with a --charmap; give the replay the same one; nothing was driven/);
    assert.equal(car2.connections.length, 0, 'without the charmap, nothing connected to the car');

    const replay = await run(t, [...WEBRACER, 'replay', file, '--link', car2.link, '--charmap', charmap]);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.deepEqual(driving(car2.bytes).map((b) => b.value), recorded, `with it, the recorded bytes: ${car2.describe()}`);
    assert.equal(car2.bytes[0].value, 0x23, 'and the stop a connection begins with is the clone\'s');
  });

  it('a corrupt or too-new file: the line at fault, exit 1, and no car is even connected', async (t) => {
    const car = await ByteRecorder.start();
    t.after(() => car.close());
    const dir = tempDir(t);
    const good = readFileSync(new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url), 'utf8');
    const lines = good.split('\n');
    const cases: Array<[string, string, RegExp]> = [
      ['corrupt', [...lines.slice(0, 5), '{"t":12,"kind":"demand","client":"c1","demand":{"kind":"analog","x":7,"y":0}}', ...lines.slice(5)].join('\n'),
        /line 6: a demand line has an invalid demand: demand\.x must be a number in \[-1, 1\]/],
      ['newer', good.replace('"version":1', '"version":99'), /line 1: this recording is format version 99, newer than this webracer reads \(up to 2\)/],
    ];
    for (const [name, text, pattern] of cases) {
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(file, text);
      const replay = await run(t, [...WEBRACER, 'replay', file, '--link', car.link]);
      assert.equal(replay.code, 1, `${name}: ${replay.stdout}${replay.stderr}`);
      assert.match(replay.stderr, pattern, name);
      assert.match(replay.stderr, /nothing was driven/);
    }
    assert.equal(car.connections.length, 0, 'nothing ever connected to the car');
  });
});
