import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Seat } from '../../src/control/car/seat.js';

function setup(idleTakeoverMs = 15_000) {
  const clock = { t: 1_000 };
  return { clock, seat: new Seat({ idleTakeoverMs, now: () => clock.t }) };
}

test('the first client drives, later ones spectate', () => {
  const { seat } = setup();
  assert.deepEqual(seat.join('c1', { authorized: true }), [{ id: 'c1', role: 'driver' }]);
  assert.deepEqual(seat.join('c2', { authorized: true }), []);
  assert.deepEqual(seat.join('c3', { authorized: true }), []);
  assert.equal(seat.driver, 'c1');
  assert.equal(seat.roleOf('c2'), 'spectator');
  assert.equal(seat.spectators, 2);
});

test('when the driver leaves, the earliest spectator takes over and the car must stop', () => {
  const { seat } = setup();
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: true });
  seat.join('c3', { authorized: true });
  assert.deepEqual(seat.leave('c2'), { driverLeft: false, changes: [] });
  assert.deepEqual(seat.leave('c1'), { driverLeft: true, changes: [{ id: 'c3', role: 'driver' }] });
  assert.deepEqual(seat.leave('c3'), { driverLeft: true, changes: [] });
  assert.equal(seat.driver, null);
  assert.equal(seat.spectators, 0);
});

test('unauthorized clients never get the seat until they authorize', () => {
  const { seat } = setup();
  assert.deepEqual(seat.join('c1', { authorized: false }), []);
  assert.deepEqual(seat.join('c2', { authorized: false }), []);
  assert.equal(seat.driver, null);
  assert.deepEqual(seat.claim('c1'), { ok: false, code: 'unauthorized' });
  assert.deepEqual(seat.authorize('c2'), [{ id: 'c2', role: 'driver' }]);
  assert.deepEqual(seat.authorize('c1'), []); // seat taken: stays a spectator, may claim later
  assert.equal(seat.isAuthorized('c1'), true);
  assert.deepEqual(seat.leave('c2').changes, [{ id: 'c1', role: 'driver' }]);
});

test('claim: granted on an empty seat, refused while the driver is active, granted once idle', () => {
  const { clock, seat } = setup(15_000);
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: true });
  assert.deepEqual(seat.claim('c2'), { ok: false, code: 'seat_taken' });
  clock.t += 10_000;
  seat.noteActivity('c1');
  clock.t += 14_999;
  assert.deepEqual(seat.claim('c2'), { ok: false, code: 'seat_taken' });
  seat.noteActivity('c2'); // a spectator's input does not count
  clock.t += 1;
  assert.deepEqual(seat.claim('c2'), {
    ok: true,
    changes: [{ id: 'c1', role: 'spectator' }, { id: 'c2', role: 'driver' }],
  });
  assert.equal(seat.driver, 'c2');
  // the new driver gets a full idle period
  assert.deepEqual(seat.claim('c1'), { ok: false, code: 'seat_taken' });
  assert.deepEqual(seat.claim('c2'), { ok: true, changes: [] });
});

test('release passes the seat to the next spectator, never back to the releaser', () => {
  const { seat } = setup();
  seat.join('c1', { authorized: true });
  assert.deepEqual(seat.release('c1'), [{ id: 'c1', role: 'spectator' }]);
  assert.equal(seat.driver, null);
  assert.deepEqual(seat.claim('c1'), { ok: true, changes: [{ id: 'c1', role: 'driver' }] });
  seat.join('c2', { authorized: true });
  assert.deepEqual(seat.release('c1'), [{ id: 'c1', role: 'spectator' }, { id: 'c2', role: 'driver' }]);
  assert.deepEqual(seat.release('c1'), []); // not the driver any more
});

test('a departing driver with a resume key keeps the seat reserved: nobody takes it, not even by claim', () => {
  const { seat } = setup();
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: true });
  assert.deepEqual(seat.leave('c1', 'k1'), { driverLeft: true, changes: [] });
  assert.equal(seat.driver, null);
  assert.equal(seat.reserved, true);
  assert.deepEqual(seat.claim('c2'), { ok: false, code: 'seat_taken' });
  seat.join('c3', { authorized: true });
  assert.equal(seat.driver, null, 'a newcomer does not take a reserved seat');
  assert.deepEqual(seat.authorize('c3'), []);
  assert.equal(seat.spectators, 2);
});

test('resume: the right key takes the reserved seat back (authorized), once; a wrong key changes nothing', () => {
  const { seat } = setup();
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: true });
  seat.leave('c1', 'secret-key');
  seat.join('c4', { authorized: false }); // the reloaded page, not yet authorized
  assert.equal(seat.resume('c4', 'wrong-key!'), null);
  assert.equal(seat.resume('c4', 'secret-ke'), null, 'a prefix is not the key');
  assert.equal(seat.reserved, true);
  assert.deepEqual(seat.resume('c4', 'secret-key'), [{ id: 'c4', role: 'driver' }]);
  assert.equal(seat.isAuthorized('c4'), true);
  assert.equal(seat.reserved, false);
  assert.equal(seat.resume('c2', 'secret-key'), null, 'a key is good for one resume');
});

test('when a reservation expires the seat passes to the earliest eligible spectator', () => {
  const { seat } = setup();
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: false });
  seat.join('c3', { authorized: true });
  seat.leave('c1', 'k');
  assert.deepEqual(seat.expireReservation(), [{ id: 'c3', role: 'driver' }]);
  assert.equal(seat.resume('c2', 'k'), null, 'too late');
  assert.deepEqual(seat.expireReservation(), [], 'nothing reserved any more');
});

test('only a driver leaves a reservation behind; a spectator leaving with a key changes nothing', () => {
  const { seat } = setup();
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: true });
  assert.deepEqual(seat.leave('c2', 'k2'), { driverLeft: false, changes: [] });
  assert.equal(seat.reserved, false);
  assert.equal(seat.driver, 'c1');
});
