import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { LinkState } from '../../src/vehicle/index.js';
import { backoffDelay, ReconnectingLink, type ReconnectOptions, type Transport } from '../../src/vehicle/links/reconnect.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** At a deadline the link looks once more at the transport, for 50 ms (reconnect.ts LAST_LOOK_MS): let it run out. */
async function lastLook(clock: { advance(ms: number): void }): Promise<void> {
  await flush();
  clock.advance(50);
  await flush();
}

/** A connector whose attempts the test answers one by one. */
function scripted() {
  const attempts: Array<{ resolve(t: Transport): void; reject(e: Error): void; lost: (e: Error) => void }> = [];
  const connector = (lost: (e: Error) => void) =>
    new Promise<Transport>((resolve, reject) => attempts.push({ resolve, reject, lost }));
  return { attempts, connector };
}

/**
 * A transport the test drives. `auto`: every write is taken and delivered at once. Otherwise the test
 * completes writes (`take()`) and confirms deliveries (`deliver()`) itself.
 */
function transport(auto = true) {
  const writeDone: Array<(err?: Error | null) => void> = [];
  const deliveries: Array<{ resolve(): void; reject(e: Error): void }> = [];
  const t = {
    written: [] as number[][],
    urgent: [] as number[][],
    ended: false,
    destroyed: false,
    write(b: Uint8Array, done: (err?: Error | null) => void) {
      t.written.push([...b]);
      if (auto) queueMicrotask(() => done());
      else writeDone.push(done);
    },
    writeNow(b: Uint8Array) {
      t.urgent.push([...b]);
      return true;
    },
    delivered() {
      if (auto) return Promise.resolve();
      return new Promise<void>((resolve, reject) => deliveries.push({ resolve, reject }));
    },
    async end() {
      t.ended = true;
    },
    destroy() {
      t.destroyed = true;
    },
    /** The oldest write still in flight is taken by the OS. */
    take(err?: Error) {
      writeDone.shift()!(err ?? null);
    },
    /** The running delivery confirmation succeeds. */
    deliver() {
      deliveries.shift()!.resolve();
    },
    get confirmations() {
      return deliveries.length;
    },
  };
  return t;
}

/** Mocked timers and a clock that moves with them. */
function clocked(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
      t.mock.timers.tick(ms);
    },
  };
}

