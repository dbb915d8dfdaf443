// The words the pages use for laps, races and cars (web/race-text.ts), and the map's view of the circuit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT } from '../../src/control/track/circuit.js';
import type { CarListing, RaceMessage } from '../../src/control/protocol/messages.js';
import { carHref, carState, lapTime, raceHeadline } from '../../web/race-text.js';
import { circuitExtent, viewOf } from '../../web/track-view.js';

describe('race-text', () => {
  it('says a lap time in seconds, past a minute in minutes', () => {
    assert.equal(lapTime(null), '–');
    assert.equal(lapTime(9876), '9.88 s');
    assert.equal(lapTime(62_300), '1:02.3');
  });

  it('says where a race is in one line', () => {
    const race: RaceMessage = { type: 'race', phase: 'none', laps: 3, standings: [] };
    assert.equal(raceHeadline(race), 'No race yet.');
    assert.equal(raceHeadline({ ...race, note: 'called off by Ada' }), 'No race: called off by Ada.');
    assert.match(raceHeadline({ ...race, phase: 'countdown', startsInMs: 2000 }), /about to start: cars held until GO/);
    const standing = { position: 1, car: 'red', driver: 'Ada', laps: 2, lastLapMs: 9000, bestLapMs: 9000, finishMs: null, status: 'racing' as const };
    assert.equal(raceHeadline({ ...race, phase: 'running', elapsedMs: 0, standings: [standing] }, 12_340), 'Racing, 3 laps · 12.34 s · leader red (2/3)');
    const won = { ...standing, laps: 3, finishMs: 28_000, status: 'finished' as const };
    assert.equal(raceHeadline({ ...race, phase: 'finished', elapsedMs: 30_000, standings: [won] }), 'Race over (3 laps): red (Ada) won in 28.00 s.');
    assert.equal(raceHeadline({ ...race, phase: 'finished', standings: [standing], note: 'ended by c4' }), 'Race over (3 laps): nobody finished · ended by c4.');
  });

  it('says a car\'s state, and links to its page (to watch, without taking a free seat)', () => {
    const car: CarListing = {
      name: 'blue one', codec: 'iracer', link: 'serial', linkState: 'reconnecting', driver: 'c3', driverName: 'Ada', spectators: 2,
      video: { camera: 'c9', viewers: 1, limit: 4 }, colour: '#1e88e5',
    };
    assert.deepEqual(carState(car), { link: 'serial · reconnecting', seat: 'driven by Ada', watching: '2 watching', camera: 'camera on · 1/4 viewing' });
    assert.equal(carState({ ...car, driver: null, driverName: null }).seat, 'free to drive');
    assert.equal(carHref('blue one'), '/car/blue%20one');
    assert.equal(carHref('blue one', true), '/car/blue%20one?watch');
  });

  it('the map\'s view holds the whole circuit', () => {
    const view = viewOf(circuitExtent(CIRCUIT));
    for (const [x, y] of CIRCUIT.centreline) {
      assert.ok(x > view.x && x < view.x + view.span && -y > view.y && -y < view.y + view.span, `${x},${y} in view`);
    }
  });
});
