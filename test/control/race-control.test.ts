// Race control (race/race-control.ts) on one car's world, unit-tested on fake peers and fake time
// (fake-world.ts): the countdown holds the car and lets it go at go; who may start and end a race.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { silentLogger } from '../../src/control/log.js';
import { Arena } from '../../src/control/race/arena.js';
import { DriverNames } from '../../src/control/race/driver-names.js';
import { RaceControl } from '../../src/control/race/race-control.js';
import { fakeWorld, type FakeWorld } from './fake-world.js';

const COUNTDOWN_MS = 3000;

/** A car world whose race messages go to a RaceControl, as the server's raceway wires it. */
async function racingWorld(t: TestContext): Promise<FakeWorld> {
  const car = await fakeWorld(t);
  const worlds = [car.world];
  const arena = new Arena(worlds, new Set(), () => Date.now(), { lap: () => {} }); // no simulated car: laps are marked
  const names = new DriverNames();
  const race = new RaceControl({ worlds, arena, names, now: () => Date.now(), log: silentLogger, authRequired: false, onChange: () => {}, countdownMs: COUNTDOWN_MS });
  const stop = car.world.events.listen((event) => {
    if (event.kind === 'seat') race.seat(car.world.name, event.driver, event.reserved);
  });
  car.world.takeRaces({
    race: (name, session, request) => race.handle(name, session, request),
    name: (session, name) => names.set(session.id, name),
    nameOf: (id) => names.nameOf(id),
    bestLap: () => {},
  });
  t.after(() => {
    stop();
    race.close();
    arena.close();
  });
  return car;
}

describe('RaceControl (fake peers, fake time)', () => {
  it('a start holds the car through the countdown: a moving car stops, drive is refused, and at go it drives again', async (t) => {
    const { join, car, tick } = await racingWorld(t);
    const driver = join('d');
    const spectator = join('s');
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(car.state.direction, 'forward');
    driver.say({ type: 'race-start', laps: 2 });
    assert.equal(car.state.direction, 'stop', 'the countdown stopped the car');
    assert.equal(spectator.last('race').phase, 'countdown', 'every page hears of it');
    assert.equal(spectator.last('race').startsInMs, COUNTDOWN_MS);
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(driver.last('error').code, 'held');
    assert.equal(car.state.direction, 'stop');
    tick(COUNTDOWN_MS - 1);
    assert.equal(driver.last('race').phase, 'countdown');
    tick(1);
    assert.equal(driver.last('race').phase, 'running');
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(car.state.direction, 'forward', 'released at go');
  });

  it('without a token a spectator may neither start nor end a race; the driver may, and an end in the countdown calls it off', async (t) => {
    const { join, tick } = await racingWorld(t);
    const driver = join('d');
    const spectator = join('s');
    spectator.say({ type: 'race-start', laps: 1 });
    assert.equal(spectator.last('error').code, 'not_driver');
    assert.equal(spectator.of('race').length, 0, 'no race began');
    driver.say({ type: 'race-start', laps: 1 });
    spectator.say({ type: 'race-end' });
    assert.equal(spectator.last('error').code, 'not_driver');
    assert.equal(spectator.last('race').phase, 'countdown');
    driver.say({ type: 'race-end' });
    const calledOff = spectator.last('race');
    assert.notEqual(calledOff.phase, 'countdown');
    assert.match(calledOff.note ?? '', /called off/);
    tick(COUNTDOWN_MS);
    assert.notEqual(spectator.last('race').phase, 'running', 'a called-off race never goes');
  });

  it('a started race refuses a second start; a lap mark of the running car finishes a one-lap race', async (t) => {
    const { join, tick } = await racingWorld(t);
    const driver = join('d');
    driver.say({ type: 'race-start', laps: 1 });
    driver.say({ type: 'race-start', laps: 1 });
    assert.equal(driver.last('error').code, 'race_state');
    tick(COUNTDOWN_MS);
    tick(5000);
    driver.say({ type: 'lap-mark', car: 'car' });
    assert.equal(driver.last('race').phase, 'finished');
    driver.say({ type: 'lap-mark', car: 'nope' });
    assert.equal(driver.last('error').code, 'unknown_car');
  });
});
