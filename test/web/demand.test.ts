// The page's pure rules, in Node: how each input becomes a demand, the raw byte field, the reconnect
// backoff and the latency median. (The browser tests exercise the same code through the real page.)

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay } from '../../web/backoff.js';
import { hex, parseByte } from '../../web/bytes.js';
import { joystickDemand, keysDemand, stickDemand, wireAxis, type Arrow } from '../../web/demand.js';
import { LatencyWindow } from '../../web/latency.js';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe('joystickDemand', () => {
  it('maps screen up to forward and right to right, at full travel', () => {
    assert.deepEqual(joystickDemand(0, -100, 100).vector, { x: 0, y: 1 });
    assert.deepEqual(joystickDemand(100, 0, 100).vector, { x: 1, y: -0 });
    assert.deepEqual(joystickDemand(0, 50, 100).vector, { x: 0, y: -0.5 });
  });

  it('clamps the knob to the circle, keeping the direction', () => {
    const { knob, vector } = joystickDemand(300, -400, 100);
    assert.ok(close(knob[0], 60) && close(knob[1], -80), `knob ${knob}`);
    assert.ok(close(vector.x, 0.6) && close(vector.y, 0.8));
  });

  it('never leaves the unit circle, and is the identity inside it', () => {
    fc.assert(fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), (px, py) => {
      const { knob, vector } = joystickDemand(px, py, 100);
      assert.ok(Math.hypot(vector.x, vector.y) <= 1 + 1e-9);
      if (Math.hypot(px, py) <= 100) assert.deepEqual(knob, [px, py]);
    }));
  });
});

describe('keysDemand', () => {
  const keys = (...k: Arrow[]) => new Set<Arrow>(k);
  it('is null with no key, straight with one, a unit diagonal with two', () => {
    assert.equal(keysDemand(keys(), 1), null);
    assert.deepEqual(keysDemand(keys('up'), 0.5), { x: 0, y: 0.5 });
    assert.deepEqual(keysDemand(keys('down'), 1), { x: 0, y: -1 });
    const d = keysDemand(keys('up', 'left'), 1)!;
    assert.ok(close(d.x, -Math.SQRT1_2) && close(d.y, Math.SQRT1_2));
  });
  it('holds still (but is still held) when opposite keys cancel', () => {
    assert.deepEqual(keysDemand(keys('left', 'right'), 1), { x: 0, y: 0 });
  });
});

describe('stickDemand', () => {
  it('ignores a resting stick inside the dead zone', () => {
    assert.equal(stickDemand(0.05, -0.1), null);
  });
  it('starts from zero at the dead zone edge and reaches full deflection, y flipped', () => {
    const edge = stickDemand(0, -0.15)!;
    assert.ok(close(edge.y, 0));
    assert.deepEqual(stickDemand(0, -1), { x: 0, y: 1 });
    const corner = stickDemand(1, 1)!; // a square stick's corner is clamped to full
    assert.ok(close(Math.hypot(corner.x, corner.y), 1) && corner.y < 0);
  });
});

describe('wireAxis', () => {
  it('rounds to 1/100, clamps, and never sends -0', () => {
    assert.equal(wireAxis(0.123), 0.12);
    assert.equal(wireAxis(-1.5), -1);
    assert.ok(Object.is(wireAxis(-0.001), 0));
  });
});

describe('parseByte / hex', () => {
  it('reads hex and decimal bytes', () => {
    assert.equal(parseByte('0x16'), 0x16);
    assert.equal(parseByte(' 0X6b '), 0x6b);
    assert.equal(parseByte('22'), 22);
    assert.equal(parseByte('255'), 255);
  });
  it('explains what is wrong instead of guessing', () => {
    assert.match(parseByte('256') as string, /at most 255/);
    assert.match(parseByte('0x100') as string, /hex/);
    assert.match(parseByte('-1') as string, /hex/);
    assert.match(parseByte('') as string, /hex/);
    assert.match(parseByte('1e2') as string, /hex/);
  });
  it('writes a byte as two upper-case hex digits', () => {
    assert.equal(hex(0), '0x00');
    assert.equal(hex(0x5f), '0x5F');
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, is capped, and jitters between half and all of the nominal delay', () => {
    assert.equal(backoffDelay(0, 500, 15_000, () => 0), 250);
    assert.equal(backoffDelay(0, 500, 15_000, () => 1), 500);
    assert.equal(backoffDelay(3, 500, 15_000, () => 1), 4000);
    assert.equal(backoffDelay(10, 500, 15_000, () => 1), 15_000);
    assert.equal(backoffDelay(1e6, 500, 15_000, () => 0.5), 11_250);
  });
});

describe('LatencyWindow', () => {
  it('reports the median of the recent samples, so one slow answer does not move it', () => {
    const w = new LatencyWindow(5);
    assert.equal(w.median(), null);
    for (const ms of [10, 12, 11, 500, 13]) w.add(ms);
    assert.equal(w.median(), 12);
    w.add(14); // 10 drops out of the window
    assert.equal(w.median(), 13);
    w.add(15);
    w.add(16);
    assert.equal(w.median(), 15);
    w.clear();
    assert.equal(w.median(), null);
  });
  it('averages the middle pair for an even count', () => {
    const w = new LatencyWindow();
    w.add(4);
    w.add(8);
    assert.equal(w.median(), 6);
  });
});
