// Who may do what to a car, in one place (src/control/connection/policy.ts), and the at-most-once-per-interval helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { may, type Asker } from '../../src/control/connection/policy.js';
import { AtMostEvery } from '../../src/control/throttle.js';

const asker = (id: string, over: Partial<Asker> = {}): Asker => ({ id, camera: false, onServerMachine: false, auth: { authenticated: true }, ...over });

test('only the driver may drive or use the accessories; a spectator hears not_driver, one without the token unauthorized', () => {
  assert.equal(may(asker('d'), 'drive', { driver: 'd' }), null);
  assert.equal(may(asker('d'), 'accessory', { driver: 'd' }), null);
  assert.equal(may(asker('s'), 'drive', { driver: 'd' })?.code, 'not_driver');
  assert.equal(may(asker('s', { auth: { authenticated: false } }), 'drive', { driver: 'd' })?.code, 'unauthorized');
  assert.match(may(asker('s'), 'accessory', { driver: 'd' })!.message, /only the driver may use the lights and horn/);
});

test('anyone with the token may stop; the camera takes a camera page with the token, asked in that order', () => {
  assert.equal(may(asker('s'), 'stop', { driver: 'd' }), null);
  assert.match(may(asker('s', { auth: { authenticated: false } }), 'stop', { driver: null })!.message, /stopping needs the token/);
  assert.match(may(asker('c', { auth: { authenticated: false } }), 'camera-on', { driver: null })!.message, /only a camera page/);
  assert.match(may(asker('c', { camera: true, auth: { authenticated: false } }), 'camera-on', { driver: null })!.message, /needs the token/);
  assert.equal(may(asker('c', { camera: true }), 'camera-on', { driver: null }), null);
});

test('races: a marshal always; with a token nobody else; without, a driver of a car in the race', () => {
  assert.equal(may(asker('m', { onServerMachine: true }), 'race', { driver: null, inRace: false }), null);
  assert.equal(may(asker('d', { auth: { authenticated: false } }), 'race', { driver: 'd', authRequired: true })?.code, 'unauthorized');
  assert.equal(may(asker('t'), 'race', { driver: 'd', authRequired: true }), null, 'a token holder marshals');
  assert.equal(may(asker('d'), 'race', { driver: 'd', inRace: true }), null);
  assert.equal(may(asker('d'), 'race', { driver: 'd', inRace: false })?.code, 'not_driver');
  assert.equal(may(asker('s'), 'race', { driver: 'd', inRace: true })?.code, 'not_driver');
});

test('AtMostEvery: once per interval, from the last time taken or marked', () => {
  let now = 0;
  const every = new AtMostEvery(1000, () => now);
  assert.equal(every.take(), true);
  now = 999;
  assert.equal(every.take(), false);
  now = 1000;
  assert.equal(every.take(), true);
  now = 1500;
  every.mark();
  now = 2400;
  assert.equal(every.take(), false, 'a mark starts the interval afresh');
  now = 2500;
  assert.equal(every.take(), true);
});
