// The server's re-arm rule after a bystander's stop, with a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientSession } from '../../src/control/client-session.js';
import { RearmGate } from '../../src/control/rearm-gate.js';

function fakeSession(id: string) {
  const notices: string[] = [];
  const session = { id, notice: (_code: string, message: string) => notices.push(message) } as unknown as ClientSession;
  return { session, notices };
}

const push = { kind: 'analog', x: 0, y: 1 } as const;

test('a disarmed driver: pushes are dropped until the stick is centred; others are never affected', () => {
  const clock = { t: 0 };
  const gate = new RearmGate(() => clock.t);
  const driver = fakeSession('c1');
  const other = fakeSession('c2');
  gate.disarm(driver.session, 'c9', 'stop');
  assert.deepEqual(driver.notices, ['c9 stopped the car; centre the stick (or let go) to drive again']);
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

test('a discrete command or the driver\'s own stop re-arms', () => {
  const gate = new RearmGate(() => 0);
  const driver = fakeSession('c1');
  gate.disarm(driver.session, 'c2', 'stop');
  assert.equal(gate.admits(driver.session, { kind: 'command', name: 'forward', durationMs: 500 }, 'up'), true);
  assert.equal(gate.admits(driver.session, push, 'drive'), true);
  gate.disarm(driver.session, 'c2', 'stop');
  gate.clear();
  assert.equal(gate.admits(driver.session, push, 'drive'), true);
});