async function connected(t: TestContext, options: ReconnectOptions = {}) {
  const clock = clocked(t);
  const { attempts, connector } = scripted();
  const link = new ReconnectingLink({ kind: 'tcp', host: 'car', port: 1 }, connector, { now: clock.now, ...options });
  const failures: string[] = [];
  link.on('failure', (e: Error) => failures.push(e.message));
  await link.open();
  const tr = transport(false);
  attempts[0].resolve(tr);
  await flush();
  assert.equal(link.state, 'connected');
  return { link, tr, clock, failures, attempts };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const o = { initialDelayMs: 250, maxDelayMs: 5_000, factor: 2 };
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, o)), [250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe('ReconnectingLink', () => {
  it('retries with growing delays until the device appears, then resets the backoff', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { attempts, connector } = scripted();
    const link = new ReconnectingLink({ kind: 'sim' }, connector, { initialDelayMs: 100, maxDelayMs: 1000 });
    const states: LinkState[] = [];
    const failures: string[] = [];
    link.on('state', (s: LinkState) => states.push(s));
    link.on('failure', (e: Error) => failures.push(e.message));
    await link.open();
    assert.equal(link.write(Uint8Array.of(1)), false, 'nothing is written while connecting');
    for (const [i, delay] of [100, 200, 400].entries()) {
      attempts[i].reject(new Error(`absent ${i}`));
      await flush();
      assert.equal(link.state, 'reconnecting');
      t.mock.timers.tick(delay - 1);
      assert.equal(attempts.length, i + 1, `no attempt before ${delay} ms`);
      t.mock.timers.tick(1);
      assert.equal(attempts.length, i + 2);
    }
    const tr = transport();
    attempts[3].resolve(tr);
    await flush();
    assert.equal(link.state, 'connected');
    assert.equal(link.write(Uint8Array.of(7)), true);
    assert.deepEqual(tr.written, [[7]]);
    attempts[3].lost(new Error('gone'));
    assert.equal(link.state, 'reconnecting');
    assert.equal(tr.destroyed, true);
    assert.equal(link.write(Uint8Array.of(8)), false, 'refused, not queued');
    t.mock.timers.tick(100); // the backoff started over
    assert.equal(attempts.length, 5);
    const tr2 = transport();
    attempts[4].resolve(tr2);
    await flush();
    assert.deepEqual(tr2.written, [], 'nothing refused earlier shows up later');
    assert.deepEqual(states, ['connecting', 'reconnecting', 'connected', 'reconnecting', 'connected']);
    assert.deepEqual(failures, ['absent 0', 'absent 1', 'absent 2', 'gone']);
    await link.close();
    assert.equal(tr2.ended, true);
    assert.equal(link.state, 'closed');
  });

  it('drops a connection that completes after close(), and stops retrying', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { attempts, connector } = scripted();
    const link = new ReconnectingLink({ kind: 'sim' }, connector);
    await link.open();
    await link.close();
    const late = transport();
    attempts[0].resolve(late);
    await flush();
    assert.equal(late.destroyed, true);
    assert.equal(link.state, 'closed');
    t.mock.timers.tick(60_000);
    assert.equal(attempts.length, 1);
    await link.open();
    assert.equal(attempts.length, 1, 'a closed link stays closed');
  });

  it('ignores a loss reported twice, or by a connection already replaced', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { attempts, connector } = scripted();
    const link = new ReconnectingLink({ kind: 'sim' }, connector, { initialDelayMs: 1 });
    const failures: string[] = [];
    link.on('failure', (e: Error) => failures.push(e.message));
    await link.open();
    attempts[0].resolve(transport());
    await flush();
    attempts[0].lost(new Error('gone'));
    attempts[0].lost(new Error('gone again'));
    t.mock.timers.tick(1_000); // the retry's delay (1 ms, with any jitter), on fake time
    assert.equal(attempts.length, 2, 'one retry, for two reports of the same loss');
    attempts[1].resolve(transport());
    await flush();
    attempts[0].lost(new Error('stale'));
    assert.equal(link.state, 'connected');
    assert.deepEqual(failures, ['gone']);
    await link.close();
  });

  it('refuses a nonsensical write timeout', () => {
    const { connector } = scripted();
    for (const writeTimeoutMs of [0, -1, NaN, Infinity]) {
      assert.throws(() => new ReconnectingLink({ kind: 'sim' }, connector, { writeTimeoutMs }), RangeError);
    }
  });
});

describe('ReconnectingLink writes: newest only', () => {
  it('keeps only the newest write while one is in flight, and writes it when the transport is ready', async (t) => {
    const { link, tr } = await connected(t);
    assert.equal(link.write(Uint8Array.of(0x16)), true);
    assert.equal(link.write(Uint8Array.of(0x1f)), true, 'accepted: it waits in the slot');
    assert.equal(link.write(Uint8Array.of(0x5f)), true, 'replaces the one waiting');
    assert.deepEqual(tr.written, [[0x16]]);
    tr.take();
    assert.deepEqual(tr.written, [[0x16], [0x5f]], 'the stale 0x1f is never written');
    tr.take();
    assert.equal(link.write(Uint8Array.of(0x00)), true);
    assert.deepEqual(tr.written, [[0x16], [0x5f], [0x00]], 'nothing in flight: written at once');
  });

  it('a stop made while a write is in flight is the newest: it is written next', async (t) => {
    const { link, tr } = await connected(t);
    link.write(Uint8Array.of(0x16));
    link.write(Uint8Array.of(0x26));
    link.write(Uint8Array.of(0x00));
    tr.take();
    assert.deepEqual(tr.written, [[0x16], [0x00]]);
  });

  it('writeNow goes ahead of the write waiting in the slot, which is discarded', async (t) => {
    const { link, tr } = await connected(t);
    link.write(Uint8Array.of(0x16));
    link.write(Uint8Array.of(0x26));
    assert.equal(link.writeNow(Uint8Array.of(0x00)), true);
    assert.deepEqual(tr.urgent, [[0x00]]);
    tr.take();
    assert.deepEqual(tr.written, [[0x16]], 'the 0x26 that was waiting never follows the stop');
  });

  it('a failed write loses the connection', async (t) => {
    const { link, tr, failures } = await connected(t);
    link.write(Uint8Array.of(0x16));
    tr.take(new Error('EPIPE'));
    assert.equal(link.state, 'reconnecting');
    assert.deepEqual(failures, ['EPIPE']);
    assert.equal(tr.destroyed, true);
  });
});

