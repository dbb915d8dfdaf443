// Drivers' names (race/driver-names.ts): the name someone set, or a default that is never a client id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriverNames } from '../../src/control/race/driver-names.js';

test('someone without a name goes by "Driver N", numbered as first named, never by a client id', () => {
  const names = new DriverNames();
  assert.equal(names.nameOf('c7'), 'Driver 1');
  assert.equal(names.nameOf('c3'), 'Driver 2');
  assert.equal(names.nameOf('c7'), 'Driver 1', 'the same for as long as the client is there');
  names.set('c3', '  Ada ');
  assert.equal(names.nameOf('c3'), 'Ada', 'trimmed');
  names.forget('c7');
  assert.equal(names.nameOf('c7'), 'Driver 3', 'a client id met again is someone new: numbers are not reused');
});
