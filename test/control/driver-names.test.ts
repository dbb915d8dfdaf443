// Drivers' names (race/driver-names.ts): the name someone set, or a default that is never a client id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriverNames, MAX_DEPARTED, MAX_KEYS } from '../../src/control/race/driver-names.js';

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

test('a default goes on with its person when they come back as a new client (inherit), and is kept only for the last few who left', () => {
  const names = new DriverNames();
  assert.equal(names.nameOf('c1'), 'Driver 1');
  names.forget('c1'); // a reload: the connection ends
  assert.equal(names.nameOf('c2'), 'Driver 2', 'someone else meanwhile');
  names.inherit('c5', 'c1'); // c1 took its held seat back as c5
  assert.equal(names.nameOf('c5'), 'Driver 1');
  names.inherit('c6', 'c1');
  assert.equal(names.nameOf('c6'), 'Driver 3', 'inherited once: a second claim to it is someone new');
  for (let i = 0; i <= MAX_DEPARTED; i++) {
    names.nameOf(`x${i}`);
    names.forget(`x${i}`);
  }
  names.inherit('c9', 'x0');
  assert.notEqual(names.nameOf('c9'), 'Driver 4', 'the oldest departed default is no longer kept');
});

test('a default goes with its name key: the same key, the same default, for the last MAX_KEYS keys used', () => {
  const keys = new Map([['c1', 'K1'], ['c2', 'K1'], ['c3', 'K2']]);
  const names = new DriverNames((client) => keys.get(client));
  assert.equal(names.nameOf('c1'), 'Driver 1');
  names.forget('c1');
  assert.equal(names.nameOf('c2'), 'Driver 1', 'the key came back as c2');
  assert.equal(names.nameOf('c3'), 'Driver 2', 'another key, another default');
  names.set('c2', 'Ada');
  assert.equal(names.nameOf('c2'), 'Ada', 'a typed name goes before the key\'s default');
  for (let i = 0; i < MAX_KEYS; i++) {
    keys.set(`x${i}`, `X${i}`);
    names.nameOf(`x${i}`);
  }
  keys.set('c4', 'K1');
  assert.equal(names.nameOf('c4'), `Driver ${MAX_KEYS + 3}`, 'the least recently used key is no longer kept');
});

test('a client with a key that had no default takes the held seat\'s default for it (inherit)', () => {
  const keys = new Map([['c5', 'K5'], ['c6', 'K5']]);
  const names = new DriverNames((client) => keys.get(client));
  assert.equal(names.nameOf('c1'), 'Driver 1');
  names.forget('c1');
  names.inherit('c5', 'c1');
  names.forget('c5');
  assert.equal(names.nameOf('c6'), 'Driver 1', 'the key now names Driver 1');
});
