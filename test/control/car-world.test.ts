// One car's world and its seating, unit-tested on fake peers and fake time (fake-world.ts): seating,
// driving, stopping, the watchdog's disarm, an idle driver's takeover and the resume window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld } from './fake-world.js';

const STOP = 0; // the iracer codec's stop byte

describe('CarWorld (fake peers, fake time)', () => {
  it('the first client takes the seat, the second watches; both are welcomed with their role', async (t) => {
    const { join } = await fakeWorld(t);
    const a = join('a');
    const b = join('b');
    assert.equal(a.last('welcome').role, 'driver');
    assert.equal(b.last('welcome').role, 'spectator');
    assert.equal(b.last('state').driver, 'a', 'everyone hears who drives');
  });

  it('the driver drives once its stick was centred; a spectator may stop it; a spectator may not drive', async (t) => {
    const { join, car, writes } = await fakeWorld(t);
    const driver = join('a');
    const spectator = join('b');
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(car.state.direction, 'stop', 'a new driver shows neutral first');
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(car.state.direction, 'forward');
    assert.notEqual(writes.at(-1), STOP);
    spectator.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(spectator.last('error').code, 'not_driver');
    spectator.say({ type: 'stop' });
    assert.equal(car.state.direction, 'stop');
    assert.equal(writes.at(-1), STOP, 'the stop is on the link');
  });

  it('the watchdog stops a car whose driver went quiet, and the driver must centre its stick again', async (t) => {
    const { join, car, writes, tick } = await fakeWorld(t, { watchdogMs: 500 });
    const driver = join('a');
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    tick(499);
    assert.equal(car.state.direction, 'forward', 'not before the watchdog\'s time');
    tick(1);
    assert.equal(car.state.direction, 'stop');
    assert.equal(writes.at(-1), STOP);
    assert.equal(driver.last('notice').code, 'watchdog');
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(car.state.direction, 'stop', 'a stick held since before the stop does not move the car');
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    assert.equal(car.state.direction, 'forward');
  });

  it('the driver leaving stops the car at once', async (t) => {
    const { join, car, writes } = await fakeWorld(t);
    const driver = join('a');
    const spectator = join('b');
    driver.say({ type: 'drive', x: 0, y: 0 });
    driver.say({ type: 'drive', x: 0, y: 1 });
    driver.end(1001);
    assert.equal(car.state.direction, 'stop');
    assert.equal(writes.at(-1), STOP);
    assert.equal(spectator.last('state').direction, 'stop');
  });
});

describe('Seating (through its car world, fake time)', () => {
  it('a claim takes the seat only once the driver has been idle for idleTakeoverMs', async (t) => {
    const { join, tick } = await fakeWorld(t, { idleTakeoverMs: 1000, watchdogMs: 60_000 });
    const driver = join('a');
    const other = join('b');
    driver.say({ type: 'drive', x: 0, y: 0 });
    tick(999);
    other.say({ type: 'claim' });
    assert.equal(other.last('error').code, 'seat_taken');
    tick(1);
    other.say({ type: 'claim' });
    assert.equal(other.last('role').role, 'driver');
    assert.equal(driver.last('role').role, 'spectator', 'the idle driver hears it lost the seat');
  });

  it('a departed driver\'s seat is held for its resume token until the window closes', async (t) => {
    const { join } = await fakeWorld(t, { resumeWindowMs: 10_000 });
    const first = join('a');
    const token = first.last('welcome').resumeToken;
    first.end(1006);
    const other = join('b');
    assert.equal(other.last('welcome').role, 'spectator', 'the seat is held, not free');
    other.say({ type: 'claim' });
    assert.equal(other.last('error').code, 'seat_taken');
    const back = join('a2');
    back.say({ type: 'resume', token });
    assert.equal(back.last('role').role, 'driver', 'within the window the token takes the seat back');
  });

  it('once the resume window has run out, the held seat goes free', async (t) => {
    const { join, tick } = await fakeWorld(t, { resumeWindowMs: 10_000 });
    const first = join('a');
    const token = first.last('welcome').resumeToken;
    first.end(1006);
    const other = join('b');
    tick(9_999);
    assert.equal(other.last('state').driver, null);
    other.say({ type: 'claim' });
    assert.equal(other.last('error').code, 'seat_taken');
    tick(1);
    assert.equal(other.last('state').driver, 'b', 'the seat went to the page waiting for it');
    const late = join('c');
    late.say({ type: 'resume', token });
    assert.equal(late.last('error').code, 'resume_failed', 'the token no longer holds anything');
  });
});
