// Best laps across restarts (race/best-laps-file.ts, best-lap-json.ts): `best-laps.json` in --data-dir is
// input. A corrupt, oversized or hand-edited file gives a clear warning and the server starts with no best
// laps: never a crash, never a lap past its bounds. Only a server given a data folder keeps one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type LogRecord } from '../../src/control/log.js';
import { bestLapsJson, parseBestLaps } from '../../src/control/race/best-lap-json.js';
import { BEST_LAPS_FILE, BestLapsFile, MAX_FILE_BYTES } from '../../src/control/race/best-laps-file.js';
import { MAX_KEPT, type BestLap } from '../../src/control/race/best-laps.js';
import { MAX_TRACE_STEPS, stepBytes } from '../../src/control/race/lap-trace.js';
import { connect, startServer, wsUrl } from './helpers.js';
import { tempDir as folder } from '../recording/helpers.js';

const tempDir = (t: Parameters<typeof folder>[0]) => folder(t, 'webracer-names-keep-file-');

function lap(driver = 'Ada', lapMs = 9000): BestLap {
  const start = { x: 1.5, y: 2.25, heading: 0.5, speed: 0 };
  const steps = [{ t: 0, demand: { kind: 'analog' as const, x: 0, y: 1 } }, { t: 4000.5, demand: { kind: 'command' as const, name: 'stop' as const } }];
  return { car: 'car', driver, lapMs, trace: { car: 'car', start, end: { ...start, x: 3 }, durationMs: lapMs, steps, bytes: steps.reduce((n, s) => n + stepBytes(s), 0) } };
}

function recorder(): { log: ReturnType<typeof createLogger>; warnings: LogRecord[] } {
  const warnings: LogRecord[] = [];
  return { warnings, log: createLogger((r) => { if (r.level === 'warn') warnings.push(r); }, 'info') };
}

test('best laps as JSON and back: the same laps, their sizes counted afresh', () => {
  const laps = [lap('Ada'), lap('Bo', 8000)];
  const back = parseBestLaps(bestLapsJson(laps));
  assert.deepEqual(back, laps);
  const edited = JSON.parse(bestLapsJson([lap()]));
  edited.laps[0].trace.bytes = 1;
  assert.equal(parseBestLaps(JSON.stringify(edited))[0].trace.bytes, laps[0].trace.bytes, 'never the file\'s own count');
});

test('a corrupt, oversized or hand-edited file: a clear warning, no best laps, and the file left as it was', (t) => {
  const dir = tempDir(t);
  const path = join(dir, BEST_LAPS_FILE);
  const good = JSON.parse(bestLapsJson([lap()]));
  const edit = (change: (doc: typeof good) => void): string => {
    const doc = structuredClone(good);
    change(doc);
    return JSON.stringify(doc);
  };
  const cases: Array<[string, string, RegExp]> = [
    ['cut short', bestLapsJson([lap()]).slice(0, 100), /JSON/],
    ['another kind of file', '{"laps":{}}', /not a best-laps file of version 1/],
    ['a name with a line break', edit((d) => { d.laps[0].driver = 'Ada\nBo'; }), /lap 1: driver is not a name/],
    ['a stick pushed past full', edit((d) => { d.laps[0].trace.steps[0].demand.y = 5; }), /lap 1: trace\.steps\[0\]: demand\.y must be a number in \[-1, 1\]/],
    ['steps out of order', edit((d) => { d.laps[0].trace.steps[1].t = -1; }), /lap 1: trace\.steps\[1\]\.t is not a time/],
    ['a lap longer than a ghost may be', edit((d) => { d.laps[0].lapMs = 1e9; }), /lap 1: lapMs is not a time/],
    ['a pose far away', edit((d) => { d.laps[0].trace.start.x = 1e300; }), /lap 1: trace\.start and trace\.end must be poses/],
    ['too many steps', edit((d) => { d.laps[0].trace.steps = Array.from({ length: MAX_TRACE_STEPS + 1 }, () => ({ t: 0, demand: { kind: 'command', name: 'stop' } })); }), /at most 20000/],
    ['too many laps', bestLapsJson(Array.from({ length: MAX_KEPT + 1 }, (_, i) => lap(`D${i}`))), new RegExp(`more than the ${MAX_KEPT} kept`)],
  ];
  for (const [what, text, why] of cases) {
    writeFileSync(path, text);
    const { log, warnings } = recorder();
    assert.deepEqual(new BestLapsFile(path, log).load(), [], what);
    assert.equal(warnings.length, 1, what);
    assert.equal(warnings[0].event, 'best_laps_ignored');
    assert.match(warnings[0].message!, why, what);
    assert.match(warnings[0].message!, /starting with no best laps/);
  }
  truncateSync(path, MAX_FILE_BYTES + 1); // sparse: nothing is read of it
  const { log, warnings } = recorder();
  assert.deepEqual(new BestLapsFile(path, log).load(), []);
  assert.match(warnings[0].message!, /more than the \d+ best laps can take/);
  assert.deepEqual(readdirSync(dir), [BEST_LAPS_FILE], 'left as it was, nothing beside it');
});

test('a server on a data folder with a corrupt best-laps.json starts, says so, and offers no best lap', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, BEST_LAPS_FILE), '{"version":1,"laps":[{"car":');
  const lines: string[] = [];
  const server = await startServer(t, { dataDir: dir, log: (line) => lines.push(line) });
  assert.ok(lines.some((l) => /best-laps\.json is not a sound best-laps file .*: starting with no best laps/.test(l)), lines.join('\n'));
  const ada = await connect(t, wsUrl(server));
  const mark = ada.mark();
  ada.send({ type: 'name', name: 'Ada' });
  ada.send({ type: 'race-best-lap' });
  assert.equal((await ada.expect('error', () => true, mark)).code, 'no_best_lap');
});

test('a server on a data folder offers the laps of its best-laps.json; one without a folder reads none', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, BEST_LAPS_FILE), bestLapsJson([lap('Ada', 9000)]));
  for (const [dataDir, offered] of [[dir, true], [undefined, false]] as const) {
    const server = await startServer(t, { dataDir });
    const ada = await connect(t, wsUrl(server));
    const mark = ada.mark();
    ada.send({ type: 'name', name: 'Ada' });
    await ada.roundTrip();
    assert.deepEqual(ada.inbox.slice(mark).filter((m) => m.type === 'best-lap'), offered ? [{ type: 'best-lap', car: 'car', lapMs: 9000 }] : []);
    await server.close();
  }
});
