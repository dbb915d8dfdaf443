// The page's drive loop with fake time: steady re-sending while held (the server's watchdog), one stop
// on release, a cap on the send rate, and silence for a spectator.

import assert from 'node:assert/strict';
import { beforeEach, afterEach, describe, it, mock } from 'node:test';
import { DriveLoop } from '../../web/drive.js';
import type { ClientMessage } from '../../web/messages.js';

const typeOf = (m: ClientMessage) => ('type' in m ? m.type : m.command);

describe('DriveLoop', () => {
  let now = 0;
  let sent: Array<{ at: number; message: ClientMessage }>;
  let driving = true;
  let loop: DriveLoop;
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      now += 1;
      mock.timers.tick(1);
    }
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    now = 1000;
    sent = [];
    driving = true;
    loop = new DriveLoop({ send: (message) => (sent.push({ at: now, message }), true), canDrive: () => driving, now: () => now });
  });
  afterEach(() => {
    loop.reset();
    mock.timers.reset();
  });

  it('sends at once, re-sends every 50 ms while held, and one stop on release', () => {
    loop.set('joystick', { x: 0, y: 1 });
    assert.deepEqual(sent, [{ at: 1000, message: { type: 'drive', x: 0, y: 1 } }]);
    advance(1000);
    assert.equal(sent.length, 21, 'the first send plus 20 refreshes in one second');
    assert.ok(sent.every((s, i) => i === 0 || s.at - sent[i - 1].at === 50));
    loop.set('joystick', null);
    assert.deepEqual(sent[sent.length - 1].message, { type: 'stop' });
    const count = sent.length;
    advance(500);
    assert.equal(sent.length, count, 'nothing after the stop');
  });

  it('coalesces fast moves to at most one send per 25 ms, ending on the latest position', () => {
    loop.set('joystick', { x: 0, y: 0.1 });
    for (let i = 2; i <= 10; i++) {
      advance(3);
      loop.set('joystick', { x: 0, y: i / 10 });
    }
    advance(25);
    const drives = sent.filter((s) => typeOf(s.message) === 'drive');
    assert.ok(drives.length <= 3, `${drives.length} sends for 10 moves in 27 ms`);
    assert.deepEqual(drives[drives.length - 1].message, { type: 'drive', x: 0, y: 1 });
    assert.ok(drives.every((s, i) => i === 0 || s.at - drives[i - 1].at >= 25));
  });

  it('keeps the refresh inside a short watchdog', () => {
    loop.fitWatchdog(90); // 30 ms: three sends per watchdog period
    loop.set('keyboard', { x: 1, y: 0 });
    advance(300);
    assert.equal(sent.length, 11);
  });

  it('follows the input that moved last, and falls back to one still held', () => {
    loop.set('keyboard', { x: 0, y: 0.5 });
    advance(10);
    loop.set('joystick', { x: -1, y: 0 });
    advance(50);
    assert.deepEqual(sent[sent.length - 1].message, { type: 'drive', x: -1, y: 0 });
    loop.set('joystick', null);
    advance(50);
    assert.deepEqual(sent[sent.length - 1].message, { type: 'drive', x: 0, y: 0.5 }, 'the key is still held');
    assert.ok(!sent.some((s) => typeOf(s.message) === 'stop'), 'no stop while a key is held');
  });

  it('stop() lets go of everything, even held inputs', () => {
    loop.set('keyboard', { x: 0, y: 1 });
    loop.set('gamepad', { x: 1, y: 0 });
    loop.stop();
    assert.deepEqual(sent[sent.length - 1].message, { type: 'stop' });
    const count = sent.length;
    advance(200);
    assert.equal(sent.length, count);
    assert.equal(loop.active, false);
  });

  it('sends nothing while it may not drive (a spectator, or disconnected)', () => {
    driving = false;
    loop.set('joystick', { x: 0, y: 1 });
    advance(200);
    loop.set('joystick', null);
    assert.deepEqual(sent, []);
  });
});
