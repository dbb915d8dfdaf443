// A codec turns an Intent into the bytes one kind of car understands, and back (for the simulator and the
// device emulator). Codecs are pure: no timers, no I/O, no memory of what was sent. This file is what every
// codec (codecs/*) implements; create-codec.ts, above them, picks one by name.

import type { AccessoryName } from './accessories.js';
import type { CommandName, Intent } from './demand.js';

export type CodecName = 'iracer' | 'rc-app';
export const CODEC_NAMES: readonly CodecName[] = ['iracer', 'rc-app'];

/** Reads a car's byte stream one byte at a time, as the car would; some protocols carry state (speed). */
export type Decoder = (byte: number) => Intent | null;

export interface Codec {
  readonly name: CodecName;
  /** The whole byte sequence that puts the car into this motion. */
  encode(intent: Intent): Uint8Array;
  /** The motion a named command means on this car (explicit speed 1-15 overrides the default). */
  command(name: Exclude<CommandName, 'stop'>, speed?: number): Intent;
  /** The bytes that stop the car. */
  readonly stopBytes: Uint8Array;
  /** Whether the car, having last received these bytes, is standing still. */
  isStop(bytes: Uint8Array): boolean;
  /** A fresh decoder: returns the car's motion after each byte, or null when the byte means nothing to it. */
  decoder(): Decoder;
  /** The accessories this car has (none when absent). */
  readonly accessories?: readonly AccessoryName[];
  /** The bytes that switch one on or off (`all` off: every one), or null when the car has no such thing.
   *  They never change the car's motion. */
  accessory?(name: AccessoryName | 'all', on: boolean): Uint8Array | null;
}

/** What a byte sequence does to a car that was standing still: the last motion a fresh decoder reports. */
export function describeBytes(codec: Codec, bytes: Uint8Array): Intent | null {
  const decode = codec.decoder();
  let last: Intent | null = null;
  for (const b of bytes) last = decode(b) ?? last;
  return last;
}
