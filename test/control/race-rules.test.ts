// The rules of a race as plain state: who races, laps, marks, the order, and who is out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_MARK_GAP_MS, Race } from '../../src/control/race/race.js';

const label = (id: string) => (id === 'c1' ? 'Ada' : `Driver ${id.slice(1)}`);
/** A car and its driver, with the driver's name at go. */
const entrant = (car: string, driver: string) => ({ car, driver, name: label(driver) });

test('countdown, go, laps: finished cars by time, then by laps, the first to reach them ahead', () => {
  const race = new Race();
  race.countdown(2, 3000);
  assert.deepEqual(race.message(1000), { type: 'race', phase: 'countdown', laps: 2, startsInMs: 2000, standings: [] });
  race.go([entrant('red', 'c1'), entrant('blue', 'c2'), entrant('green', 'c3')], 3000);
  assert.equal(race.lap('blue', 10_000, 13_000), 'counted');
  assert.equal(race.lap('red', 10_500, 13_500), 'counted');
  assert.equal(race.lap('red', 9_000, 22_500), 'finished');
  assert.equal(race.lap('red', 9_000, 31_500), 'ignored', 'a finished car races no more');
  assert.equal(race.lap('yellow', 9_000, 31_500), 'ignored', 'nor does one that did not start');
  const standings = race.standings();
  assert.deepEqual(standings.map((s) => [s.position, s.car, s.driver, s.laps, s.status]), [
    [1, 'red', 'Ada', 2, 'finished'], [2, 'blue', 'Driver 2', 1, 'racing'], [3, 'green', 'Driver 3', 0, 'racing'],
  ]);
  assert.equal(standings[0].finishMs, 19_500, 'from go to the end of its last lap');
  assert.equal(standings[0].bestLapMs, 9_000);
  assert.equal(race.anyFinished, true);
  assert.equal(race.allDone, false);
  race.lap('blue', 9_000, 23_000);
  assert.equal(race.lap('green', 9_000, 24_000), 'counted');
  assert.deepEqual(race.standings().map((s) => s.car), ['red', 'blue', 'green'], 'blue finished second');
  race.lap('green', 9_000, 33_000);
  assert.equal(race.allDone, true);
  race.end(33_000);
  assert.deepEqual(race.message(99_000).elapsedMs, 30_000, 'the result keeps the race\'s length');
});

test('a car whose seat empties is out (not while it is held for its driver), and back if someone drives it', () => {
  const race = new Race();
  race.countdown(1, 0);
  race.go([entrant('red', 'c1'), entrant('blue', 'c2')], 0);
  assert.equal(race.seat('red', null, true, null), false, 'held for a reconnecting driver: still racing');
  assert.equal(race.isRacing('red'), true);
  assert.equal(race.seat('red', null, false, null), true);
  assert.equal(race.isRacing('red'), false);
  assert.equal(race.lap('red', 5000, 5000), 'ignored', 'an out car\'s laps do not count');
  assert.deepEqual(race.standings().map((s) => [s.car, s.status]), [['blue', 'racing'], ['red', 'out']]);
  assert.equal(race.seat('red', 'c7', false, label('c7')), true, 'a new driver goes on with the car');
  assert.deepEqual(race.standings().map((s) => [s.car, s.driver, s.status]), [['red', 'Driver 7', 'racing'], ['blue', 'Driver 2', 'racing']],
    'level on laps since go: in grid order');
  race.seat('red', null, false, null);
  race.seat('blue', null, false, null);
  assert.equal(race.allDone, true);
});

test('marshal marks: a lap from go or the last mark; a double press is refused', () => {
  const race = new Race();
  race.countdown(3, 1000);
  race.go([entrant('real', 'c1')], 1000);
  assert.equal(race.mark('real', 1000 + MIN_MARK_GAP_MS - 1), null, 'too soon after go');
  assert.equal(race.mark('real', 9000), 'counted');
  assert.equal(race.mark('real', 9500), null, 'a double press');
  assert.equal(race.mark('real', 16_000), 'counted');
  assert.deepEqual(race.standings()[0], {
    position: 1, car: 'real', driver: 'Ada', laps: 2, lastLapMs: 7000, bestLapMs: 7000, finishMs: null, status: 'racing',
  });
  assert.equal(race.mark('blue', 16_000), 'ignored');
});

test('no car with a driver at go: the race is over before it began; calling off a countdown leaves no result', () => {
  const race = new Race();
  race.countdown(1, 0);
  race.go([], 0);
  assert.equal(race.phase, 'finished');
  assert.equal(race.note, 'no car had a driver at go');
  race.countdown(1, 5000);
  race.callOff('called off by Ada');
  assert.deepEqual(race.message(0), { type: 'race', phase: 'none', laps: 1, standings: [], note: 'called off by Ada' });
});

test('the standings keep each driver\'s name from when they drove: after they left, and a new name only while racing', () => {
  const race = new Race();
  race.countdown(1, 0);
  race.go([{ car: 'red', driver: 'c1', name: 'Ada' }, { car: 'blue', driver: 'c2', name: 'Driver 1' }], 0);
  assert.equal(race.rename('c2', 'Bo'), true, 'named while racing: shown');
  assert.equal(race.rename('c9', 'Cy'), false, 'nobody in the race');
  race.seat('red', null, false, null);
  assert.deepEqual(race.standings().map((s) => [s.car, s.driver, s.status]), [['blue', 'Bo', 'racing'], ['red', 'Ada', 'out']],
    'out, and still under the name of the one who drove it');
  race.lap('blue', 5000, 5000);
  assert.equal(race.rename('c2', 'Bob'), false, 'a result stays as it was at the finish');
  assert.equal(race.standings()[0].driver, 'Bo');
});
