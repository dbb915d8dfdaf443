import assert from 'node:assert/strict';
import { beforeEach, describe, it, type TestContext } from 'node:test';
import { createCodec, Driver, type VehicleState } from '../../src/vehicle/index.js';
import { FakeLink } from './fake-link.js';

const FWD = { kind: 'command', name: 'forward' } as const;

async function started(opts: { codec?: 'iracer' | 'rc-app'; watchdogMs?: number; refreshMs?: number } = {}) {
  const link = new FakeLink();
  const driver = new Driver({ link, codec: createCodec(opts.codec ?? 'iracer'), watchdogMs: opts.watchdogMs, refreshMs: opts.refreshMs });
  const states: VehicleState[] = [];
  driver.on('state', (s: VehicleState) => states.push(s));
  await driver.start();
  return { link, driver, states };
}

describe('Driver', () => {
  beforeEach((t) => (t as TestContext).mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));

  it('stops the car as soon as the link connects (the car may hold a byte from before)', async () => {
    const { link, driver } = await started();
    assert.deepEqual(link.writes, [[0x00]]);
    assert.deepEqual(driver.state, { direction: 'stop', speed: 0, byte: 0, link: 'connected' });
  });

  it('holds a named command for its duration, then stops', async (t) => {
    const { link, driver } = await started();
    assert.deepEqual(driver.drive({ ...FWD, durationMs: 1000 }), { ok: true });
    assert.deepEqual(link.bytes, [0x00, 0x16]);
    assert.deepEqual(driver.state, { direction: 'forward', speed: 6, byte: 0x16, link: 'connected' });
    t.mock.timers.tick(999);
    assert.deepEqual(link.bytes, [0x00, 0x16]);
    t.mock.timers.tick(1);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00]);
    assert.equal(driver.state.direction, 'stop');
  });

  it('replaces the running demand at once; the old duration no longer applies', async (t) => {
    const { link, driver } = await started();
    driver.drive({ ...FWD, durationMs: 1000 });
    t.mock.timers.tick(300);
    driver.drive({ kind: 'command', name: 'backward', durationMs: 1000 });
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x26]);
    t.mock.timers.tick(800); // past the first command's end
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x26]);
    t.mock.timers.tick(200);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x26, 0x00]);
  });

  it('stops an analog demand that is not refreshed within watchdogMs', async (t) => {
    const { link, driver } = await started({ watchdogMs: 500 });
    let fired = 0;
    driver.on('watchdog', () => fired++);
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    assert.deepEqual(link.bytes, [0x00, 0x1f]);
    t.mock.timers.tick(499);
    assert.deepEqual(link.bytes, [0x00, 0x1f]);
    t.mock.timers.tick(1);
    assert.deepEqual(link.bytes, [0x00, 0x1f, 0x00]);
    assert.equal(fired, 1);
  });

  it('keeps going while analog demands are refreshed, writing only on change', async (t) => {
    const { link, driver } = await started({ watchdogMs: 500 });
    for (let i = 0; i < 10; i++) {
      driver.drive({ kind: 'analog', x: 0, y: 1 });
      t.mock.timers.tick(400);
    }
    assert.deepEqual(link.bytes, [0x00, 0x1f], 'the same byte is written once');
    driver.drive({ kind: 'analog', x: -0.8, y: 0.8 });
    t.mock.timers.tick(400);
    driver.drive({ kind: 'analog', x: -0.8, y: 0.8 });
    assert.deepEqual(link.bytes, [0x00, 0x1f, 0x5f]);
    t.mock.timers.tick(500);
    assert.deepEqual(link.bytes, [0x00, 0x1f, 0x5f, 0x00]);
  });

  it('treats a centred stick as a stop that needs no watchdog', async (t) => {
    const { link, driver } = await started();
    driver.drive({ kind: 'analog', x: 0.5, y: 0.5 });
    driver.drive({ kind: 'analog', x: 0.05, y: -0.05 });
    t.mock.timers.tick(5000);
    assert.deepEqual(link.bytes, [0x00, 0x6a, 0x00]);
  });

  it('stop() writes a stop only if the car is not already stopped', async () => {
    const { link, driver } = await started();
    driver.stop();
    assert.deepEqual(link.bytes, [0x00]);
    driver.drive({ kind: 'command', name: 'right' });
    driver.stop();
    driver.drive({ kind: 'command', name: 'stop' });
    assert.deepEqual(link.bytes, [0x00, 0x67, 0x00]);
  });

  it('writes a raw byte as given, reports what it means, and stops after its duration', async (t) => {
    const { link, driver } = await started();
    driver.drive({ kind: 'raw', byte: 0x85, durationMs: 1000 });
    assert.deepEqual(driver.state, { direction: 'backward-right', speed: 5, byte: 0x85, link: 'connected' });
    driver.drive({ kind: 'raw', byte: 0x85, durationMs: 1000 }); // same byte: not re-sent, duration restarts
    t.mock.timers.tick(1000);
    assert.deepEqual(link.bytes, [0x00, 0x85, 0x00]);
    driver.drive({ kind: 'raw', byte: 0xa0 }); // undefined on the i-Racer: sent, but no invented motion
    assert.equal(driver.state.byte, 0xa0);
    assert.equal(driver.state.direction, 'stop');
    driver.stop();
    assert.deepEqual(link.bytes, [0x00, 0x85, 0x00, 0xa0, 0x00], 'an unknown byte is not a stop');
  });

  it('rejects a malformed demand with a TypeError and leaves the running one alone', async (t) => {
    const { link, driver } = await started();
    driver.drive({ ...FWD, durationMs: 1000 });
    assert.throws(() => driver.drive({ kind: 'analog', x: 3, y: 0 }), TypeError);
    assert.throws(() => driver.drive({ kind: 'raw', byte: -1 }), TypeError);
    t.mock.timers.tick(999);
    assert.deepEqual(link.bytes, [0x00, 0x16]);
    t.mock.timers.tick(1);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00]);
  });

  it('stops the car on close: the last byte is a stop, and nothing is written after', async (t) => {
    const { link, driver } = await started();
    driver.drive({ kind: 'analog', x: 1, y: 0.2 });
    await driver.close();
    assert.deepEqual(link.bytes, [0x00, 0x4f, 0x00]);
    assert.ok(link.closed);
    assert.deepEqual(driver.state, { direction: 'stop', speed: 0, byte: 0x00, link: 'closed' });
    assert.deepEqual(driver.drive(FWD), { ok: false, reason: 'link_down' });
    t.mock.timers.tick(10_000);
    assert.deepEqual(link.bytes, [0x00, 0x4f, 0x00]);
    await driver.close(); // idempotent
  });

  it('does not write a second stop on close when the car already stands', async () => {
    const { link, driver } = await started();
    await driver.close();
    assert.deepEqual(link.bytes, [0x00]);
  });

  it('drops and reports demands while the link is down, and never fires them later', async (t) => {
    const { link, driver, states } = await started();
    const dropped: unknown[] = [];
    driver.on('dropped', (d) => dropped.push(d));
    driver.drive({ ...FWD, durationMs: 1000 });
    t.mock.timers.tick(300);
    link.setState('reconnecting');
    assert.deepEqual(driver.state, { direction: 'stop', speed: 0, byte: null, link: 'reconnecting' });
    assert.deepEqual(driver.drive({ kind: 'command', name: 'left', durationMs: 1000 }), { ok: false, reason: 'link_down' });
    assert.deepEqual(driver.drive({ kind: 'analog', x: 0, y: 1 }), { ok: false, reason: 'link_down' });
    assert.equal(dropped.length, 2);
    assert.deepEqual(dropped[0], { demand: { kind: 'command', name: 'left', durationMs: 1000 }, reason: 'link_down' });
    t.mock.timers.tick(200);
    link.setState('connected');
    t.mock.timers.tick(10_000);
    // After the outage: only the resynchronising stop; neither the dropped demands nor the old timer.
    assert.deepEqual(link.writes, [[0x00], [0x16], [0x00]]);
    assert.deepEqual(states.at(-1), { direction: 'stop', speed: 0, byte: 0, link: 'connected' });
  });

  it('speaks rc-app: pairs for motion, S to stop, and the pair is re-sent when either half changes', async (t) => {
    const { link, driver } = await started({ codec: 'rc-app' });
    const text = () => link.writes.map((w) => String.fromCharCode(...w));
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    driver.drive({ kind: 'analog', x: 0, y: 0.5 });
    driver.drive({ kind: 'analog', x: 0.5, y: 0.5 });
    t.mock.timers.tick(500);
    assert.deepEqual(text(), ['S', 'qF', '5F', '7I', 'S']);
    assert.deepEqual(driver.state, { direction: 'stop', speed: 0, byte: 'S'.charCodeAt(0), link: 'connected' });
  });

  it('refuses a nonsensical watchdog', () => {
    assert.throws(() => new Driver({ link: new FakeLink(), codec: createCodec('iracer'), watchdogMs: 0 }), RangeError);
  });
});


