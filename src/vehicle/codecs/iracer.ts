// The i-Racer's one-byte protocol (PROTOCOL.md section 1): 0xXY, X = direction, Y = speed 0-15.
// Named commands default to the seed's own bytes: forward 0x16, backward 0x26, left 0x57, right 0x67.

import type { Codec } from '../codec.js';
import { MAX_SPEED, STOP, type Direction, type Intent } from '../demand.js';

/** Direction nibble X, indexed by its value. */
export const IRACER_DIRECTIONS: readonly Direction[] = [
  'stop', 'forward', 'backward', 'left', 'right',
  'forward-left', 'forward-right', 'backward-left', 'backward-right',
];

/** The seed's bytes as (direction, speed): the seed's "left" and "right" drive forward while steering. */
const SEED_COMMANDS: Record<'forward' | 'backward' | 'left' | 'right', Intent> = {
  forward: { direction: 'forward', speed: 0x6 },
  backward: { direction: 'backward', speed: 0x6 },
  left: { direction: 'forward-left', speed: 0x7 },
  right: { direction: 'forward-right', speed: 0x7 },
};

export function iracerByte(intent: Intent): number {
  if (intent.direction === 'stop') return 0x00;
  const x = IRACER_DIRECTIONS.indexOf(intent.direction);
  const y = Math.max(0, Math.min(MAX_SPEED, Math.round(intent.speed)));
  return (x << 4) | y;
}

/** Null for X > 8, which the car does not define. Any 0x0Y is a stop. */
export function decodeIracerByte(byte: number): Intent | null {
  const x = byte >> 4;
  if (x >= IRACER_DIRECTIONS.length) return null;
  if (x === 0) return STOP;
  return { direction: IRACER_DIRECTIONS[x], speed: byte & 0x0f };
}

export const iracerCodec: Codec = {
  name: 'iracer',
  encode: (intent) => Uint8Array.of(iracerByte(intent)),
  command(name, speed) {
    const seed = SEED_COMMANDS[name];
    return speed === undefined ? seed : { direction: seed.direction, speed };
  },
  stopBytes: Uint8Array.of(0x00),
  isStop: (bytes) => bytes.length > 0 && bytes[bytes.length - 1] >> 4 === 0,
  decoder: () => decodeIracerByte,
};
