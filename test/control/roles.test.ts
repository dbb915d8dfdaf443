import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Roles } from '../../src/control/roles.js';

function setup(idleTakeoverMs = 15_000) {
  const clock = { t: 1_000 };
  return { clock, roles: new Roles({ idleTakeoverMs, now: () => clock.t }) };
}

test('the first client drives, later ones spectate', () => {
  const { roles } = setup();
  assert.deepEqual(roles.join('c1', true), [{ id: 'c1', role: 'driver' }]);
  assert.deepEqual(roles.join('c2', true), []);
  assert.deepEqual(roles.join('c3', true), []);
  assert.equal(roles.driver, 'c1');
  assert.equal(roles.roleOf('c2'), 'spectator');
  assert.equal(roles.spectators, 2);
});

test('when the driver leaves, the earliest spectator takes over and the car must stop', () => {
  const { roles } = setup();
  roles.join('c1', true);
  roles.join('c2', true);
  roles.join('c3', true);
  assert.deepEqual(roles.leave('c2'), { driverLeft: false, changes: [] });
  assert.deepEqual(roles.leave('c1'), { driverLeft: true, changes: [{ id: 'c3', role: 'driver' }] });
  assert.deepEqual(roles.leave('c3'), { driverLeft: true, changes: [] });
  assert.equal(roles.driver, null);
  assert.equal(roles.spectators, 0);
});

test('unauthorized clients never get the seat until they authorize', () => {
  const { roles } = setup();
  assert.deepEqual(roles.join('c1', false), []);
  assert.deepEqual(roles.join('c2', false), []);
  assert.equal(roles.driver, null);
  assert.deepEqual(roles.claim('c1'), { ok: false, code: 'unauthorized' });
  assert.deepEqual(roles.authorize('c2'), [{ id: 'c2', role: 'driver' }]);
  assert.deepEqual(roles.authorize('c1'), []); // seat taken: stays a spectator, may claim later
  assert.equal(roles.isAuthorized('c1'), true);
  assert.deepEqual(roles.leave('c2').changes, [{ id: 'c1', role: 'driver' }]);
});

test('claim: granted on an empty seat, refused while the driver is active, granted once idle', () => {
  const { clock, roles } = setup(15_000);
  roles.join('c1', true);
  roles.join('c2', true);
  assert.deepEqual(roles.claim('c2'), { ok: false, code: 'seat_taken' });
  clock.t += 10_000;
  roles.noteActivity('c1');
  clock.t += 14_999;
  assert.deepEqual(roles.claim('c2'), { ok: false, code: 'seat_taken' });
  roles.noteActivity('c2'); // a spectator's input does not count
  clock.t += 1;
  assert.deepEqual(roles.claim('c2'), {
    ok: true,
    changes: [{ id: 'c1', role: 'spectator' }, { id: 'c2', role: 'driver' }],
  });
  assert.equal(roles.driver, 'c2');
  // the new driver gets a full idle period
  assert.deepEqual(roles.claim('c1'), { ok: false, code: 'seat_taken' });
  assert.deepEqual(roles.claim('c2'), { ok: true, changes: [] });
});

test('release passes the seat to the next spectator, never back to the releaser', () => {
  const { roles } = setup();
  roles.join('c1', true);
  assert.deepEqual(roles.release('c1'), [{ id: 'c1', role: 'spectator' }]);
  assert.equal(roles.driver, null);
  assert.deepEqual(roles.claim('c1'), { ok: true, changes: [{ id: 'c1', role: 'driver' }] });
  roles.join('c2', true);
  assert.deepEqual(roles.release('c1'), [{ id: 'c1', role: 'spectator' }, { id: 'c2', role: 'driver' }]);
  assert.deepEqual(roles.release('c1'), []); // not the driver any more
});
