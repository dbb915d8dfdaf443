// A recording cut short: the server was killed or the power went, which is exactly when people want to
// see what happened. Such a file has no end line (and may end in half a line, or in the NUL bytes a file
// system leaves after a power cut): it replays up to its last sound line, says so, and stops the car
// there. A corrupt line anywhere before that still refuses the file. The page lists it as cut short.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseRecording } from '../../src/recording/reader.js';
import { run, start, WEBRACER } from '../cli/process.js';
import { connect, wsUrl } from '../control/helpers.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { recordingServer, tempDir } from './helpers.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
/** The fixture's lines without the end line: [header, ...lines]. */
const uncut = (): string[] => readFileSync(FIXTURE, 'utf8').split('\n').slice(0, -2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `webracer --record DIR` on the simulator, a driver holding the stick forward, and SIGKILL mid-drive. */
async function killedMidDrive(t: TestContext): Promise<string> {
  const dir = tempDir(t);
  const server = start(t, [...WEBRACER, '--port', '0', '--host', '127.0.0.1', '--no-qr', '--link', 'sim', '--record', dir]);
  const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
  const driver = await connect(t, `${url.replace('http', 'ws')}ws`);
  const path = (): string | undefined => readdirSync(dir).filter((n) => n.endsWith('.jsonl')).map((n) => join(dir, n))[0];
  // Drive until the file holds the car moving and a few of its poses (lines reach the disk every 100 ms).
  driver.arm(); // a new driver shows neutral before it pushes (rearm-gate.ts)
  for (let i = 0; ; i++) {
    driver.send({ type: 'drive', x: 0.3, y: 1 });
    await sleep(50);
    const file = path();
    if (i >= 10 && file !== undefined && (readFileSync(file, 'utf8').match(/"kind":"pose"/g) ?? []).length >= 5) break;
  }
  server.kill('SIGKILL');
  assert.equal((await server.exited).signal, 'SIGKILL');
  return path()!;
}

const lastSound = (file: string): number => {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"t":'));
  return JSON.parse(lines.at(-1)!).t as number;
};

/** Each test runs the CLI a few times: generous, for a machine shared with other test runs. */
const EACH = { timeout: 180_000 };

describe('a recording cut short', () => {
  it('a server killed mid-drive: its recording replays up to its last line, says so, and stops the car there (live and --dry-run)', EACH, async (t) => {
    const file = await killedMidDrive(t);
    assert.throws(() => parseRecording(readFileSync(file, 'utf8')), /without its end line/, 'the file has no end line');
    const endsAt = (lastSound(file) / 1000).toFixed(3);
    const warning = new RegExp(`warning: the recording stops without its end line, after line \\d+ \\(${endsAt} s\\): it was cut short `
      + '\\(the server was killed, or the power went\\)\\. Replaying up to that line, then stopping the car');

    const dry = await run(t, [...WEBRACER, 'replay', file, '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, warning);
    const writes = dry.stdout.split('\n').filter((l) => /^\s+\d+\.\d{3} s {2}[0-9a-f]{2}/.test(l));
    assert.ok(writes.some((l) => /forward/.test(l)), `the car drove: ${dry.stdout}`);
    assert.match(writes.at(-1)!, new RegExp(`^\\s+${endsAt} s {2}00 +stop$`), 'the last write is the stop, at the last sound line');

    const car = await ByteRecorder.start();
    t.after(() => car.close());
    const live = await run(t, [...WEBRACER, 'replay', file, '--link', car.link]);
    assert.equal(live.code, 0, live.stdout + live.stderr);
    assert.match(live.stdout, warning);
    assert.match(live.stdout, /done: \d+ writes; the car is stopped, where the recording was cut short\n/);
    assert.ok(car.bytes.some((b) => b.value !== 0), `the car drove: ${car.describe()}`);
    assert.equal(car.last?.value, 0x00, `and ended stopped: ${car.describe()}`);
  });

  for (const [what, tail] of [['half a line', '{"t":2030.5,"kind":"demand","client":"c1","dem'], ['NUL bytes', '\0'.repeat(4096)]] as const) {
    it(`a torn last line (${what}, cut mid-write) counts as the cut: left out, and said`, EACH, async (t) => {
      const lines = uncut();
      const file = join(tempDir(t), 'torn.jsonl');
      writeFileSync(file, `${lines.join('\n')}\n${tail}`);
      const dry = await run(t, [...WEBRACER, 'replay', file, '--dry-run']);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(dry.stdout, new RegExp(`warning: the recording stops without its end line, after line ${lines.length} \\(2\\.019 s\\), `
        + `and its line ${lines.length + 1} was cut off mid-write \\(left out\\): it was cut short`));
      assert.match(dry.stdout, /00 +stop\n\d+ writes\. The simulated car ends at/);
    });
  }

  it('a corrupt line in the middle of a recording cut short still refuses it, with the line', EACH, async (t) => {
    const lines = uncut();
    lines.splice(6, 0, '{"t":60,"kind":"demand","client":"c1","demand":{"kind":"analog","x":7,"y":0}}');
    const file = join(tempDir(t), 'corrupt.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    for (const args of [['--dry-run'], []]) {
      const replay = await run(t, [...WEBRACER, 'replay', file, ...args]);
      assert.equal(replay.code, 1, replay.stdout + replay.stderr);
      assert.match(replay.stderr, /line 7: a demand line has an invalid demand: demand\.x must be a number in \[-1, 1\], got 7; nothing was driven/);
    }
  });

  it('/api/recordings lists a session cut short as such, and one being recorded as in progress', EACH, async (t) => {
    const dir = tempDir(t);
    const name = '2026-11-29T20-50-27.329Z_car_c1.jsonl';
    writeFileSync(join(dir, name), `${uncut().join('\n')}\n{"t":2030.5,"kind":"wri`);
    // A server killed a moment after it started, and restarted at once: its file's clocks look like this
    // run's, but nothing of this run wrote it.
    const restarted = '2026-11-29T21-50-27.329Z_car_c1.jsonl';
    const [header, ...rest] = uncut();
    const clock = performance.now() - 500;
    writeFileSync(join(dir, restarted), [JSON.stringify({
      ...JSON.parse(header), started: new Date(Date.now() - 500).toISOString(), clock,
    }), ...rest].join('\n') + '\n');
    const before = new Date(performance.timeOrigin - 60_000);
    utimesSync(join(dir, restarted), before, before);
    const { server } = await recordingServer(t, {}, { dir });
    const driver = await connect(t, wsUrl(server));
    driver.arm();
    driver.send({ type: 'drive', x: 0, y: 1 });
    await driver.state({ direction: 'forward' });
    const list = async () => ((await (await fetch(`http://127.0.0.1:${server.port}/api/recordings`)).json()) as {
      recordings: Array<Record<string, unknown>>;
    }).recordings;
    // Until the session's header and first lines are on disk (its file is empty for up to 100 ms).
    const written = (all: Array<Record<string, unknown>>): boolean => all.some((r) => r.car !== null && r.name !== name && r.name !== restarted);
    let recordings = await list();
    for (let i = 0; !written(recordings) && i < 100; i++) {
      await sleep(50);
      recordings = await list();
    }
    const cut = recordings.find((r) => r.name === name)!;
    assert.equal(cut.complete, false);
    assert.equal(cut.cutShort, true);
    assert.equal(cut.inProgress, false);
    assert.equal(cut.problem, null, 'a recording cut short is not a problem: it replays');
    assert.equal(cut.durationMs, JSON.parse(uncut().at(-1)!).t, 'up to its last sound line');
    const killed = recordings.find((r) => r.name === restarted)!;
    assert.equal(killed.cutShort, true, JSON.stringify(killed));
    assert.equal(killed.inProgress, false);
    const current = recordings.find((r) => r.name !== name && r.name !== restarted)!;
    assert.equal(current.inProgress, true, JSON.stringify(current));
    assert.ok((current.writes as number) >= 1, 'the drive forward is in it');
    assert.equal(current.cutShort, false);
    assert.equal(current.problem, null);
  });
});