describe('ReconnectingLink writes: liveness', () => {
  it('loses the connection when a write is not delivered within writeTimeoutMs', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16));
    tr.take(); // the OS took it; nobody confirms it arrived
    clock.advance(999);
    assert.equal(link.state, 'connected');
    clock.advance(1);
    assert.equal(link.state, 'connected', 'one last look first');
    await lastLook(clock);
    assert.equal(link.state, 'reconnecting');
    assert.equal(tr.destroyed, true, 'dropped, with what it had not delivered');
    assert.match(failures[0], /^tcp:car:1: a write was not delivered within 1000 ms \(link timeout\)$/);
    assert.equal(link.write(Uint8Array.of(0x00)), false);
  });

  it('a deadline that comes due while the process was not running (stopped, paused): one last look, and delivered writes keep the connection', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16));
    tr.take();
    clock.advance(250);
    assert.equal(tr.confirmations, 1, 'the confirmation is under way when the process stops');
    clock.advance(750); // the process wakes: the deadline is due, the confirmation has not answered yet
    assert.equal(tr.confirmations, 2, 'the last look asks the transport again');
    tr.deliver();
    tr.deliver(); // the bridge had acknowledged all along
    await flush();
    assert.equal(link.state, 'connected');
    assert.deepEqual(failures, []);
    clock.advance(60_000);
    assert.equal(link.state, 'connected', 'nothing is left to time out');
  });

  /** The transport takes looks of its own (TCP reads the kernel's table); the test ends each. */
  function ownLooks(tr: object): Array<() => void> {
    const looks: Array<() => void> = [];
    Object.assign(tr, { lookNow: () => new Promise<void>((resolve) => looks.push(resolve)) });
    return looks;
  }

  it('at the deadline, a transport\'s own look is waited for however long a busy machine takes over it, then the last 50 ms: a write delivered keeps the connection', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    const looks = ownLooks(tr);
    link.write(Uint8Array.of(0x16));
    tr.take();
    clock.advance(1000); // the deadline; the confirmation from t = 250 has not answered (its reading is slow)
    assert.equal(looks.length, 1, 'a look of the transport\'s own');
    clock.advance(400); // a reading of the table takes 400 ms on a machine at load 20 (over 50 ms, and the link was lost)
    await flush();
    assert.equal(link.state, 'connected');
    looks[0]();
    await flush();
    clock.advance(49);
    await flush();
    assert.equal(link.state, 'connected');
    while (tr.confirmations > 0) tr.deliver();
    await flush();
    clock.advance(60_000);
    assert.equal(link.state, 'connected');
    assert.deepEqual(failures, []);
  });

  it('a transport\'s own look at the deadline that is over with the write undelivered: the connection is given up 50 ms later', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    const looks = ownLooks(tr);
    link.write(Uint8Array.of(0x16));
    tr.take();
    clock.advance(1000);
    looks[0]();
    await flush();
    clock.advance(49);
    await flush();
    assert.equal(link.state, 'connected');
    clock.advance(1);
    await flush();
    assert.equal(link.state, 'reconnecting');
    assert.match(failures[0], /a write was not delivered within 1000 ms \(link timeout\)$/);
  });

  it('a transport\'s own look at the deadline that never ends: the connection is given up one write timeout later', async (t) => {
    const { link, tr, clock } = await connected(t, { writeTimeoutMs: 1000 });
    ownLooks(tr);
    link.write(Uint8Array.of(0x16));
    tr.take();
    clock.advance(1000);
    clock.advance(999);
    await flush();
    assert.equal(link.state, 'connected', 'still looking');
    clock.advance(1);
    await flush();
    assert.equal(link.state, 'reconnecting');
  });

  it('after a last look that finds everything handed over delivered, a write still in the slot is looked at again 50 ms on, not in a loop', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16)); // t = 0: handed over; its write has not completed (the transport holds it)
    clock.advance(10);
    link.write(Uint8Array.of(0x00)); // t = 10: waits in the slot behind it
    clock.advance(990); // t = 1000: the deadline; the confirmation from t = 250 and the last look both ask
    while (tr.confirmations > 0) tr.deliver(); // 0x16 arrived
    await flush();
    const asked = tr.confirmations; // the next confirmation, for the slot's write
    clock.advance(49);
    await flush();
    assert.equal(tr.confirmations, asked, 'no new look within 50 ms (a deadline in the past re-armed at once spun the timers)');
    assert.equal(link.state, 'connected');
    tr.take(); // 0x16's write completes: the slot's 0x00 is handed over
    assert.deepEqual(tr.written.at(-1), [0x00]);
    assert.deepEqual(failures, []);
  });

  it('a write the transport holds past a quarter of the timeout: a delivered confirmation is not followed by the next at once, again and again', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16)); // t = 0: handed over; the transport holds it (e.g. waiting for room)
    clock.advance(10);
    link.write(Uint8Array.of(0x00)); // t = 10: waits in the slot
    clock.advance(240); // t = 250: the first confirmation
    tr.deliver(); // what was handed over arrived; 0x00 is still in the slot, made at t = 10
    await flush();
    clock.advance(10); // t = 260: the confirmation for 0x00, due a quarter of the timeout after it was made
    let atOnce = 0;
    // A transport whose confirmation answers at once (TCP with nothing unacknowledged) while the slot's write
    // waits for the transport: each answer asked for the next at once, a chain of promises that starved the
    // very timers the transport waits on (seen as a 100% spin in bench/command-path-recording.ts).
    for (let i = 0; i < 5 && tr.confirmations > 0; i++) {
      tr.deliver();
      await flush();
      if (tr.confirmations > 0) atOnce++;
    }
    assert.ok(atOnce <= 1, `${atOnce} confirmations followed one another with no time passing`);
    tr.take(); // 0x16's write completes: 0x00 is handed over
    assert.deepEqual(tr.written.at(-1), [0x00]);
    clock.advance(1000);
    while (tr.confirmations > 0) tr.deliver();
    await flush();
    assert.equal(link.state, 'connected');
    assert.deepEqual(failures, []);
  });

  it('a write stuck in flight (the OS takes nothing) times out the same way', async (t) => {
    const { link, clock } = await connected(t, { writeTimeoutMs: 500 });
    link.write(Uint8Array.of(0x16));
    link.write(Uint8Array.of(0x00)); // waits in the slot behind it
    clock.advance(500);
    await lastLook(clock);
    assert.equal(link.state, 'reconnecting');
  });

  it('asks for a confirmation a quarter of the timeout after a write; once delivered, nothing is left to time out', async (t) => {
    const { link, tr, clock } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16));
    tr.take();
    clock.advance(249);
    assert.equal(tr.confirmations, 0, 'not yet: the writes made meanwhile ride on one confirmation');
    clock.advance(1);
    assert.equal(tr.confirmations, 1);
    tr.deliver();
    await flush();
    clock.advance(60_000);
    assert.equal(link.state, 'connected');
    assert.equal(tr.confirmations, 0, 'no confirmation runs while nothing is outstanding');
  });

  it('measures each write from when it was made: one confirmation at a time, the next covers the rest', async (t) => {
    const { link, tr, clock } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16)); // t = 0
    tr.take();
    clock.advance(200);
    link.write(Uint8Array.of(0x1f)); // t = 200: handed over before the confirmation starts, covered by it
    tr.take();
    clock.advance(50); // t = 250: the confirmation starts
    assert.equal(tr.confirmations, 1);
    clock.advance(350);
    link.write(Uint8Array.of(0x5f)); // t = 600, not covered by the running confirmation
    tr.take();
    assert.equal(tr.confirmations, 1, 'still one at a time');
    clock.advance(100);
    tr.deliver(); // t = 700: 0x16 and 0x1f arrived
    await flush();
    assert.equal(tr.confirmations, 0, 'the next one waits until a quarter of the timeout after 0x5f');
    clock.advance(150); // t = 850
    assert.equal(tr.confirmations, 1);
    clock.advance(749); // t = 1599
    assert.equal(link.state, 'connected', 'past 1000 ms since 0x16, but 0x16 was delivered');
    clock.advance(1); // t = 1600: 1000 ms since 0x5f
    await lastLook(clock);
    assert.equal(link.state, 'reconnecting');
  });

  it('a write waiting in the slot when a confirmation starts is timed from when it was made', async (t) => {
    const { link, tr, clock } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16)); // t = 0, in flight until taken
    clock.advance(200);
    link.write(Uint8Array.of(0x1f)); // t = 200, waits in the slot
    clock.advance(50); // t = 250: the confirmation starts; 0x1f is not handed over, so not covered
    assert.equal(tr.confirmations, 1);
    tr.take(); // 0x16 taken, 0x1f handed over
    tr.deliver(); // covers 0x16 only
    await flush();
    clock.advance(949); // t = 1199
    assert.equal(link.state, 'connected');
    clock.advance(1); // t = 1200: 1000 ms since 0x1f, never confirmed
    await lastLook(clock);
    assert.equal(link.state, 'reconnecting');
  });

  it('close() delivers the newest write first, then ends the connection', async (t) => {
    const { link, tr, clock } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16));
    link.write(Uint8Array.of(0x00));
    const closed = link.close();
    assert.equal(link.write(Uint8Array.of(0x26)), false, 'nothing new once closing');
    tr.take();
    assert.deepEqual(tr.written, [[0x16], [0x00]]);
    tr.take();
    await flush();
    tr.deliver(); // 0x16 arrived
    await flush();
    assert.equal(tr.ended, false, 'waits for the delivery of the stop');
    // The next confirmation comes after a timer, never straight from the last one's answer: a transport
    // answering at once made that an endless chain of promises (bench/command-path-recording.ts at 100%).
    assert.equal(tr.confirmations, 0, 'no confirmation straight from the last one\'s answer');
    clock.advance(1);
    await flush();
    assert.equal(tr.confirmations, 1, 'the next one, a timer later');
    tr.deliver(); // and so did 0x00
    await closed;
    assert.equal(tr.ended, true);
    assert.equal(link.state, 'closed');
  });

  it('close() with a write waiting in the slot confirms it once the transport takes it, not in a loop before', async (t) => {
    // The loop this guards against: each confirmation answered at once asked for the next at once, a chain of
    // promises that never let the transport's timer run (the TCP link waits on one to look at its budget), so
    // the process spun at 100% and close() never ended (bench/command-path.ts at its close).
    const { link, tr } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x16)); // in flight: handed to the transport, not yet taken
    link.write(Uint8Array.of(0x00)); // in the slot
    const closed = link.close();
    await flush();
    assert.equal(tr.confirmations, 1, 'closing confirms what was handed over');
    tr.deliver();
    await flush();
    assert.equal(tr.confirmations, 0, 'nothing more to confirm until the slot\'s write is handed over');
    tr.take(); // the transport takes 0x16 and so the slot's 0x00
    await flush();
    assert.deepEqual(tr.written, [[0x16], [0x00]]);
    assert.equal(tr.confirmations, 1, 'the stop, confirmed once handed over');
    tr.take();
    tr.deliver();
    await closed;
    assert.equal(tr.ended, true);
    assert.equal(link.state, 'closed');
  });

  it('close() gives up after writeTimeoutMs when nothing is confirmed, and drops the connection', async (t) => {
    const { link, tr, clock, failures } = await connected(t, { writeTimeoutMs: 1000 });
    link.write(Uint8Array.of(0x00));
    tr.take();
    const closed = link.close();
    clock.advance(1000);
    await lastLook(clock);
    await closed;
    assert.equal(tr.destroyed, true);
    assert.equal(link.state, 'closed');
    // The close's own bound comes before the deadline's last look is over: it is the one that says so.
    assert.deepEqual(failures, ['tcp:car:1: closing without confirmation that the last write was delivered']);
  });
});
