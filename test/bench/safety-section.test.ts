// The safety section's arithmetic and table (bench/safety-section.ts), on made-up samples: no timing here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, safetyBody } from '../../bench/safety-section.js';

test('percentiles by nearest rank: p99 of 20 trials is the largest', () => {
  const samples = Array.from({ length: 20 }, (_, i) => 20 - i); // 20 .. 1, unsorted on purpose
  assert.equal(percentile(samples, 50), 10);
  assert.equal(percentile(samples, 99), 20);
  assert.equal(percentile([7], 50), 7);
  assert.throws(() => percentile([], 50), /no samples/);
});

test('one row per hazard; a bound missed, a hazard not measured and its reason all show', () => {
  const body = safetyBody({
    trials: 3,
    hazards: [
      { hazard: 'SIGTERM', stopper: 'the signal handler', boundMs: 100, samples: [0.5, 1.5, 0.4] },
      { hazard: 'timed command', stopper: '--max-hold-ms', boundMs: 2100, samples: [2001, 10002, 2000.5] },
      { hazard: 'uncaught exception', stopper: 'the fault handler', boundMs: 100, samples: [], error: 'no stop within 3100 ms' },
    ],
  });
  assert.match(body, /\| SIGTERM \| the signal handler \| 100 ms \| 3 \| 0\.5 ms \| 1\.5 ms \| 1\.5 ms \| yes \|/);
  assert.match(body, /\| timed command \| --max-hold-ms \| 2100 ms \| 3 \| 2001\.0 ms \| 10002\.0 ms \| 10002\.0 ms \| NO: 1 over \|/);
  assert.match(body, /\| uncaught exception \| the fault handler \| 100 ms \| 0 \| — \| — \| — \| not measured \|/);
  assert.match(body, /- uncaught exception: no stop within 3100 ms/);
});

test('a row whose stop bytes are counted says whether each trial got exactly one, and lists the counts', () => {
  const pipe = { hazard: 'a closed log pipe, then SIGTERM (to exit)', stopper: 'the signal handler', boundMs: 2000 };
  const good = safetyBody({ trials: 3, hazards: [{ ...pipe, samples: [40, 50, 60], stopBytes: [1, 1, 1] }] });
  assert.match(good, /\| 2000 ms \| 3 \| 50\.0 ms \| 60\.0 ms \| 60\.0 ms \| yes; one stop byte each \|/);
  assert.match(good, /- a closed log pipe, then SIGTERM \(to exit\): stop bytes the car got per trial, once the pipe had closed: 1, 1, 1/);
  const loop = safetyBody({ trials: 2, hazards: [{ ...pipe, samples: [40, 50], stopBytes: [1, 16000] }] });
  assert.match(loop, /\| yes; NO: 1 trial\(s\) not one stop byte \|/);
});
test('a hazard that counts drive bytes before re-centring says so, and a count over 0 fails it', () => {
  const row = (unwantedDriveBytes: number) => safetyBody({
    trials: 2,
    hazards: [{ hazard: 'a frozen page wakes', stopper: 'the page', boundMs: 100, samples: [3, 4], unwantedDriveBytes, note: 'frozen 300 ms' }],
  });
  assert.match(row(0), /\| 4\.0 ms \| yes; no drive byte before re-centring \|/);
  assert.match(row(0), /- a frozen page wakes: frozen 300 ms/);
  assert.match(row(2), /\| yes; NO: 2 drive byte\(s\) before re-centring \|/);
});

