// Lights and horn on an rc-app car: the characters, another app's characters (--charmap), and the rule
// that makes them safe: an accessory never moves the car, never replaces a stop, and never feeds or
// cancels the watchdog.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it, type TestContext } from 'node:test';
import {
  ACCESSORY_NAMES, CharmapError, createCodec, describeBytes, Driver, parseCharmap, readCharmapFile, type Codec,
} from '../../src/vehicle/index.js';
import { ACCESSORIES } from '../../src/control/protocol/messages.js';
import { FakeLink } from './fake-link.js';

const chars = (bytes: Uint8Array | null): string | null => (bytes === null ? null : String.fromCharCode(...bytes));

describe('rc-app accessories', () => {
  const codec = createCodec('rc-app');

  it('has the four of the common app, as its on and off letters; all off is each off letter, not D', () => {
    assert.deepEqual(codec.accessories, ['front-lights', 'back-lights', 'horn', 'extra']);
    assert.deepEqual(ACCESSORY_NAMES, ACCESSORIES, 'the wire protocol lists the same names');
    assert.equal(chars(codec.accessory!('front-lights', true)), 'W');
    assert.equal(chars(codec.accessory!('back-lights', false)), 'u');
    assert.equal(chars(codec.accessory!('horn', true)), 'V');
    assert.equal(chars(codec.accessory!('extra', false)), 'x');
    assert.equal(chars(codec.accessory!('all', false)), 'wuvx');
    assert.equal(codec.accessory!('all', true), null);
    assert.equal(createCodec('iracer').accessories, undefined, 'the i-Racer has none');
  });

  it('a name that is none of its accessories has no character, whatever a plain object\'s prototype holds', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.equal(codec.accessory!(name as 'horn', true), null, name);
      assert.equal(codec.accessory!(name as 'horn', false), null, name);
    }
  });

  it('no accessory character changes what a moving or stopped car does', () => {
    for (const motion of [codec.encode({ direction: 'forward-left', speed: 9 }), codec.stopBytes]) {
      for (const name of [...ACCESSORY_NAMES, 'all'] as const) {
        for (const on of [true, false]) {
          const bytes = codec.accessory!(name, on);
          if (bytes === null) continue;
          const decode = codec.decoder();
          for (const b of bytes) assert.equal(decode(b), null, `${name} ${on}`);
          assert.deepEqual(describeBytes(codec, Uint8Array.from([...motion, ...bytes])), describeBytes(codec, motion));
          assert.equal(codec.isStop(Uint8Array.from([...motion, ...bytes])), codec.isStop(motion));
        }
      }
    }
  });
});

