import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from '../../src/control/throttle.js';

test('at most one run per interval, and the last notification of a burst is never lost', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.after(() => mock.timers.reset());
  const runs: number[] = [];
  const throttle = new Throttle(50, () => runs.push(Date.now()), () => Date.now());
  throttle.notify(); // immediately
  assert.deepEqual(runs, [0]);
  for (let i = 0; i < 10; i++) {
    mock.timers.tick(4); // ten notifications within 40 ms fold into one run at 50 ms
    throttle.notify();
  }
  assert.deepEqual(runs, [0]);
  mock.timers.tick(10);
  assert.deepEqual(runs, [0, 50]);
  mock.timers.tick(100); // quiet: nothing runs by itself
  assert.deepEqual(runs, [0, 50]);
  throttle.notify(); // a notification after a quiet spell runs at once
  assert.deepEqual(runs, [0, 50, 150]);
});

test('a steady 100 Hz stream runs at 20 Hz', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.after(() => mock.timers.reset());
  let runs = 0;
  const throttle = new Throttle(50, () => runs++, () => Date.now());
  for (let i = 0; i < 100; i++) {
    throttle.notify();
    mock.timers.tick(10);
  }
  assert.ok(runs >= 19 && runs <= 21, `${runs} runs in one second`);
});

test('cancel drops a deferred run', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.after(() => mock.timers.reset());
  let runs = 0;
  const throttle = new Throttle(50, () => runs++, () => Date.now());
  throttle.notify();
  throttle.notify();
  throttle.cancel();
  mock.timers.tick(100);
  assert.equal(runs, 1);
});
