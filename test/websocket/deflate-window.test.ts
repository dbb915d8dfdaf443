import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SlidingWindow } from '../../src/websocket/deflate-window.js';

test('property: the window is always the last `size` bytes of everything pushed', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 8, max: 12 }),
      fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 12 }),
      (bits, pushes) => {
        const size = 1 << bits;
        const w = new SlidingWindow(size);
        let all = Buffer.alloc(0);
        for (const p of pushes) {
          w.push(p);
          all = Buffer.concat([all, p]);
          const expected = all.subarray(Math.max(0, all.length - size));
          assert.deepEqual(w.view() ?? Buffer.alloc(0), expected);
          assert.ok(w.capacity <= size);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('capacity grows in powers of two from 1 KiB up to the window size, and clear frees it', () => {
  const w = new SlidingWindow(1 << 15);
  assert.equal(w.view(), undefined);
  w.push(new Uint8Array(100));
  assert.equal(w.capacity, 1024);
  w.push(new Uint8Array(3000));
  assert.equal(w.capacity, 4096);
  w.push(new Uint8Array(40000));
  assert.equal(w.capacity, 32768);
  assert.equal(w.view()?.length, 32768);
  w.clear();
  assert.equal(w.capacity, 0);
  assert.equal(w.view(), undefined);
});