describe('Driver close', () => {
  it('refuses demands made from a state listener during the final stop', async () => {
    const link = new FakeLink();
    const driver = new Driver({ link, codec: createCodec('iracer') });
    await driver.start();
    driver.drive({ kind: 'command', name: 'forward' });
    const results: unknown[] = [];
    driver.on('state', () => results.push(driver.drive({ kind: 'command', name: 'forward' })));
    await driver.close();
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00]);
    assert.ok(results.length > 0 && results.every((r) => (r as { ok: boolean }).ok === false));
  });
});

describe('Driver.emergencyStop', () => {
  beforeEach((t) => (t as TestContext).mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));

  it('writes the stop at once through writeNow, cancels the running demand, and refuses later ones', async (t) => {
    const { link, driver } = await started();
    driver.drive({ ...FWD, durationMs: 1000 });
    assert.equal(driver.emergencyStop(), true);
    assert.deepEqual(link.writes, [[0x00], [0x16], [0x00]]);
    assert.deepEqual(link.urgent, [2], 'the stop went through writeNow');
    assert.deepEqual(driver.state, { direction: 'stop', speed: 0, byte: 0x00, link: 'connected' });
    assert.deepEqual(driver.drive(FWD), { ok: false, reason: 'link_down' });
    t.mock.timers.tick(10_000);
    await driver.close();
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00], 'nothing after it, not even a second stop on close');
  });

  it('writes a stop even when the car is believed to stand already (it is the last resort)', async () => {
    const { link, driver } = await started();
    assert.equal(driver.emergencyStop(), true);
    assert.deepEqual(link.bytes, [0x00, 0x00]);
  });

  it('reports false, and writes nothing, while the link is down', async () => {
    const { link, driver } = await started();
    link.setState('reconnecting');
    assert.equal(driver.emergencyStop(), false);
    assert.deepEqual(link.bytes, [0x00]);
  });

  it('never throws, even when the link does', async () => {
    const { link, driver } = await started();
    link.writeNow = () => {
      throw new Error('EBADF');
    };
    assert.equal(driver.emergencyStop(), false);
  });
});

