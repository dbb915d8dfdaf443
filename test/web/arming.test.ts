// Arming at neutral (web/arming.ts), in Node: which held input drives, and how a stop disarms every
// input held off centre until it has been let go or brought back to the centre.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inputs, NEUTRAL } from '../../web/arming.js';

describe('Inputs', () => {
  it('drives with the input that moved last, falling back to one still held', () => {
    const inputs = new Inputs();
    assert.equal(inputs.demand(), null);
    inputs.report('keyboard', { x: 0, y: 0.5 });
    inputs.report('joystick', { x: -1, y: 0 });
    assert.deepEqual(inputs.demand(), { x: -1, y: 0 });
    inputs.report('keyboard', { x: 0, y: 0.6 }); // the keyboard moved again: it is the latest now
    assert.deepEqual(inputs.demand(), { x: 0, y: 0.6 });
    inputs.report('keyboard', null);
    assert.deepEqual(inputs.demand(), { x: -1, y: 0 });
    inputs.report('joystick', null);
    assert.equal(inputs.demand(), null);
  });

  it('after a stop, a stick held forward does not drive on jitter, only after the centre', () => {
    const inputs = new Inputs();
    inputs.report('gamepad', { x: 0, y: 1 });
    inputs.disarm();
    assert.equal(inputs.demand(), null);
    assert.equal(inputs.isArmed('gamepad'), false);
    inputs.report('gamepad', { x: 0.01, y: 0.99 }); // a 1 % jitter
    inputs.report('gamepad', { x: 0.2, y: 0.5 }); // eased off, still well off centre
    assert.equal(inputs.demand(), null);
    inputs.report('gamepad', { x: NEUTRAL / 2, y: 0 }); // back at the centre: armed
    assert.equal(inputs.isArmed('gamepad'), true);
    inputs.report('gamepad', { x: 0, y: 1 });
    assert.deepEqual(inputs.demand(), { x: 0, y: 1 });
  });

  it('letting go arms an input again', () => {
    const inputs = new Inputs();
    inputs.report('joystick', { x: 1, y: 0 });
    inputs.disarm();
    inputs.report('joystick', null);
    inputs.report('joystick', { x: 1, y: 0 }); // a fresh press
    assert.deepEqual(inputs.demand(), { x: 1, y: 0 });
  });

  it('a stop disarms only what is held off centre; an input pressed later drives', () => {
    const inputs = new Inputs();
    inputs.report('gamepad', { x: 0, y: 1 });
    inputs.report('keyboard', { x: 0, y: 0 }); // opposite keys: held, but at the centre
    inputs.disarm();
    assert.equal(inputs.isArmed('gamepad'), false);
    assert.equal(inputs.isArmed('keyboard'), true);
    assert.equal(inputs.isArmed('joystick'), true);
    assert.deepEqual(inputs.demand(), { x: 0, y: 0 }, 'the centred keys still hold the car still');
    inputs.report('joystick', { x: -0.5, y: 0.5 });
    assert.deepEqual(inputs.demand(), { x: -0.5, y: 0.5 }, 'a press after the stop is a new input');
    inputs.report('gamepad', { x: 0, y: 0.98 }); // the disarmed stick moved last, but may not drive
    assert.deepEqual(inputs.demand(), { x: -0.5, y: 0.5 });
  });

  it('a second stop while still disarmed keeps it disarmed', () => {
    const inputs = new Inputs();
    inputs.report('gamepad', { x: 0, y: 1 });
    inputs.disarm();
    inputs.disarm();
    inputs.report('gamepad', { x: 0, y: 0.9 });
    assert.equal(inputs.demand(), null);
  });
});
