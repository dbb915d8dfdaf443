import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodec, describeBytes, type Direction } from '../../src/vehicle/index.js';
import { rcAppAccessory } from '../../src/vehicle/codecs/rc-app.js';

const MOVING: Direction[] = [
  'forward', 'backward', 'left', 'right', 'forward-left', 'forward-right', 'backward-left', 'backward-right',
];

describe('iracer codec (PROTOCOL.md 1: 0xXY)', () => {
  const codec = createCodec('iracer');
  // The direction nibble, written out from the table rather than derived from the implementation.
  const X: Record<Direction, number> = {
    'stop': 0, 'forward': 1, 'backward': 2, 'left': 3, 'right': 4,
    'forward-left': 5, 'forward-right': 6, 'backward-left': 7, 'backward-right': 8,
  };

  it('encodes every direction x speed as one byte 0xXY, and decodes it back', () => {
    for (const direction of MOVING) {
      for (let speed = 0; speed <= 15; speed++) {
        const bytes = codec.encode({ direction, speed });
        assert.deepEqual([...bytes], [X[direction] * 16 + speed], `${direction} ${speed}`);
        assert.deepEqual(codec.decoder()(bytes[0]), { direction, speed });
      }
    }
  });

  it('encodes stop as 0x00 whatever the speed, and treats every 0x0Y as a stop', () => {
    for (let speed = 0; speed <= 15; speed++) assert.deepEqual([...codec.encode({ direction: 'stop', speed })], [0x00]);
    for (let y = 0; y <= 15; y++) {
      assert.equal(codec.decoder()(y)?.direction, 'stop');
      assert.equal(codec.isStop(Uint8Array.of(y)), true);
    }
    assert.equal(codec.isStop(Uint8Array.of(0x10)), false);
  });

  it('does not invent a meaning for 0x90-0xFF', () => {
    for (let b = 0x90; b <= 0xff; b++) assert.equal(codec.decoder()(b), null);
  });

  it("maps named commands to the seed's bytes, with an explicit speed overriding the nibble", () => {
    const byte = (name: 'forward' | 'backward' | 'left' | 'right', speed?: number) => codec.encode(codec.command(name, speed))[0];
    assert.equal(byte('forward'), 0x16);
    assert.equal(byte('backward'), 0x26);
    assert.equal(byte('left'), 0x57);
    assert.equal(byte('right'), 0x67);
    assert.equal(byte('forward', 15), 0x1f);
    assert.equal(byte('left', 1), 0x51);
    assert.deepEqual([...codec.stopBytes], [0x00]);
  });
});

describe('rc-app codec ("Bluetooth RC Controller" characters)', () => {
  const codec = createCodec('rc-app');
  const DIR: Record<Direction, string> = {
    'stop': 'S', 'forward': 'F', 'backward': 'B', 'left': 'L', 'right': 'R',
    'forward-left': 'G', 'forward-right': 'I', 'backward-left': 'H', 'backward-right': 'J',
  };
  // Speed step 1..15 -> speed character (round(step * 10 / 15), never '0'), written out by hand.
  const SPEED_CHAR = ['', '1', '1', '2', '3', '3', '4', '5', '5', '6', '7', '7', '8', '9', '9', 'q'];
  // Level read back -> speed step: round(level * 1.5).
  const LEVEL_STEP: Record<string, number> = { 1: 2, 2: 3, 3: 5, 4: 6, 5: 8, 6: 9, 7: 11, 8: 12, 9: 14, q: 15 };
  const text = (b: Uint8Array) => String.fromCharCode(...b);

  it('encodes every moving direction x speed as the pair [speed char, direction char]', () => {
    for (const direction of MOVING) {
      for (let speed = 1; speed <= 15; speed++) {
        const bytes = codec.encode({ direction, speed });
        assert.equal(text(bytes), SPEED_CHAR[speed] + DIR[direction], `${direction} ${speed}`);
        assert.deepEqual(describeBytes(codec, bytes), { direction, speed: LEVEL_STEP[SPEED_CHAR[speed]] });
        assert.equal(codec.isStop(bytes), false);
      }
    }
  });

  it("encodes stop as the single 'S'", () => {
    assert.equal(text(codec.encode({ direction: 'stop', speed: 9 })), 'S');
    assert.equal(text(codec.stopBytes), 'S');
    assert.equal(codec.isStop(codec.stopBytes), true);
    assert.equal(codec.isStop(Uint8Array.of(0x44)), true, "'D' (everything off) stops too");
  });

  it('judges a sequence stopped by its last direction character', () => {
    const stopped = (s: string) => codec.isStop(Uint8Array.from(s, (c) => c.charCodeAt(0)));
    assert.equal(stopped('qFW'), false);
    assert.equal(stopped('SW5'), true);
    assert.equal(stopped('FD'), true);
    assert.equal(stopped('5'), false, 'a speed alone says nothing');
    assert.equal(stopped(''), false);
  });

  it('decodes like a car: a speed character changes the speed of the current motion', () => {
    const decode = codec.decoder();
    assert.deepEqual(decode('F'.charCodeAt(0)), { direction: 'forward', speed: 15 }, 'a fresh car runs at 100%');
    assert.deepEqual(decode('0'.charCodeAt(0)), { direction: 'forward', speed: 0 });
    assert.deepEqual(decode('5'.charCodeAt(0)), { direction: 'forward', speed: 8 });
    assert.deepEqual(decode('J'.charCodeAt(0)), { direction: 'backward-right', speed: 8 });
    assert.deepEqual(decode('S'.charCodeAt(0)), { direction: 'stop', speed: 0 });
    assert.deepEqual(decode('q'.charCodeAt(0)), { direction: 'stop', speed: 0 }, 'speed alone does not move a stopped car');
    assert.deepEqual(decode('G'.charCodeAt(0)), { direction: 'forward-left', speed: 15 });
    assert.deepEqual(decode('D'.charCodeAt(0)), { direction: 'stop', speed: 0 });
  });

  it('ignores accessory characters for motion and names them', () => {
    const decode = codec.decoder();
    for (const c of 'WwUuVvXx') {
      assert.equal(decode(c.charCodeAt(0)), null, c);
      assert.ok(rcAppAccessory(c.charCodeAt(0)), c);
    }
    assert.equal(rcAppAccessory('F'.charCodeAt(0)), null);
    assert.equal(decode(0x00), null);
    assert.equal(decode(0xff), null);
  });

  it('maps named commands to F/B/L/R at 70%, explicit speed overriding', () => {
    const send = (name: 'forward' | 'backward' | 'left' | 'right', speed?: number) => text(codec.encode(codec.command(name, speed)));
    assert.equal(send('forward'), '7F');
    assert.equal(send('backward'), '7B');
    assert.equal(send('left'), '7L');
    assert.equal(send('right'), '7R');
    assert.equal(send('forward', 15), 'qF');
  });
});

describe('createCodec', () => {
  it('throws a clear error for an unknown name', () => {
    assert.throws(() => createCodec('nope' as never), /unknown codec 'nope'.*iracer, rc-app/);
  });
});
