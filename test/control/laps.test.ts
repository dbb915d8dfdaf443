// Lap counting on the arena's circuit: only a whole lap, driven the right way round, counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT, gridSlot } from '../../src/control/track/circuit.js';
import { LapCounter } from '../../src/control/race/laps.js';
import { crossing } from '../../src/control/track/track-geometry.js';

type P = [number, number];

/** The points of a polyline, 5 cm apart (a car at full speed moves 7.5 cm a tick). */
function densify(points: P[]): P[] {
  const out: P[] = [];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.05));
    for (let s = 0; s < steps; s++) out.push([x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps]);
  }
  out.push(points[points.length - 1]);
  return out;
}

/** One loop of the centreline, clockwise, from the top of the left straight (the start line is near its bottom). */
const LOOP: P[] = [...CIRCUIT.centreline, CIRCUIT.centreline[0]];

/** Drives the points, 50 ms apart from time `t0`; returns every lap and the time after the last point. */
function drive(counter: LapCounter, car: string, points: P[], t0 = 0) {
  const laps: Array<{ lapMs: number; at: number }> = [];
  let t = t0;
  for (const [x, y] of points) {
    const lap = counter.move(car, { x, y }, t);
    if (lap) laps.push({ lapMs: lap.lapMs, at: lap.at });
    t += 50;
  }
  return { laps, t };
}

test('the circuit: each gate is crossed once, forwards, by one loop of the centreline', () => {
  const path = densify(LOOP);
  for (const gate of [CIRCUIT.startLine, ...CIRCUIT.checkpoints]) {
    const seen = path.slice(1).map((p, i) => crossing({ x: path[i][0], y: path[i][1] }, { x: p[0], y: p[1] }, gate)).filter(Boolean);
    assert.deepEqual(seen, ['forward'], JSON.stringify(gate));
  }
  const slots = Array.from({ length: 8 }, (_, i) => gridSlot(i));
  assert.deepEqual(slots[0], { x: 0, y: 0, heading: 0, speed: 0 }, 'pole position is the origin');
  for (const slot of slots) assert.ok(slot.y > CIRCUIT.startLine.a.y, 'the first eight stand past the start line');
  assert.equal(new Set(slots.map((s) => `${s.x},${s.y}`)).size, 8, 'every car its own slot');
});

test('a lap is the line, every checkpoint in order, and the line again; its time is line to line', () => {
  const counter = new LapCounter(CIRCUIT);
  const first = drive(counter, 'red', densify([...LOOP, ...LOOP.slice(1)]));
  assert.equal(first.laps.length, 1, 'the first crossing starts the clock; the second ends lap 1');
  const { lapMs } = first.laps[0];
  const again = drive(counter, 'red', densify(LOOP).slice(1), first.t);
  assert.equal(again.laps.length, 1);
  assert.equal(again.laps[0].lapMs, lapMs, 'the same loop, the same time');
  assert.equal(drive(counter, 'blue', densify(LOOP)).laps.length, 0, 'each car its own count');
});

test('driving the track backwards never counts, however often the line is crossed', () => {
  const counter = new LapCounter(CIRCUIT);
  const backwards = [...LOOP].reverse();
  assert.equal(drive(counter, 'red', densify([...backwards, ...backwards, ...backwards])).laps.length, 0);
});

test('cutting across the infield past a checkpoint does not count; the next whole lap does', () => {
  const counter = new LapCounter(CIRCUIT);
  const upTheStraight: P[] = [[0.25, -2.6], [0.25, 0]];
  // Straight across the infield to the right straight, missing the top checkpoint, then round the bottom.
  const bottomHalf = CIRCUIT.centreline.slice(25);
  const cut: P[] = [...upTheStraight, [2.75, 0], ...bottomHalf, CIRCUIT.centreline[0], [0.25, 0]];
  assert.equal(drive(counter, 'red', densify([...cut, ...cut.slice(1)])).laps.length, 0);
  const t = drive(counter, 'red', densify(LOOP)).t; // crossing the line here starts a fresh lap ...
  assert.equal(drive(counter, 'red', densify([[0.25, -2.0], ...LOOP.slice(1)]), t).laps.length, 1, '... which counts');
});

test('backing over a checkpoint or the line undoes progress; a reset forgets where the car was', () => {
  const counter = new LapCounter(CIRCUIT);
  const path = densify([...LOOP, ...LOOP.slice(1)]);
  const half = Math.floor(path.length * 0.75); // on the second loop, past CP1
  // Over CP1 and back again: CP1 must be passed again, which it is on the way back down.
  const dither = path.slice(0, half);
  const back = [...dither].reverse().slice(0, 30);
  const laps = drive(counter, 'red', [...dither, ...back, ...back.reverse(), ...path.slice(half)]).laps;
  assert.equal(laps.length, 1, 'forwards again over the checkpoint counts it again');
  // Back over the line and forwards again: the lap in progress is void, a new one starts.
  const c2 = new LapCounter(CIRCUIT);
  const line = drive(c2, 'red', densify([[0.25, -3], [0.25, -1.5], [0.25, -2.5], [0.25, -1.5]]));
  assert.equal(line.laps.length, 0);
  // A car put on the grid from the far side of the oval does not "cross" anything on the way.
  const c3 = new LapCounter(CIRCUIT);
  c3.move('red', { x: 0.25, y: -3 }, 0);
  c3.reset('red');
  assert.equal(c3.move('red', { x: 0, y: 0 }, 50), null);
  c3.startLap('red', 100); // a race's go, on the grid past the line
  const race = drive(c3, 'red', densify([[0, 0], ...CIRCUIT.centreline.slice(1), CIRCUIT.centreline[0], [0.25, -1.5]]), 150);
  assert.equal(race.laps.length, 1, 'from go, one loop to the line is lap 1');
});
