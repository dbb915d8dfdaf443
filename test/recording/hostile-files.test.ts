// A replay file is input from anyone (a download, a mail attachment, a bug report), and a replay drives a
// car: a file no webracer server could have written must drive nothing, say why with its line, and cost
// no more memory or time than a sound file of its size. Each file is generated here; the replay is the
// real CLI, live onto a TCP byte recorder (which must see no connection at all), and as a dry run where
// one once hung. The children run with a small heap: a reader that held a huge line would fail fast.
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { FORMAT, FORMAT_VERSION } from '../../src/recording/format.js';
import { run, WAIT_MS, type Exit } from '../cli/process.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { tempDir } from './helpers.js';

/** The CLI from source with a bounded heap: a sound replay of a small file needs under 32 MiB. */
const REPLAY = [process.execPath, '--max-old-space-size=96', '--import', 'tsx', 'src/cli/main.ts', 'replay'];

const HEADER = {
  format: FORMAT, version: FORMAT_VERSION, car: 'car', codec: 'iracer', link: 'tcp', server: 'webracer test',
  started: '2026-11-29T12:00:00.000Z', clock: 0, session: 's', part: 1, driver: 'c1',
  limits: { watchdogMs: 500, maxHoldMs: 2000, refreshMs: 0 }, linkState: 'connected', pose: null,
};
const SEAT = { t: 0, kind: 'seat', driver: 'c1', reserved: false };
const forward = (t: number): object => ({ t, kind: 'demand', client: 'c1', demand: { kind: 'analog', x: 0, y: 1 } });
const end = (t: number): object => ({ t, kind: 'end', reason: 'seat', pose: null, droppedPoses: 0, lost: 0 });
const text = (lines: Array<object | string>): string => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

function write(t: TestContext, contents: string | Buffer): string {
  const file = join(tempDir(t, 'webracer-hostile-'), 'hostile.jsonl');
  writeFileSync(file, contents);
  return file;
}

/** A file of `size` bytes that is mostly a hole (no disk used): `head`, then NUL bytes, then `tail`. */
function sparse(t: TestContext, head: string, size: number, tail: string): string {
  const file = join(tempDir(t, 'webracer-hostile-'), 'sparse.jsonl');
  const fd = openSync(file, 'w');
  writeSync(fd, head, 0);
  writeSync(fd, tail, size - Buffer.byteLength(tail));
  closeSync(fd);
  return file;
}

/**
 * The replay live onto a byte recorder (and, `dryRun`, as a dry run too: the same reading and checks, so
 * only where a dry run once failed apart): it refuses with `why`, and no car is connected.
 */
async function refused(t: TestContext, file: string, why: RegExp, dryRun = false): Promise<void> {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const outcomes: Array<[string, Exit]> = [['live', await run(t, [...REPLAY, file, '--link', car.link])]];
  if (dryRun) outcomes.push(['dry run', await run(t, [...REPLAY, file, '--dry-run'])]);
  for (const [how, exit] of outcomes) {
    assert.equal(exit.code, 1, `${how}: ${exit.stdout}${exit.stderr}`);
    assert.match(exit.stderr, why, how);
    assert.match(exit.stderr, /nothing was driven\n$/, how);
    assert.doesNotMatch(exit.stderr, /heap|RangeError|TypeError|at .*\.ts:\d+/, `${how}: a message, not a stack`);
  }
  assert.equal(car.connections.length, 0, 'nothing ever connected to the car');
}

/** Each test spawns a replay or two: generous, for a machine shared with other test runs. */
const EACH = { timeout: 6 * WAIT_MS };

