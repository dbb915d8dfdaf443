// The virtual clock the replays run on, and the Driver on it: its timers fire exactly when due (or when
// told, for a replay that repeats a live timer's lateness), and every write it makes is reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodec, Driver, VirtualClock } from '../../src/vehicle/index.js';
import { FakeLink } from './fake-link.js';

describe('VirtualClock', () => {
  it('fires timers in time order (ties in the order set), including timers set by timers, and only when run', () => {
    const clock = new VirtualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    clock.setTimeout(() => fired.push(`b2@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 1);
    clock.clearTimeout(cancelled);
    assert.deepEqual(fired, []);
    clock.runUntil(117);
    assert.deepEqual(fired, ['a@110', 'c@115']);
    assert.equal(clock.now(), 117);
    clock.runAll();
    assert.deepEqual(fired, ['a@110', 'c@115', 'b@120', 'b2@120']);
  });

  it('an interval keeps its grid, and its handle stops it', () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    const every = clock.setInterval(() => at.push(clock.now()), 30);
    clock.runUntil(100);
    clock.clearTimeout(every);
    clock.runAll();
    assert.deepEqual(at, [30, 60, 90]);
  });

  it('a late view fires its timers when told, never early', () => {
    const clock = new VirtualClock();
    const late = clock.withTimerLateness((due) => (due === 50 ? 52.5 : due - 10));
    const at: number[] = [];
    late.setTimeout(() => at.push(clock.now()), 50);
    late.setTimeout(() => at.push(clock.now()), 70);
    clock.setTimeout(() => at.push(clock.now()), 51);
    clock.runAll();
    assert.deepEqual(at, [51, 52.5, 70]);
  });
});

describe('Driver on a clock, and what it reports', () => {
  it('its watchdog and holds run on the clock; every write and the end of a hold are reported', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink();
    const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: 500, clock });
    const events: string[] = [];
    driver.on('write', (bytes: Uint8Array) => events.push(`${clock.now()} write ${[...bytes].join(',')}`));
    driver.on('watchdog', () => events.push(`${clock.now()} watchdog`));
    driver.on('hold-expired', () => events.push(`${clock.now()} hold-expired`));
    await driver.start(); // the stop a connection begins with
    clock.runUntil(10);
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    clock.runUntil(400);
    driver.drive({ kind: 'analog', x: 0, y: 1 }); // the same bytes: nothing written, the watchdog re-armed
    clock.runUntil(2000);
    driver.drive({ kind: 'command', name: 'forward', durationMs: 250 });
    clock.runAll();
    assert.deepEqual(events, [
      '0 write 0', '10 write 31', '900 watchdog', '900 write 0', '2000 write 22', '2250 hold-expired', '2250 write 0',
    ]);
    assert.deepEqual(link.bytes, [0, 31, 0, 22, 0], 'what was reported is what the link got');
  });

  it('refreshes, accessories and the emergency stop are writes too', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink();
    const driver = new Driver({ link, codec: createCodec('rc-app'), refreshMs: 100, clock });
    const writes: string[] = [];
    driver.on('write', (bytes: Uint8Array) => writes.push(Buffer.from(bytes).toString('latin1')));
    await driver.start();
    driver.drive({ kind: 'command', name: 'forward' });
    clock.runUntil(250);
    assert.deepEqual(driver.accessory('front-lights', true), { ok: true });
    driver.emergencyStop();
    clock.runAll();
    assert.deepEqual(writes, ['S', '7F', '7F', '7F', 'W7F', 'S']);
    assert.deepEqual(link.writes.map((w) => Buffer.from(w).toString('latin1')), writes);
  });
});
