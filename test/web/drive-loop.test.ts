// The page's drive loop with fake time: steady re-sending while held (the server's watchdog), one stop
// on release, a hard cap on the send rate however inputs move, arming after a stop (on the page, and the
// stop that re-arms the server before a fresh push), a frozen page that wakes, and silence for a spectator.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import fc from 'fast-check';
import { DriveLoop, LATE_SHARE, MIN_GAP_MS, type InputSource } from '../../web/drive.js';
import type { ClientMessage } from '../../web/messages.js';

interface Sent { at: number; message: ClientMessage }

const typeOf = (m: ClientMessage) => ('type' in m ? m.type : m.command);
const PERIOD_MS = 50; // 20 Hz
const PAGE_BUDGET = 40; // drive messages in any one second

/** The most drive messages in any window of `windowMs` (closed at both ends: the strictest count). */
function busiestWindow(sends: Sent[], windowMs = 1000): number {
  let most = 0;
  for (let i = 0, j = 0; j < sends.length; j++) {
    while (sends[j].at - sends[i].at > windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('DriveLoop', () => {
  let now = 0;
  let sent: Sent[];
  let driving = true;
  let stalls: number[];
  let loop: DriveLoop;
  /** Fake time, one millisecond at a time so that every timer sees the clock it fired at. */
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      now += 1;
      mock.timers.tick(1);
    }
  };
  /** The page frozen for `ms` (a stopped renderer, a long task): the clocks move on, no timer runs until it wakes. */
  const freeze = (ms: number) => {
    now += ms;
    mock.timers.tick(ms);
  };
  const drives = () => sent.filter((s) => typeOf(s.message) === 'drive');
  const stops = () => sent.filter((s) => typeOf(s.message) === 'stop');
  const last = () => sent[sent.length - 1]?.message;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    now = 1000;
    sent = [];
    driving = true;
    stalls = [];
    loop = new DriveLoop({
      send: (message) => (sent.push({ at: now, message }), true), canDrive: () => driving, now: () => now, wallNow: () => now,
      stalled: (gap) => stalls.push(gap),
    });
  });
  afterEach(() => {
    loop.halt();
    mock.timers.reset();
  });

  it('sends at once, re-sends every 50 ms while held, and one stop on release', () => {
    loop.set('joystick', { x: 0, y: 1 });
    assert.deepEqual(sent, [{ at: 1000, message: { type: 'stop' } }, { at: 1000, message: { type: 'drive', x: 0, y: 1 } }],
      'the first push goes right after a stop of the page\'s own, which arms the server');
    advance(1000);
    assert.equal(drives().length, 21, 'the first send plus 20 refreshes in one second');
    assert.ok(drives().every((s, i, all) => i === 0 || s.at - all[i - 1].at === PERIOD_MS));
    assert.equal(stops().length, 1);
    loop.set('joystick', null);
    assert.deepEqual(last(), { type: 'stop' });
    const count = sent.length;
    advance(500);
    assert.equal(sent.length, count, 'nothing after the stop');
  });

  it('coalesces fast moves: at least 30 ms between sends, ending on the latest position', () => {
    loop.set('joystick', { x: 0, y: 0.1 });
    for (let i = 2; i <= 10; i++) {
      advance(3);
      loop.set('joystick', { x: 0, y: i / 10 });
    }
    advance(MIN_GAP_MS);
    assert.equal(drives().length, 2, 'the first position, then the latest one');
    assert.deepEqual(drives()[1].message, { type: 'drive', x: 0, y: 1 });
    assert.equal(drives()[1].at - drives()[0].at, MIN_GAP_MS);
  });

  it('moves that each send at once add no refresh chains: a stick held still afterwards refreshes at 20 Hz', () => {
    // Every move comes 40 ms after the last send, late enough to go out at once (the case where the
    // old loop left the previous refresh timer running and stacked a new one each time).
    loop.set('joystick', { x: 0, y: 0.2 });
    for (let i = 1; i <= 50; i++) {
      advance(40);
      loop.set('joystick', { x: 0, y: 0.2 + (i % 2) * 0.1 });
    }
    const from = drives().length;
    advance(1000);
    assert.equal(drives().length - from, 20, 'one refresh chain: 20 sends in the second held still');
  });

  it('a mouse moving in circles at 60 Hz for 10 s: under 40 a second, no position twice but as the refresh, following to the end', () => {
    let frame = 0;
    const position = () => ({ x: Math.cos(frame / 20), y: Math.sin(frame / 20) });
    for (; frame < 600; frame++) {
      loop.set('joystick', position());
      advance(frame % 3 === 2 ? 17 : 16); // 60 Hz: 16.67 ms between events
    }
    const moves = drives();
    assert.ok(busiestWindow(moves) <= 1000 / MIN_GAP_MS + 1, `busiest second: ${busiestWindow(moves)} sends`);
    assert.ok(busiestWindow(moves) <= PAGE_BUDGET);
    assert.ok(moves.length >= 300, `kept following (${moves.length} sends in 10 s)`);
    moves.forEach((s, i) => {
      if (i === 0) return;
      const gap = s.at - moves[i - 1].at;
      assert.ok(gap >= MIN_GAP_MS, `sends ${gap} ms apart`);
      if (JSON.stringify(s.message) === JSON.stringify(moves[i - 1].message)) assert.ok(gap >= PERIOD_MS, 'a repeat only as the refresh');
    });
    frame--;
    advance(PERIOD_MS);
    const { x, y } = position();
    assert.deepEqual(last(), { type: 'drive', x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 }, 'ends on where the mouse is');
  });

  it('two inputs moving at once share one budget', () => {
    for (let t = 0; t < 2000; t += 8) {
      loop.set(t % 16 === 0 ? 'joystick' : 'gamepad', { x: Math.sin(t / 50), y: Math.cos(t / 70) });
      advance(8);
    }
    assert.ok(busiestWindow(drives()) <= 1000 / MIN_GAP_MS + 1, `busiest second: ${busiestWindow(drives())}`);
  });

  it('keeps the refresh inside a short watchdog', () => {
    loop.fitWatchdog(90); // 30 ms: three sends per watchdog period
    loop.set('keyboard', { x: 1, y: 0 });
    advance(300);
    assert.equal(drives().length, 11);
    assert.deepEqual(stalls, [], 'sending every 30 ms is no freeze');
  });

  it('follows the input that moved last, and falls back to one still held', () => {
    loop.set('keyboard', { x: 0, y: 0.5 });
    advance(10);
    loop.set('joystick', { x: -1, y: 0 });
    advance(50);
    assert.deepEqual(last(), { type: 'drive', x: -1, y: 0 });
    loop.set('joystick', null);
    advance(50);
    assert.deepEqual(last(), { type: 'drive', x: 0, y: 0.5 }, 'the key is still held');
    assert.deepEqual(stops().map((s) => sent.indexOf(s)), [0], 'no stop while a key is held (only the one that armed the server)');
  });

  it('halt() sends nothing, says a stop is owed, and a stick still held forward waits for the centre', () => {
    loop.set('gamepad', { x: 0, y: 1 });
    advance(100);
    const count = sent.length;
    assert.equal(loop.halt(), true, 'it was driving: the caller owes a stop');
    assert.equal(loop.driving, false);
    assert.equal(sent.length, count, 'halt sends nothing itself');
    loop.set('gamepad', { x: 0.01, y: 0.99 }); // jitter
    advance(500);
    assert.equal(sent.length, count, 'a disarmed stick does not drive');
    loop.set('gamepad', null); // into the dead zone
    advance(100);
    assert.equal(sent.length, count, 'nothing to stop: it was stopped already');
    loop.set('gamepad', { x: 0, y: 1 });
    assert.deepEqual(last(), { type: 'drive', x: 0, y: 1 });
    assert.equal(loop.halt(), true);
    assert.equal(loop.halt(), false, 'nothing owed twice');
  });

  it('after a halt a key pressed afresh drives, and letting it go stops though the disarmed stick is held', () => {
    loop.set('gamepad', { x: 0, y: 1 });
    loop.halt();
    loop.set('keyboard', { x: -0.5, y: 0 });
    advance(MIN_GAP_MS);
    assert.deepEqual(last(), { type: 'drive', x: -0.5, y: 0 });
    advance(100);
    loop.set('keyboard', null);
    assert.deepEqual(last(), { type: 'stop' });
    advance(200);
    assert.deepEqual(last(), { type: 'stop' }, 'the stick still held does not take over');
  });

  it('sends nothing while it may not drive; an input held meanwhile waits for the centre once it may', () => {
    driving = false;
    loop.set('joystick', { x: 0, y: 1 });
    loop.set('gamepad', { x: 1, y: 0 });
    advance(200);
    loop.set('joystick', null);
    assert.deepEqual(sent, []);
    driving = true; // the seat came to this page: the page halts on every change of seat
    loop.halt();
    loop.set('gamepad', { x: 0.99, y: 0 });
    advance(200);
    assert.deepEqual(sent, []);
  });

  it('only the first push after a halt follows a stop (which re-arms the server); a release\'s stop arms it too', () => {
    loop.set('keyboard', { x: 0, y: 1 });
    advance(100);
    loop.set('keyboard', null); // the release sends a stop: the server is armed by it
    advance(100);
    loop.set('keyboard', { x: 1, y: 0 });
    assert.deepEqual(sent.map((s) => typeOf(s.message)), ['stop', 'drive', 'drive', 'drive', 'stop', 'drive']);
    loop.halt(); // a stop this loop did not send (the server's, a seat change)
    loop.set('keyboard', null);
    advance(100);
    loop.set('keyboard', { x: -1, y: 0 });
    assert.deepEqual(sent.slice(-2).map((s) => s.message), [{ type: 'stop' }, { type: 'drive', x: -1, y: 0 }]);
  });

  it('a page frozen while driving: on waking, a stop instead of the held position, and the held stick waits for the centre', () => {
    loop.set('joystick', { x: 0, y: 1 });
    advance(120);
    const before = sent.length;
    freeze(3000); // a 3 s long task, or the renderer stopped: the refresh timer fires 3 s late
    assert.deepEqual(sent.slice(before).map((s) => s.message), [{ type: 'stop' }], 'no drive on waking, a stop');
    assert.equal(stalls.length, 1);
    assert.ok(stalls[0] >= 3000, `frozen ${stalls[0]} ms`);
    assert.equal(loop.driving, false);
    loop.set('joystick', { x: 0.01, y: 0.99 }); // the hand still on the stick
    advance(500);
    assert.equal(drives().length, before - 1, 'the held stick does not drive');
    loop.set('joystick', { x: 0, y: 0 }); // centred
    loop.set('joystick', { x: 0, y: 1 });
    advance(MIN_GAP_MS);
    assert.deepEqual(last(), { type: 'drive', x: 0, y: 1 }, 'centred, it drives again');
  });

  it('a freeze is seen on waking whichever comes first: the refresh, or a move queued meanwhile', () => {
    loop.set('gamepad', { x: 0, y: 1 });
    now += 310; // frozen: the clock moved, no timer ran...
    loop.set('gamepad', { x: 0.2, y: 1 }); // ...and the first thing on waking is a queued move
    assert.deepEqual(last(), { type: 'stop' });
    assert.equal(stalls.length, 1);
    assert.equal(drives().length, 1, 'only the push from before the freeze');
  });

  it('late by less than half the watchdog is no freeze; the wall clock sees a device that slept', () => {
    loop.set('joystick', { x: 0, y: 1 });
    advance(50);
    freeze(PERIOD_MS + 500 * LATE_SHARE - 10); // the refresh 240 ms late: a busy phone, not a frozen page
    assert.deepEqual(stalls, []);
    assert.deepEqual(last(), { type: 'drive', x: 0, y: 1 });

    let wall = 0;
    const slept = new DriveLoop({
      send: (message) => (sent.push({ at: now, message }), true), canDrive: () => true, now: () => now, wallNow: () => wall,
      stalled: (gap) => stalls.push(gap),
    });
    slept.set('keyboard', { x: 0, y: 1 });
    wall += 10_000; // the monotonic clock stood still while the device slept; the wall clock did not
    slept.set('keyboard', { x: 0, y: 0.5 });
    assert.deepEqual(last(), { type: 'stop' });
    assert.deepEqual(stalls, [10_000]);
    slept.halt();
  });

  it('whatever the inputs do: at most 40 sends a second, a repeat only as the refresh, never from a disarmed input, a stop at the end', () => {
    // Each source has its own x range so a sent position tells which input it came from.
    const base: Record<InputSource, number> = { joystick: 0.1, keyboard: 0.4, gamepad: 0.7 };
    const sourceOf = (x: number): InputSource => (x < 0.35 ? 'joystick' : x < 0.65 ? 'keyboard' : 'gamepad');
    const source = fc.constantFrom<InputSource>('joystick', 'keyboard', 'gamepad');
    const event = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('move' as const), source, dx: fc.integer({ min: 0, max: 20 }), y: fc.integer({ min: -100, max: 100 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('centre' as const), source }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), source }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('halt' as const) }) },
    );
    const step = fc.record({ after: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 120 })), event });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (script) => {
      sent = [];
      loop.halt();
      loop.set('joystick', null);
      loop.set('keyboard', null);
      loop.set('gamepad', null);
      advance(200);
      sent = [];
      const held = new Map<InputSource, boolean>(); // source -> off centre
      const disarmed = new Set<InputSource>();
      // The arming in force for the sends from index `from` on (until the next event's).
      const arming: Array<{ from: number; disarmed: Set<InputSource> }> = [];
      for (const { after, event: e } of script) {
        advance(after);
        const from = sent.length;
        if (e.kind === 'halt') {
          for (const [s, off] of held) if (off) disarmed.add(s);
          if (loop.halt()) sent.push({ at: now, message: { type: 'stop' } }); // as the page does when one is owed
        } else if (e.kind === 'release' || e.kind === 'centre') {
          held.delete(e.source);
          disarmed.delete(e.source);
          if (e.kind === 'centre') held.set(e.source, false);
          loop.set(e.source, e.kind === 'centre' ? { x: 0.01, y: 0 } : null);
        } else {
          held.set(e.source, true);
          loop.set(e.source, { x: base[e.source] + e.dx / 100, y: e.y / 100 });
        }
        arming.push({ from, disarmed: new Set(disarmed) });
      }
      advance(300);
      const moves = sent.filter((s) => typeOf(s.message) === 'drive');
      assert.ok(busiestWindow(moves) <= PAGE_BUDGET, `busiest second: ${busiestWindow(moves)}`);
      let previous: Sent | null = null;
      sent.forEach((s, k) => {
        if (typeOf(s.message) !== 'drive') {
          previous = null;
          return;
        }
        if (previous) {
          assert.ok(s.at - previous.at >= MIN_GAP_MS);
          if (JSON.stringify(s.message) === JSON.stringify(previous.message)) assert.ok(s.at - previous.at >= PERIOD_MS);
        }
        previous = s;
        const x = (s.message as { x: number }).x;
        if (x < 0.05) return; // a centred input: never disarmed
        const state = arming.filter((a) => a.from <= k).pop();
        assert.ok(!state?.disarmed.has(sourceOf(x)), `a disarmed ${sourceOf(x)} drove at ${s.at}`);
      });
      const wasDriving = loop.driving;
      loop.set('joystick', null);
      loop.set('keyboard', null);
      loop.set('gamepad', null);
      if (wasDriving) assert.deepEqual(last(), { type: 'stop' }, 'letting go of everything sends a stop');
      assert.equal(loop.driving, false);
    }), { numRuns: 60 });
  });
});
