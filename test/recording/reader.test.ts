// The reader refuses a file it cannot trust as a whole, naming the line, before anything uses it.
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORMAT, FORMAT_VERSION } from '../../src/recording/format.js';
import { durationOf, parseRecording, readRecordingFile, RecordingError, scanRecording } from '../../src/recording/reader.js';
import { tempDir } from './helpers.js';

const HEADER = {
  format: FORMAT, version: FORMAT_VERSION, car: 'car', codec: 'iracer', link: 'sim', server: 'webracer 0.1.0',
  started: '2026-11-29T20:06:23.123Z', clock: 1234.5, session: 's', part: 1, driver: 'c1',
  limits: { watchdogMs: 500, maxHoldMs: 2000, refreshMs: 0 }, linkState: 'connected', pose: { x: 0, y: 0, heading: 0, speed: 0 },
};
const BODY = [
  { t: 0, kind: 'seat', driver: 'c1', reserved: false },
  { t: 10.5, kind: 'message', client: 'c1', message: { type: 'drive', x: 0, y: 1 } },
  { t: 10.5, kind: 'demand', client: 'c1', demand: { kind: 'analog', x: 0, y: 1 } },
  { t: 10.6, kind: 'write', bytes: '1f' },
  { t: 60, kind: 'pose', pose: { x: 0, y: 0.075, heading: 0, speed: 1.5 } },
  { t: 511, kind: 'watchdog' },
  { t: 511, kind: 'write', bytes: '00' },
  { t: 700, kind: 'end', reason: 'seat', pose: { x: 0, y: 0.75, heading: 0, speed: 0 }, droppedPoses: 0, lost: 0 },
];
const file = (lines: unknown[]): string => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
const GOOD = file([HEADER, ...BODY]);

function refuses(text: string, line: number, pattern: RegExp): void {
  assert.throws(() => parseRecording(text), (err: unknown) => {
    assert.ok(err instanceof RecordingError, String(err));
    assert.equal(err.line, line, err.message);
    assert.match(err.message, pattern);
    assert.ok(err.message.startsWith(`line ${line}: `), err.message);
    return true;
  });
}

