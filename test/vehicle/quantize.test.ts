import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantize, type Direction } from '../../src/vehicle/index.js';

const DEG = Math.PI / 180;
const at = (bearingDeg: number, r = 1) => quantize(r * Math.sin(bearingDeg * DEG), r * Math.cos(bearingDeg * DEG));

// Clockwise from forward: each direction owns 45 degrees centred on its bearing.
const CLOCKWISE: Direction[] = [
  'forward', 'forward-right', 'right', 'backward-right', 'backward', 'backward-left', 'left', 'forward-left',
];

describe('quantize: 9 directions', () => {
  it('maps the axes and diagonals to their directions', () => {
    assert.equal(quantize(0, 1).direction, 'forward');
    assert.equal(quantize(0, -1).direction, 'backward');
    assert.equal(quantize(1, 0).direction, 'right');
    assert.equal(quantize(-1, 0).direction, 'left');
    assert.equal(quantize(0.7, 0.7).direction, 'forward-right');
    assert.equal(quantize(-0.7, 0.7).direction, 'forward-left');
    assert.equal(quantize(0.7, -0.7).direction, 'backward-right');
    assert.equal(quantize(-0.7, -0.7).direction, 'backward-left');
  });

  it('switches sector exactly at every boundary (22.5 + 45k degrees), on both sides', () => {
    const eps = 1e-6;
    for (let k = 0; k < 8; k++) {
      const boundary = 22.5 + 45 * k;
      assert.equal(at(boundary - eps).direction, CLOCKWISE[k], `just before ${boundary}`);
      assert.equal(at(boundary + eps).direction, CLOCKWISE[(k + 1) % 8], `just after ${boundary}`);
      assert.equal(at(boundary - 22.5).direction, CLOCKWISE[k], `centre ${boundary - 22.5}`);
    }
  });
});

describe('quantize: dead zone and speed steps', () => {
  const dz = 0.15;

  it('is a stop inside the dead zone, in every direction', () => {
    for (let deg = 0; deg < 360; deg += 15) {
      assert.deepEqual(at(deg, dz - 1e-9), { direction: 'stop', speed: 0 }, `${deg}`);
      assert.deepEqual(at(deg, 0), { direction: 'stop', speed: 0 });
      assert.equal(at(deg, dz + 1e-9).speed, 1, `${deg} just outside`);
    }
  });

  it('cuts the live range into 15 equal bands: speed k below each edge, k + 1 above it', () => {
    for (let k = 1; k <= 14; k++) {
      const edge = dz + (k * (1 - dz)) / 15;
      assert.equal(quantize(0, edge - 1e-9).speed, k, `below edge ${k}`);
      assert.equal(quantize(0, edge + 1e-9).speed, k + 1, `above edge ${k}`);
    }
    assert.equal(quantize(0, 1).speed, 15);
  });

  it('clamps a square stick corner to full speed', () => {
    assert.deepEqual(quantize(1, 1), { direction: 'forward-right', speed: 15 });
    assert.deepEqual(quantize(-1, -1), { direction: 'backward-left', speed: 15 });
  });

  it('honours a custom dead zone', () => {
    assert.equal(quantize(0, 0.3, 0.35).direction, 'stop');
    assert.equal(quantize(0, 0.3, 0).speed, 5);
  });
});
