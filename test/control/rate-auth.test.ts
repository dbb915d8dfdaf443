import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { TokenBucket } from '../../src/control/connection/rate-limit.js';
import {
  ADDRESS_WINDOW_MS, AddressLockout, ClientAuth, MAX_ADDRESS_FAILURES, MAX_AUTH_FAILURES, TokenCheck,
} from '../../src/control/connection/auth.js';

test('token bucket: a burst of capacity, then the refill rate', () => {
  const clock = { t: 0 };
  const bucket = new TokenBucket(10, 3, () => clock.t);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  clock.t += 99; // 0.99 token
  assert.equal(bucket.take(), false);
  clock.t += 1;
  assert.equal(bucket.take(), true);
  clock.t += 60_000; // refills up to capacity only
  let granted = 0;
  while (bucket.take()) granted++;
  assert.equal(granted, 3);
});

test('a steady 20 Hz stream never hits a 60/s limit', () => {
  const clock = { t: 0 };
  const bucket = new TokenBucket(60, 60, () => clock.t);
  for (let i = 0; i < 1000; i++, clock.t += 50) assert.equal(bucket.take(), true);
});

test('token check: right token only, constant-length digests for any input', () => {
  const check = new TokenCheck('correct horse');
  assert.equal(check.matches('correct horse'), true);
  assert.equal(check.matches('correct hors'), false);
  assert.equal(check.matches(''), false);
  assert.equal(check.matches('x'.repeat(10_000)), false);
  assert.throws(() => new TokenCheck(''));
});

test('the token does not leak through inspect or JSON', () => {
  const check = new TokenCheck('sekrit-value');
  assert.ok(!inspect({ check }).includes('sekrit'));
  assert.ok(!JSON.stringify({ check }).includes('sekrit'));
});

test(`client auth: ${MAX_AUTH_FAILURES} wrong tokens lock the connection`, () => {
  const auth = new ClientAuth(new TokenCheck('t0ken'));
  assert.equal(auth.authenticated, false);
  for (let i = 1; i < MAX_AUTH_FAILURES; i++) assert.equal(auth.present('nope'), 'wrong');
  assert.equal(auth.present('nope'), 'locked');
  const ok = new ClientAuth(new TokenCheck('t0ken'));
  assert.equal(ok.present('nope'), 'wrong');
  assert.equal(ok.present('t0ken'), 'ok');
  assert.equal(ok.authenticated, true);
});

test('without a token every client is authenticated', () => {
  const auth = new ClientAuth(null);
  assert.equal(auth.authenticated, true);
  assert.equal(auth.present('anything'), 'ok');
});

test(`address lockout: ${MAX_ADDRESS_FAILURES} wrong tokens from one address lock it until its window ends`, () => {
  let now = 0;
  const lockout = new AddressLockout(() => now);
  for (let i = 1; i < MAX_ADDRESS_FAILURES; i++) assert.equal(lockout.fail('10.0.0.1'), false);
  assert.equal(lockout.locked('10.0.0.1'), false);
  assert.equal(lockout.fail('10.0.0.1'), true);
  assert.equal(lockout.locked('10.0.0.1'), true);
  assert.equal(lockout.locked('10.0.0.2'), false, 'other addresses are not affected');
  now += ADDRESS_WINDOW_MS - 1;
  assert.equal(lockout.locked('10.0.0.1'), true);
  now += 1;
  assert.equal(lockout.locked('10.0.0.1'), false, 'the window is counted from the first failure');
  assert.equal(lockout.fail('10.0.0.1'), false, 'and a new window starts from zero');
});