describe('--charmap: another app\'s characters', () => {
  it('replaces the fields it names and keeps the rest; null removes an accessory', () => {
    const map = parseCharmap({ forward: 'A', 'forward-left': 0x51, speeds: 'abcdefghijk', horn: null, extra: { on: '+', off: '-' } });
    const codec: Codec = createCodec('rc-app', map);
    assert.equal(chars(codec.encode({ direction: 'forward', speed: 15 })), 'kA');
    assert.equal(chars(codec.encode({ direction: 'forward-left', speed: 1 })), 'bQ');
    assert.equal(chars(codec.encode({ direction: 'backward', speed: 15 })), 'kB', 'left as it was');
    assert.deepEqual(codec.accessories, ['front-lights', 'back-lights', 'extra']);
    assert.equal(codec.accessory!('horn', true), null);
    assert.equal(chars(codec.accessory!('extra', true)), '+');
    assert.equal(chars(codec.accessory!('all', false)), 'wu-');
    assert.deepEqual(describeBytes(codec, Uint8Array.from('dA', (c) => c.charCodeAt(0))), { direction: 'forward', speed: 5 });
    assert.equal(codec.isStop(Uint8Array.of('S'.charCodeAt(0))), true);
  });

  it('a mistake is an error naming the field; no character may mean two things', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /must be a JSON object/],
      [{ fwd: 'F' }, /unknown field "fwd"/],
      [{ forward: 'FF' }, /"forward": must be one character or a byte 0-255, got "FF"/],
      [{ stop: 300 }, /"stop": must be one character or a byte 0-255, got 300/],
      [{ speeds: '0123' }, /"speeds": must be 11 characters/],
      [{ horn: 'Vv' }, /"horn": must be \{"on": CHAR, "off": CHAR\} or null/],
      [{ horn: { on: 'V' } }, /"horn": must be/],
      [{ horn: { on: 'F', off: 'f' } }, /"horn.on": 'F' is also "forward"/],
      [{ speeds: '0123456789F' }, /'F' is also "forward"/],
      [{ left: 'R' }, /'R' is also "left"|'L' is also/],
      [{ 'all-off': 'w' }, /"all-off": 'w' is also "front-lights.off"/],
    ];
    for (const [json, pattern] of cases) {
      assert.throws(() => parseCharmap(json), (err: unknown) => err instanceof CharmapError && pattern.test(err.message), JSON.stringify(json));
    }
  });

  it('a file: read, checked, its errors naming the file', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'webracer-charmap-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'clone.json');
    writeFileSync(file, JSON.stringify({ horn: { on: 'Y', off: 'y' } }));
    assert.equal(chars(createCodec('rc-app', readCharmapFile(file)).accessory!('horn', true)), 'Y');
    writeFileSync(file, '{"horn": ');
    assert.throws(() => readCharmapFile(file), new RegExp(`^CharmapError: ${file}: .*JSON`));
    assert.throws(() => readCharmapFile(join(dir, 'missing.json')), /missing\.json: no such file/);
  });
});

describe('Driver.accessory', () => {
  beforeEach((t) => (t as TestContext).mock.timers.enable({ apis: ['setTimeout'] }));

  async function started(codec: 'iracer' | 'rc-app' = 'rc-app') {
    const link = new FakeLink();
    const driver = new Driver({ link, codec: createCodec(codec), watchdogMs: 500 });
    await driver.start();
    return { link, driver };
  }

  it('writes the accessory, then again what the car holds; the state does not change', async () => {
    const { link, driver } = await started();
    assert.deepEqual(driver.accessory('front-lights', true), { ok: true });
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    const state = driver.state;
    assert.deepEqual(driver.accessory('horn', true), { ok: true });
    assert.deepEqual(link.writes.map((w) => String.fromCharCode(...w)), ['S', 'WS', 'qF', 'VqF']);
    assert.equal(driver.state, state, 'no state event, no change');
  });

  it('neither feeds nor cancels the watchdog: a car driven, then only honked at, stops on time', async (t) => {
    const { link, driver } = await started();
    let fired = 0;
    driver.on('watchdog', () => fired++);
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    for (let i = 0; i < 4; i++) {
      t.mock.timers.tick(100);
      driver.accessory('horn', i % 2 === 0);
    }
    t.mock.timers.tick(99);
    assert.equal(fired, 0);
    t.mock.timers.tick(1);
    assert.equal(fired, 1);
    assert.equal(String.fromCharCode(...link.writes.at(-1)!), 'S');
    assert.equal(driver.state.direction, 'stop');
    driver.accessory('horn', false);
    assert.equal(String.fromCharCode(...link.writes.at(-1)!), 'vS', 'after a stop, the stop is what follows');
  });

  it('a car without accessories, or a link down: refused, nothing written', async () => {
    const { link, driver } = await started('iracer');
    assert.deepEqual(driver.accessory('horn', true), { ok: false, reason: 'unsupported' });
    const rc = await started();
    rc.link.setState('reconnecting');
    assert.deepEqual(rc.driver.accessory('horn', true), { ok: false, reason: 'link_down' });
    assert.deepEqual(link.writes, [[0x00]]);
  });
});
