// The server's arming rule (rearm-gate.ts) with a fake clock: after a stop the driver did not make, or
// in a new driver's hand, pushes are refused until the stick has been at neutral.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { RearmGate } from '../../src/control/car/rearm-gate.js';

function fakeSession(id: string) {
  const notices: Array<{ code: string; message: string }> = [];
  const session = { id, notice: (code: string, message: string) => notices.push({ code, message }) } as unknown as ClientSession;
  return { session, notices };
}

const push = { kind: 'analog', x: 0, y: 1 } as const;

test('a disarmed driver: pushes are dropped until the stick is centred; others are never affected', () => {
  const clock = { t: 0 };
  const gate = new RearmGate(() => clock.t);
  const driver = fakeSession('c1');
  const other = fakeSession('c2');
  gate.disarm(driver.session, 'stopped_by_other', 'c9 stopped the car', { ref: 'stop' });
  assert.deepEqual(driver.notices, [{ code: 'stopped_by_other', message: 'c9 stopped the car; centre the stick (or let go) to drive again' }]);
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.equal(driver.notices.length, 1, 'a push already on its way when the stop came gets no second notice');
  clock.t = 999;
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.equal(driver.notices.length, 1);
  clock.t = 1000;
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.equal(driver.notices.length, 2, 'a driver who keeps pushing hears why, once a second');
  assert.equal(gate.admits(other.session, push, 'drive'), true);
  assert.equal(gate.admits(driver.session, { kind: 'analog', x: 0.1, y: -0.1 }, 'drive'), true, 'in the dead zone: armed');
  assert.equal(gate.admits(driver.session, push, 'drive'), true);
});

test('the driver\'s own stop re-arms; a seed command is carried out but does not re-arm the stick', () => {
  const gate = new RearmGate(() => 0);
  const driver = fakeSession('c1');
  gate.disarm(driver.session, 'watchdog', 'the watchdog stopped the car');
  assert.equal(gate.admits(driver.session, { kind: 'command', name: 'forward', durationMs: 500 }, 'up'), true, 'a button press goes through');
  assert.equal(gate.admits(driver.session, { kind: 'raw', byte: 0x16, durationMs: 1000 }, 'raw'), true);
  assert.equal(gate.admits(driver.session, push, 'drive'), false, 'and says nothing about where the stick is');
  gate.clear();
  assert.equal(gate.admits(driver.session, push, 'drive'), true);
});

test('a new driver is disarmed quietly, and hears why at its first refused push', () => {
  const clock = { t: 5000 };
  const gate = new RearmGate(() => clock.t);
  const driver = fakeSession('c1');
  gate.disarm(driver.session, 'new_driver', 'new in the seat', { tell: false });
  assert.equal(driver.notices.length, 0, 'not told yet: it may not be pushing at all');
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.deepEqual(driver.notices.map((n) => n.code), ['new_driver']);
  assert.equal(gate.admits(driver.session, { kind: 'analog', x: 0, y: 0 }, 'drive'), true);
  assert.equal(gate.admits(driver.session, push, 'drive'), true);
});

test('every stop is told when it happens; pushes after it are reminded at most once a second', () => {
  const clock = { t: 0 };
  const gate = new RearmGate(() => clock.t);
  const driver = fakeSession('c1');
  gate.disarm(driver.session, 'link_lost', 'the car\'s link was lost');
  clock.t = 300;
  gate.disarm(driver.session, 'link_lost', 'the car\'s link is back');
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.deepEqual(driver.notices.map((n) => n.message.split(';')[0]), ['the car\'s link was lost', 'the car\'s link is back']);
  clock.t = 1299;
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.equal(driver.notices.length, 2);
  clock.t = 1300;
  assert.equal(gate.admits(driver.session, push, 'drive'), false);
  assert.deepEqual(driver.notices.map((n) => n.code), ['link_lost', 'link_lost', 'link_lost']);
});
