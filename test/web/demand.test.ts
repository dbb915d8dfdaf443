// The page's pure rules, in Node: how each input becomes a demand, the raw byte field, the reconnect
// backoff and the latency median. (The browser tests exercise the same code through the real page.)

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay } from '../../web/backoff.js';
import { hex, parseByte } from '../../web/bytes.js';
import {
  MAX_STEP, expo, joystickDemand, keysDemand, speedDemand, stickDemand, wireAxis, withoutDeadZone, type Arrow,
} from '../../web/demand.js';
import { LatencyWindow } from '../../web/latency.js';
import { quantize } from '../../src/vehicle/quantize.js';

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

describe('speedDemand: one mapping from input to speed, through the server\'s own quantizer', () => {
  /** What the server does with the page's message: the wire's rounding, then the real quantizer. */
  const carGets = (fraction: { x: number; y: number }, top: number, deadZone: number) => {
    const wire = speedDemand(fraction, top, deadZone);
    return quantize(wireAxis(wire.x), wireAxis(wire.y), deadZone);
  };
  const directions = [[0, 1], [1, 1], [1, 0], [1, -1], [0, -1], [-1, -1], [-1, 0], [-1, 1]] as const;

  it('a full input (a key, a full stick) gives exactly the speed control\'s step, in all eight directions, at every setting', () => {
    for (const deadZone of [0, 0.1, 0.15, 0.3]) {
      for (let top = 1; top <= MAX_STEP; top++) {
        for (const [x, y] of directions) {
          const unit = { x: x / Math.hypot(x, y), y: y / Math.hypot(x, y) };
          const intent = carGets(unit, top, deadZone);
          assert.equal(intent.speed, top, `top ${top}, dead zone ${deadZone}, direction ${x},${y}`);
          assert.notEqual(intent.direction, 'stop');
        }
      }
    }
  });

  it('any push past the input\'s own dead zone moves the car (step 1 at least): the server\'s dead zone is never a second one', () => {
    fc.assert(fc.property(
      fc.double({ min: 1e-4, max: 1, noNaN: true }), fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
      fc.integer({ min: 1, max: MAX_STEP }), fc.constantFrom(0, 0.15, 0.25),
      (r, angle, top, deadZone) => {
        const intent = carGets({ x: r * Math.sin(angle), y: r * Math.cos(angle) }, top, deadZone);
        assert.equal(intent.speed, Math.max(1, Math.ceil(r * top - 1e-9)), `fraction ${r} of ${top}`);
      }));
  });

  it('the centre stays the centre, so arming sees an input centred exactly where the car stops', () => {
    assert.deepEqual(speedDemand({ x: 0, y: 0 }, 15, 0.15), { x: 0, y: 0 });
    assert.equal(quantize(0, 0).direction, 'stop');
  });

  it('keys at speed 1 or 2 move the car (they used to fall into the server\'s dead zone)', () => {
    for (const top of [1, 2]) assert.equal(carGets(keysDemand(new Set<Arrow>(['up']), 1)!, top, 0.15).speed, top);
  });

  it('a gamepad stick just past its dead zone moves the car at step 1 (it used to need about 28 %)', () => {
    const stick = stickDemand(0, -0.2, 0.15)!;
    assert.equal(carGets(stick, 15, 0.15).speed, 1);
  });
});

describe('expo and withoutDeadZone', () => {
  it('expo keeps the direction, the centre and the edge, and is gentler in between', () => {
    assert.deepEqual(expo({ x: 0, y: 0 }, 1), { x: 0, y: 0 });
    const full = expo({ x: 0.6, y: 0.8 }, 0.7);
    assert.ok(close(full.x, 0.6) && close(full.y, 0.8));
    const half = expo({ x: 0, y: 0.5 }, 1);
    assert.ok(close(half.y, 0.125));
    assert.deepEqual(expo({ x: 0, y: 0.5 }, 0), { x: 0, y: 0.5 });
  });
  it('withoutDeadZone is the centre inside, and starts from zero at the edge', () => {
    assert.deepEqual(withoutDeadZone({ x: 0.05, y: 0.05 }, 0.1), { x: 0, y: 0 });
    assert.ok(close(withoutDeadZone({ x: 0, y: 0.55 }, 0.1).y, 0.5));
    assert.ok(close(withoutDeadZone({ x: 0, y: -2 }, 0.1).y, -1));
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
