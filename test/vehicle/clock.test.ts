// The virtual clock the replays run on, and the Driver on it: its timers fire exactly when due (or when
// told, for a replay that repeats a live timer's lateness), and every write it makes is reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClockRunaway, createCodec, Driver, MAX_FIRES_PER_MS, VirtualClock } from '../../src/vehicle/index.js';
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

  it('a timer that re-arms itself as time stands still (at once, or a rounding later) makes runUntil throw ClockRunaway, never spin; the clock keeps its place', () => {
    const clock = new VirtualClock(48_213.704_918_3);
    let fires = 0;
    const again = (): void => {
      fires++;
      clock.setTimeout(again, 1e-13); // below the clock's precision at this time: the same instant
    };
    clock.setTimeout(again, 5);
    assert.throws(() => clock.runUntil(clock.now() + 1000), (err: Error) => err instanceof ClockRunaway
      && /10000 timers fired within 1 ms of virtual time at 48218\.70\d+ ms: a timer re-arming itself/.test(err.message));
    assert.equal(fires, MAX_FIRES_PER_MS);
    assert.equal(clock.now(), 48_213.704_918_3 + 5, 'time stands where the runaway was');
    assert.throws(() => clock.runUntil(clock.now() + 1000), ClockRunaway, 'the runaway timer is still there, and throws again at once');
    assert.equal(fires, MAX_FIRES_PER_MS);

    // A step of a millionth of a millisecond moves time, but a thousand fires a millisecond is still runaway.
    const crawl = new VirtualClock();
    const creep = (): void => void crawl.setTimeout(creep, 1e-6);
    crawl.setTimeout(creep, 0);
    assert.throws(() => crawl.runUntil(10), ClockRunaway);
    assert.ok(crawl.now() < 0.02, `stopped within the first millisecond: ${crawl.now()}`);
  });

  it('a run stops past its budget of timers, and goes on in the next run; timers a millisecond apart are no runaway', () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    clock.setInterval(() => at.push(clock.now()), 1);
    assert.throws(() => clock.runUntil(100, 30), /more than 30 timers fired in one run at 31 ms/);
    assert.equal(at.length, 30);
    clock.runUntil(100, 1000);
    assert.equal(at.length, 100);
    assert.deepEqual(at.slice(28, 32), [29, 30, 31, 32], 'none lost nor fired twice');
    clock.runUntil(30_000); // 30 000 fires, a millisecond apart
    assert.equal(at.length, 30_000);
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