describe('Driver refreshMs', () => {
  beforeEach((t) => (t as TestContext).mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));

  it('writes the held bytes again every refreshMs while the car moves, and stops doing so once it stands', async (t) => {
    const { link, driver } = await started({ refreshMs: 250 });
    driver.drive(FWD);
    t.mock.timers.tick(249);
    assert.deepEqual(link.bytes, [0x00, 0x16]);
    t.mock.timers.tick(1);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x16]);
    driver.drive({ kind: 'command', name: 'left' });
    t.mock.timers.tick(500);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x16, 0x57, 0x57, 0x57]);
    driver.stop();
    t.mock.timers.tick(5_000);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x16, 0x57, 0x57, 0x57, 0x00], 'a standing car is not refreshed');
  });

  it('does not refresh across a link outage, nor after close', async (t) => {
    const { link, driver } = await started({ refreshMs: 100 });
    driver.drive(FWD);
    link.setState('reconnecting');
    link.setState('connected');
    t.mock.timers.tick(1_000);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00]);
    driver.drive(FWD);
    await driver.close();
    t.mock.timers.tick(1_000);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00, 0x16, 0x00]);
  });

  it('is off by default, and refuses a nonsensical period', async (t) => {
    const { link, driver } = await started();
    driver.drive(FWD);
    t.mock.timers.tick(10_000);
    assert.deepEqual(link.bytes, [0x00, 0x16]);
    for (const refreshMs of [-1, NaN, Infinity]) {
      assert.throws(() => new Driver({ link: new FakeLink(), codec: createCodec('iracer'), refreshMs }), RangeError);
    }
  });
});

describe('Driver with listeners that throw', () => {
  it('still stops the car on (re)connect when a link listener registered before it throws', async () => {
    const link = new FakeLink();
    const reported: Array<[string, string]> = [];
    link.on('state', () => {
      throw new Error('a logger broke');
    });
    link.on('listenerError', (err: Error, event: string) => reported.push([event, err.message]));
    const driver = new Driver({ link, codec: createCodec('iracer') });
    await driver.start();
    assert.deepEqual(link.bytes, [0x00], "the Driver's own listener ran");
    assert.equal(driver.state.link, 'connected');
    assert.deepEqual(reported, [['state', 'a logger broke']]);
  });

  it('keeps its timers and its other listeners when one of its own listeners throws', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { link, driver } = await started();
    const reported: unknown[] = [];
    const seen: number[] = [];
    driver.on('state', () => {
      throw new Error('hub broke');
    });
    driver.on('state', (s: VehicleState) => seen.push(s.byte ?? -1));
    driver.on('listenerError', (err: Error, event: string) => reported.push([event, err.message]));
    assert.deepEqual(driver.drive({ ...FWD, durationMs: 100 }), { ok: true });
    t.mock.timers.tick(100);
    assert.deepEqual(link.bytes, [0x00, 0x16, 0x00], 'the hold ended in a stop');
    assert.deepEqual(seen, [0x16, 0x00]);
    assert.equal(reported.length, 2);
  });
});
