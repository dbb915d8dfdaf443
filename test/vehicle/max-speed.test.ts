// A car's speed ceiling (--max-speed, a car's maxSpeed): the Driver is the one place every demand becomes
// bytes, so no input of any kind leaves it faster than the ceiling.
import assert from 'node:assert/strict';
import { beforeEach, describe, it, type TestContext } from 'node:test';
import { createCodec, Driver, type CodecName } from '../../src/vehicle/index.js';
import { FakeLink } from './fake-link.js';

async function started(maxSpeed: number | undefined, codec: CodecName = 'iracer') {
  const link = new FakeLink();
  const driver = new Driver({ link, codec: createCodec(codec), maxSpeed });
  await driver.start();
  return { link, driver };
}

describe('Driver maxSpeed', () => {
  beforeEach((t) => (t as TestContext).mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));

  it('caps a full analog demand and a named command with speed 15 at the ceiling', async () => {
    const { link, driver } = await started(8);
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    assert.deepEqual(link.writes.at(-1), [0x18]);
    assert.equal(driver.state.speed, 8);
    driver.drive({ kind: 'command', name: 'backward', speed: 15, durationMs: 500 });
    assert.deepEqual(link.writes.at(-1), [0x28]);
  });

  it('leaves a demand under the ceiling alone', async () => {
    const { link, driver } = await started(8);
    driver.drive({ kind: 'command', name: 'forward', speed: 5, durationMs: 500 });
    assert.deepEqual(link.writes.at(-1), [0x15]);
  });

  it('sends a raw byte as the motion it means, capped; a byte that is no motion as a stop', async () => {
    const { link, driver } = await started(8);
    driver.drive({ kind: 'raw', byte: 0x1f, durationMs: 500 });
    assert.deepEqual(link.writes.at(-1), [0x18]);
    driver.drive({ kind: 'raw', byte: 0x13, durationMs: 500 });
    assert.deepEqual(link.writes.at(-1), [0x13]);
    driver.drive({ kind: 'raw', byte: 0x9f, durationMs: 500 }); // undefined on the i-Racer
    assert.deepEqual(link.writes.at(-1), [0x00]);
  });

  it('caps an rc-app car too, whose raw speed character alone would speed up the running motion', async () => {
    const { link, driver } = await started(6, 'rc-app');
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    assert.deepEqual(link.writes.at(-1), [...Buffer.from('4F')]); // level round(6 * 10 / 15) = 4
    driver.drive({ kind: 'raw', byte: 'q'.charCodeAt(0), durationMs: 500 });
    assert.deepEqual(link.writes.at(-1), [...Buffer.from('S')]);
    driver.drive({ kind: 'raw', byte: 'F'.charCodeAt(0), durationMs: 500 }); // a fresh car's F is full speed
    assert.deepEqual(link.writes.at(-1), [...Buffer.from('4F')]);
  });

  it('without a ceiling sends what is asked, raw bytes as they are', async () => {
    const { link, driver } = await started(undefined);
    driver.drive({ kind: 'raw', byte: 0x9f, durationMs: 500 });
    assert.deepEqual(link.writes.at(-1), [0x9f]);
    driver.drive({ kind: 'analog', x: 0, y: 1 });
    assert.deepEqual(link.writes.at(-1), [0x1f]);
  });

  it('refuses a ceiling outside 1-15', () => {
    for (const bad of [0, 16, 2.5]) {
      assert.throws(() => new Driver({ link: new FakeLink(), codec: createCodec('iracer'), maxSpeed: bad }), /maxSpeed must be an integer in \[1, 15\]/);
    }
  });
});
