// The single-character protocol of the "Bluetooth RC Controller" Android app (by Andi.Co: the listing of
// its sibling app com.andico.control.joystick names it), the de facto standard of HC-05/HC-06 hobby cars,
// usually called the "Arduino Bluetooth RC Car" protocol.
//
// Sources (read to confirm the table, nothing copied): the command list that the app publishes and that
// hobby sketches reproduce in their comments, e.g. a 2013 C++ robot header (Robot.h, "Forward F ... Speed
// 100 q") and an ESP32 car sketch listing the full set (Horn V/v, Extra X/x, "Everything OFF D"), both
// found in public GitHub code; the table matches across them:
//   F forward, B back, L left, R right, G forward-left, I forward-right, H back-left, J back-right, S stop,
//   '0'..'9' speed 0%..90%, 'q' speed 100%, W/w front lights on/off, U/u back lights on/off,
//   V/v horn on/off, X/x extra on/off, D everything off.
//
// How a demand maps onto characters (our design): a moving intent is the pair [speed char, direction
// char], speed first so the car never moves for an instant at the old speed; a stop is the single 'S'.
// The driver's "write only on change" compares whole sequences, so a change of speed or of direction
// re-sends the pair (which also re-synchronises a car that missed a character).
// Speed: our 1-15 scale maps to levels 1-10 ('1'..'9', 'q') by rounding speed * 10 / 15 (never to '0',
// which would stall a moving car); a level read back maps to round(level * 15 / 10).
// Accessories (lights, horn, extra) are characters that never move the car; "all off" is sent as each
// accessory's off character, not 'D', which also stops the car. The characters can be another app's
// (rc-app-charmap.ts, --charmap).

import { ACCESSORY_NAMES, type AccessoryName } from '../accessories.js';
import type { Codec, Decoder } from '../codec.js';
import { MAX_SPEED, STOP, type Direction, type Intent } from '../demand.js';
import { DEFAULT_RC_APP_CHARMAP, type RcAppCharmap } from './rc-app-charmap.js';

/** Accessory characters of the default map: no effect on motion, named for the emulator's printout. */
const ACCESSORIES: Record<string, string> = {
  W: 'front lights on', w: 'front lights off', U: 'back lights on', u: 'back lights off',
  V: 'horn on', v: 'horn off', X: 'extra on', x: 'extra off', D: 'everything off',
};

/** Named commands hold at 70% ('7'): slow enough to be safe indoors, fast enough to overcome friction. */
export const RC_APP_COMMAND_SPEED = 10;

export function rcAppLevel(speed: number): number {
  return Math.max(1, Math.min(10, Math.round((speed * 10) / MAX_SPEED)));
}

export function rcAppSpeedFromLevel(level: number): number {
  return Math.round((level * MAX_SPEED) / 10);
}

export function rcAppAccessory(byte: number): string | null {
  return ACCESSORIES[String.fromCharCode(byte)] ?? null;
}

/** An rc-app codec speaking the characters of `map` (default: the Bluetooth RC Controller app's). */
export function createRcAppCodec(map: RcAppCharmap = DEFAULT_RC_APP_CHARMAP): Codec {
  const chars = map.directions;
  const directionOf = new Map<number, Direction>(Object.entries(chars).map(([d, b]) => [b, d as Direction]));
  const stopBytes = Uint8Array.of(chars.stop);
  const names = ACCESSORY_NAMES.filter((n) => map.accessories[n] !== undefined);
  const offs = Uint8Array.from(names.map((n) => map.accessories[n]!.off));

  /** A car that starts at full speed (what most sketches default to) and standing still. */
  const decoder = (): Decoder => {
    let level = 10;
    let direction: Direction = 'stop';
    const motion = (): Intent => (direction === 'stop' ? STOP : { direction, speed: rcAppSpeedFromLevel(level) });
    return (byte) => {
      const speedLevel = map.speeds.indexOf(byte);
      if (speedLevel >= 0) {
        level = speedLevel;
        return motion();
      }
      const d = byte === map.allOff ? 'stop' : directionOf.get(byte);
      if (d === undefined) return null;
      direction = d;
      return motion();
    };
  };

  return {
    name: 'rc-app',
    encode(intent) {
      if (intent.direction === 'stop') return stopBytes;
      return Uint8Array.of(map.speeds[rcAppLevel(intent.speed)], chars[intent.direction]);
    },
    command: (name, speed) => ({ direction: name, speed: speed ?? RC_APP_COMMAND_SPEED }),
    stopBytes,
    isStop(bytes) {
      // The last character that sets a direction decides; speed and accessory characters do not move a car.
      const last = [...bytes].reverse().find((b) => directionOf.has(b) || b === map.allOff);
      return last !== undefined && (last === map.allOff || directionOf.get(last) === 'stop');
    },
    decoder,
    accessories: names,
    accessory(name: AccessoryName | 'all', on: boolean) {
      if (name === 'all') return on || offs.length === 0 ? null : offs;
      // Only this car's own names: any other text (`constructor`, `__proto__`) would find the prototype's.
      if (!names.includes(name)) return null;
      const pair = map.accessories[name]!;
      return Uint8Array.of(on ? pair.on : pair.off);
    },
  };
}

export const rcAppCodec: Codec = createRcAppCodec();