describe('reader', () => {
  it('reads a sound file: the header, every line in order, the end', () => {
    const recording = parseRecording(GOOD);
    assert.equal(recording.header.car, 'car');
    assert.equal(recording.lines.length, BODY.length);
    assert.equal(recording.end.reason, 'seat');
  });

  it('a newer format version is refused with the versions and what to do', () => {
    refuses(file([{ ...HEADER, version: FORMAT_VERSION + 1 }, ...BODY]), 1,
      new RegExp(`format version ${FORMAT_VERSION + 1}, newer than this webracer reads \\(up to ${FORMAT_VERSION}\\): upgrade webracer`));
  });

  it('truncated: a last line cut off mid-way, or no end line at all', () => {
    refuses(GOOD.slice(0, -20), BODY.length + 1, /cut off: the file was truncated/);
    refuses(file([HEADER, ...BODY.slice(0, -1)]), BODY.length + 1, /without its end line/);
  });

  it('corrupt: bad JSON, a line that is not an object, an unknown kind, a bad field, time going back', () => {
    refuses(file([HEADER, BODY[0], '{"t":5,"kind":"demand"', ...BODY.slice(1)]), 3, /not JSON/);
    refuses(file([HEADER, BODY[0], '[1,2]', ...BODY.slice(1)]), 3, /not a JSON object/);
    refuses(file([HEADER, BODY[0], { t: 1, kind: 'teleport' }, ...BODY.slice(1)]), 3, /unknown kind of line "teleport"/);
    refuses(file([HEADER, BODY[0], { t: 1, kind: 'demand', client: 'c1', demand: { kind: 'analog', x: 2, y: 0 } }, ...BODY.slice(1)]),
      3, /demand line has an invalid demand: demand\.x must be a number in \[-1, 1\]/);
    refuses(file([HEADER, BODY[0], { t: 1, kind: 'write', bytes: 'zz' }, ...BODY.slice(1)]), 3, /write line has no valid bytes/);
    refuses(file([HEADER, ...BODY.slice(0, 3), { t: 1, kind: 'watchdog' }, ...BODY.slice(3)]), 5, /goes back in time/);
    refuses(file([HEADER, ...BODY, { t: 800, kind: 'watchdog' }]), BODY.length + 2, /after the end line/);
    refuses(file([HEADER, BODY[0], '', ...BODY.slice(1)]), 3, /an empty line/);
  });

  it('version 2: a race\'s hold, grid slot and go are read; in a version 1 file (older than those lines) they are refused', () => {
    const race = [
      { t: 100, kind: 'hold', reason: 'a race is about to start: drive at go' },
      { t: 100.2, kind: 'place', pose: { x: 0.5, y: -0.25, heading: 0, speed: 0 } },
      { t: 300, kind: 'release' },
    ];
    const body = [...BODY.slice(0, 5), ...race, ...BODY.slice(5).map((l) => ({ ...l, t: l.t + 300 }))];
    const recording = parseRecording(file([{ ...HEADER, version: 2 }, ...body]));
    assert.deepEqual(recording.lines.filter((l) => ['hold', 'place', 'release'].includes(l.kind)), race);
    refuses(file([{ ...HEADER, version: 1 }, ...body]), 7, /a hold line is in a version 1 file; that kind came with version 2/);
    refuses(file([{ ...HEADER, version: 2 }, BODY[0], { t: 1, kind: 'place', pose: { x: 'far' } }, ...BODY.slice(1)]), 3, /place line has an invalid pose/);
    refuses(file([{ ...HEADER, version: 2 }, BODY[0], { t: 1, kind: 'hold', reason: 'x\u001b[2J' }, ...BODY.slice(1)]), 3, /hold line has no valid reason/);
  });

  it('not a recording at all: empty, someone else\'s JSON, a header missing its fields', () => {
    refuses('', 1, /empty: not a webracer recording/);
    refuses(file([{ hello: 'world' }]), 1, /not a webracer recording/);
    refuses(file([{ ...HEADER, codec: 'morse' }, ...BODY]), 1, /unknown codec "morse"/);
    refuses(file([{ ...HEADER, limits: { watchdogMs: 0, maxHoldMs: 2000 } }, ...BODY]), 1, /the header.s limits\.watchdogMs is 0, which no server runs with/);
  });

  it('scanning a file streams it and reports the problem instead of throwing; a file cut short is not a problem', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'x.jsonl');
    writeFileSync(path, GOOD);
    const seen: string[] = [];
    const good = await scanRecording(path, (l) => seen.push(l.kind));
    assert.equal(good.problem, null);
    assert.equal(good.cut, null);
    assert.equal(seen.length, BODY.length);
    writeFileSync(path, GOOD.slice(0, -20));
    const cut = await scanRecording(path, () => {});
    assert.equal(cut.problem, null);
    assert.deepEqual(cut.cut, { line: BODY.length, t: BODY.at(-2)!.t, torn: true });
    assert.equal(cut.header?.car, 'car');
    writeFileSync(path, file([HEADER, BODY[0], '{"t":5,"kind":"demand"', ...BODY.slice(1, -1)]));
    const corrupt = await scanRecording(path, () => {});
    assert.equal(corrupt.problem?.line, 3);
    assert.equal(corrupt.cut, null);
  });

  it('scanning for the page: a line over 1 MiB is reported at its line, never held', async (t) => {
    const path = join(tempDir(t), 'x.jsonl');
    const fd = openSync(path, 'w');
    const head = file([HEADER, BODY[0]]);
    writeSync(fd, head, 0);
    writeSync(fd, `\n${file(BODY.slice(1))}`, 64 << 20); // line 3: 64 MiB of a hole, read as NUL bytes
    closeSync(fd);
    const before = process.memoryUsage();
    const scan = await scanRecording(path, () => {});
    const after = process.memoryUsage();
    assert.match(scan.problem?.message ?? '', /^line 3: the line is longer than 1 MiB/);
    const grew = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1024 / 1024;
    assert.ok(grew < 16, `reading it took ${grew.toFixed(1)} MiB more`);
  });

  it('reading a file for a replay: a recording cut short is read up to its last sound line, a torn last line left out', async (t) => {
    const path = join(tempDir(t), 'x.jsonl');
    const whole = file([HEADER, ...BODY.slice(0, -1)]);
    for (const [text, torn] of [[whole, false], [`${whole}{"t":800,"kind":"wri`, true], [`${whole}${'\0'.repeat(9000)}`, true]] as const) {
      writeFileSync(path, text);
      const { recording, cut } = await readRecordingFile(path);
      assert.deepEqual(cut, { line: BODY.length, t: 511, torn });
      assert.equal(recording.end, null);
      assert.equal(recording.lines.length, BODY.length - 1);
      assert.equal(durationOf(recording), 511);
    }
    writeFileSync(path, GOOD);
    const { recording, cut } = await readRecordingFile(path);
    assert.equal(cut, null);
    assert.equal(recording.end?.reason, 'seat');
    assert.equal(durationOf(recording), 700);
    // Nothing may follow the end line, not even half a line.
    writeFileSync(path, `${GOOD}{"t":800,"ki`);
    await assert.rejects(readRecordingFile(path), /line 10: a line after the end line/);
    writeFileSync(path, '{"format":"webracer-rec');
    await assert.rejects(readRecordingFile(path), /line 1: the line is cut off: the file was truncated/);
  });
});
