// A best lap's script (src/control/race/best-lap-script.ts) on a virtual clock whose times are a server's:
// fractions of a millisecond some seconds after the process started (performance.now()), as a ghost's own
// time is. Its steps are at fractional times too (differences of such stamps: lap-trace.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestLapScript } from '../../src/control/race/best-lap-script.js';
import type { TraceStep } from '../../src/control/race/lap-trace.js';
import { createCodec, Driver, SimLink, VirtualClock, type Clock, type Demand } from '../../src/vehicle/index.js';

/** A server's clock some minutes in: what performance.now() reads there. */
const SERVER_START = 48_213.704_918_3;
const LIMITS = { watchdogMs: 500, refreshMs: 0 };

/** The same pseudo-random fractions every run (mulberry32). */
function fractions(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 300 stick positions 20-60 ms apart at fractional times, as a driver's lap gives them. */
function steps(): TraceStep[] {
  const next = fractions(20);
  const out: TraceStep[] = [];
  for (let i = 0, t = 0; i < 300; i++, t += 20 + 40 * next()) {
    out.push({ t, demand: { kind: 'analog', x: next() * 2 - 1, y: 0.5 + next() / 2 } });
  }
  return out;
}

/**
 * The clock as the script sees it: each of its timers counted. One set again at the very time it fired,
 * 1000 times over, is a timer re-arming itself for ever (time does not move while it does): thrown.
 */
function counted(clock: VirtualClock): { clock: Clock; timers: () => number } {
  let timers = 0;
  let sameInstant = 0;
  let lastAt = NaN;
  return {
    timers: () => timers,
    clock: {
      now: () => clock.now(),
      setTimeout(fn, ms) {
        timers++;
        sameInstant = clock.now() === lastAt ? sameInstant + 1 : 0;
        lastAt = clock.now();
        if (sameInstant >= 1000) throw new Error(`the script set its timer 1000 times at ${clock.now()} and time did not move`);
        return clock.setTimeout(fn, ms);
      },
      setInterval: (fn, ms) => clock.setInterval(fn, ms),
      clearTimeout: (timer) => clock.clearTimeout(timer),
    },
  };
}

test('a best lap\'s ghost on a server\'s fractional times hands each step to its Driver once, at its time, and ends: its timer used to re-arm itself at one instant for ever (a wait below the clock\'s precision), the spin of the paced clock\'s wake', async () => {
  const clock = new VirtualClock(SERVER_START);
  const link = new SimLink({ clock });
  const driver = new Driver({ link, codec: createCodec('iracer'), ...LIMITS, clock });
  await driver.start();
  const trace = steps();
  const durationMs = trace.at(-1)!.t + 123.456_789;
  const lap = {
    car: 'red', driver: 'Ada', lapMs: durationMs,
    trace: { car: 'red', start: { x: 0, y: 0, heading: 0, speed: 0 }, end: { x: 0, y: 0, heading: 0, speed: 0 }, durationMs, steps: trace, bytes: 0 },
  };
  const script = bestLapScript(lap, { codec: 'iracer', limits: LIMITS });
  const driven: Array<{ at: number; demand: Demand }> = [];
  const drive = driver.drive.bind(driver);
  driver.drive = (demand) => {
    driven.push({ at: clock.now() - SERVER_START, demand });
    return drive(demand);
  };
  const scriptClock = counted(clock);
  const run = script.play(driver, scriptClock.clock);

  clock.runUntil(SERVER_START + durationMs + 1000);
  assert.equal(await run.done, 'done');
  assert.equal(driven.length, trace.length, 'each step once');
  driven.forEach((d, i) => {
    assert.deepEqual(d.demand, trace[i].demand, `step ${i} in order`);
    assert.ok(d.at >= trace[i].t - 1e-6 && d.at - trace[i].t < 1e-6, `step ${i} at ${d.at}, due at ${trace[i].t}`);
  });
  assert.ok(scriptClock.timers() <= 2 * trace.length + 2, `a timer a step, and at most one more for a rounding: ${scriptClock.timers()}`);
  assert.equal(driver.state.direction, 'stop', 'the lap\'s end stops the ghost\'s car');
});