describe('hostile replay files', { concurrency: 2 }, () => {
  const limits: Array<[string, object, RegExp]> = [
    ['a watchdog of 2e9 ms (one demand would drive for weeks)', { watchdogMs: 2e9, maxHoldMs: 2000, refreshMs: 0 },
      /line 1: the header's limits\.watchdogMs is 2000000000, which no server runs with \(--watchdog-ms must be between 50 and 60000/],
    ['a longest hold of 1e300 ms', { watchdogMs: 500, maxHoldMs: 1e300, refreshMs: 0 },
      /line 1: the header's limits\.maxHoldMs is 1e\+300, which no server runs with \(--max-hold-ms must be/],
    ['a refresh every 0.001 ms (a write per millisecond at least, forever)', { watchdogMs: 500, maxHoldMs: 2000, refreshMs: 0.001 },
      /line 1: the header's limits\.refreshMs is 0\.001, which no server runs with \(--link-refresh-ms must be a whole number/],
    ['a speed ceiling of 99 (above the scale: no ceiling at all)', { watchdogMs: 500, maxHoldMs: 2000, refreshMs: 0, maxSpeed: 99 },
      /line 1: the header's limits\.maxSpeed is 99, which no server runs with \(--max-speed must be between 1 and 15/],
  ];
  for (const [name, value, why] of limits) {
    it(`limits no server runs with: ${name}: refused at line 1`, EACH, async (t) => {
      await refused(t, write(t, text([{ ...HEADER, limits: value }, SEAT, forward(10), end(1000)])), why);
    });
  }

  it('a timed command held longer than the recording\'s own longest hold: refused at its line', EACH, async (t) => {
    const hold = { t: 10, kind: 'demand', client: 'c1', demand: { kind: 'command', name: 'forward', durationMs: 60_000 } };
    await refused(t, write(t, text([HEADER, SEAT, hold, end(1000)])),
      /line 3: a demand line holds for 60000 ms, longer than the recording's own maxHoldMs \(2000\)/);
  });

  for (const name of ['constructor', '__proto__']) {
    it(`an accessory named ${name} (a plain object's prototype, no accessory of any codec): refused at its line`, EACH, async (t) => {
      const message = { t: 10, kind: 'message', client: 'c1', message: { type: 'accessory', name, on: true } };
      await refused(t, write(t, text([{ ...HEADER, codec: 'rc-app' }, SEAT, forward(5), message, end(1000)])),
        new RegExp(`line 4: a message line switches an accessory no codec has: "${name}" \\(known: front-lights, back-lights, horn, extra, all\\)`));
    });
  }

  it('an end time of 1e300 ms: refused at its line (no replay of it could ever end)', EACH, async (t) => {
    await refused(t, write(t, text([HEADER, SEAT, forward(10), end(1e300)])),
      /line 4: an end line has a time t of 1e\+300 ms, past the longest a recording may run \(7 days\)/, true);
  });

  it('within the limits, a file that would make the Driver write far more than it recorded: refused before anything connects', EACH, async (t) => {
    // The longest watchdog and the fastest refresh a server takes, and a stick pushed just inside the
    // watchdog: 200 lines that would have the car's link written a thousand times a second for 3 hours,
    // where a server would have recorded every one of those writes.
    const lines: object[] = [{ ...HEADER, limits: { watchdogMs: 60_000, maxHoldMs: 2000, refreshMs: 1 } }, SEAT];
    for (let i = 0; i < 200; i++) lines.push(forward(10 + i * 59_000));
    lines.push(end(200 * 59_000));
    await refused(t, write(t, text(lines)),
      /replayed, this file has the car's link written more than \d+ times, where it recorded 0 writes: a server records every write it makes, so no server wrote this file/, true);
  });

  it('a line over 1 MiB: refused at its line, without ever holding it (a 48 MiB line, with a 96 MiB heap)', EACH, async (t) => {
    const head = text([HEADER, SEAT]);
    await refused(t, sparse(t, head, 48 << 20, `\n${text([end(1000)])}`), /line 3: the line is longer than 1 MiB, which no line webracer writes is/);
  });

  it('a file over 64 MiB: refused before it is read, saying how to record replayable parts', EACH, async (t) => {
    await refused(t, sparse(t, text([HEADER, SEAT]), 600 << 20, `\n${text([end(1000)])}`),
      /the file is 600\.0 MiB, more than a replay reads \(64 MiB\): record with --record-file-mb 64 or less/);
  });

  it('a file that never ends (/dev/zero): refused once 64 MiB are read', EACH, async (t) => {
    await refused(t, '/dev/zero', /more than a replay reads \(64 MiB\)/);
  });

  it('invalid UTF-8 (a byte that would silently become U+FFFD): refused at its line', EACH, async (t) => {
    const name = Buffer.from(JSON.stringify({ t: 5, kind: 'message', client: 'c1', message: { type: 'name', name: 'Ada_' } }));
    name[name.indexOf('_')] = 0xff;
    const file = write(t, Buffer.concat([Buffer.from(text([HEADER, SEAT])), name, Buffer.from(`\n${text([forward(10), end(1000)])}`)]));
    await refused(t, file, /line 3: the line is not valid UTF-8 text \(the file is corrupt\)/);
  });

  it('a car name with terminal escape sequences (the replay prints it): refused at line 1', EACH, async (t) => {
    await refused(t, write(t, text([{ ...HEADER, car: 'car\u001b]0;owned\u0007' }, SEAT, forward(10), end(1000)])),
      /line 1: the header has a car name no server gives \("car\\u001b\]0;owned\\u0007"\)/);
  });
});
