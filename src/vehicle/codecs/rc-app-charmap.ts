// Which character means what to an rc-app car. The common "Arduino Bluetooth RC Car" clones agree on the
// idea (one character per direction, speed levels, accessory on/off pairs) but not always on the letters,
// so `--charmap FILE` may replace any of them. The file is JSON, each field optional (what it leaves out
// keeps the default), checked before anything starts: one character (or a byte 0-255) per value, and no
// character used twice, so an accessory can never be read by the car as a motion.
//
//   { "forward": "F", "backward": "B", "left": "L", "right": "R", "forward-left": "G", "forward-right": "I",
//     "backward-left": "H", "backward-right": "J", "stop": "S", "speeds": "0123456789q",
//     "front-lights": {"on": "W", "off": "w"}, "back-lights": {"on": "U", "off": "u"},
//     "horn": {"on": "V", "off": "v"}, "extra": {"on": "X", "off": "x"}, "all-off": "D" }
//
// An accessory or "all-off" set to null: the car has none.

import { readFileSync } from 'node:fs';
import { ACCESSORY_NAMES, type AccessoryName } from '../accessories.js';
import type { Direction } from '../demand.js';

export interface RcAppCharmap {
  directions: Readonly<Record<Direction, number>>;
  /** Levels 0 (stopped) to 10 (full speed). */
  speeds: readonly number[];
  accessories: Readonly<Partial<Record<AccessoryName, { on: number; off: number }>>>;
  /** The "everything off" character: it also stops the car. */
  allOff: number | null;
}

const DIRECTIONS: readonly Direction[] = [
  'forward', 'backward', 'left', 'right', 'forward-left', 'forward-right', 'backward-left', 'backward-right', 'stop',
];
export const SPEED_LEVELS = 11;

const code = (c: string): number => c.charCodeAt(0);

export const DEFAULT_RC_APP_CHARMAP: RcAppCharmap = Object.freeze({
  directions: Object.freeze({
    'stop': code('S'), 'forward': code('F'), 'backward': code('B'), 'left': code('L'), 'right': code('R'),
    'forward-left': code('G'), 'forward-right': code('I'), 'backward-left': code('H'), 'backward-right': code('J'),
  }),
  speeds: Object.freeze([...'0123456789q'].map(code)),
  accessories: Object.freeze({
    'front-lights': { on: code('W'), off: code('w') }, 'back-lights': { on: code('U'), off: code('u') },
    'horn': { on: code('V'), off: code('v') }, 'extra': { on: code('X'), off: code('x') },
  }),
  allOff: code('D'),
});

/** A charmap that cannot be used, with the field at fault first: `"horn.on": ...`. */
export class CharmapError extends Error {
  override name = 'CharmapError';
}

/** Reads and checks a charmap file; the error names the file and the field. */
export function readCharmapFile(path: string): RcAppCharmap {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new CharmapError(`${path}: ${why}`);
  }
  try {
    return parseCharmap(json);
  } catch (err) {
    if (err instanceof CharmapError) throw new CharmapError(`${path}: ${err.message}`);
    throw err;
  }
}

/** The default charmap with the given fields replaced. Throws a CharmapError naming the field. */
export function parseCharmap(json: unknown): RcAppCharmap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CharmapError('must be a JSON object');
  const fields = json as Record<string, unknown>;
  const known = new Set<string>([...DIRECTIONS, 'speeds', ...ACCESSORY_NAMES, 'all-off']);
  for (const key of Object.keys(fields)) {
    if (!known.has(key)) throw new CharmapError(`unknown field "${key}" (known: ${[...known].join(', ')})`);
  }
  const base = DEFAULT_RC_APP_CHARMAP;
  const directions = { ...base.directions };
  for (const d of DIRECTIONS) if (d in fields) directions[d] = char(fields[d], d);
  let speeds = base.speeds;
  if ('speeds' in fields) {
    const value = fields.speeds;
    const list = typeof value === 'string' ? [...value] : value;
    if (!Array.isArray(list) || list.length !== SPEED_LEVELS) {
      throw new CharmapError(`"speeds": must be ${SPEED_LEVELS} characters, levels 0 to 10 (e.g. "0123456789q"), got ${show(value)}`);
    }
    speeds = list.map((c, i) => char(c, `speeds[${i}]`));
  }
  const accessories: Partial<Record<AccessoryName, { on: number; off: number }>> = { ...base.accessories };
  for (const name of ACCESSORY_NAMES) {
    if (!(name in fields)) continue;
    const value = fields[name];
    if (value === null) {
      delete accessories[name];
      continue;
    }
    const pair = value as Record<string, unknown>;
    if (typeof value !== 'object' || Array.isArray(value) || Object.keys(pair).sort().join() !== 'off,on') {
      throw new CharmapError(`"${name}": must be {"on": CHAR, "off": CHAR} or null (the car has none), got ${show(value)}`);
    }
    accessories[name] = { on: char(pair.on, `${name}.on`), off: char(pair.off, `${name}.off`) };
  }
  const allOff = !('all-off' in fields) ? base.allOff : fields['all-off'] === null ? null : char(fields['all-off'], 'all-off');
  const map: RcAppCharmap = { directions, speeds, accessories, allOff };
  checkDistinct(map);
  return map;
}

/** No byte may mean two things: an accessory or a speed read as a direction would move the car. */
function checkDistinct(map: RcAppCharmap): void {
  const owner = new Map<number, string>();
  const claim = (byte: number, field: string): void => {
    const other = owner.get(byte);
    if (other !== undefined) throw new CharmapError(`"${field}": ${showByte(byte)} is also "${other}"; each character may mean one thing`);
    owner.set(byte, field);
  };
  for (const d of DIRECTIONS) claim(map.directions[d], d);
  map.speeds.forEach((b, i) => claim(b, `speeds[${i}]`));
  for (const name of ACCESSORY_NAMES) {
    const pair = map.accessories[name];
    if (pair) {
      claim(pair.on, `${name}.on`);
      claim(pair.off, `${name}.off`);
    }
  }
  if (map.allOff !== null) claim(map.allOff, 'all-off');
}

/** One character (code 0-255), or a byte as a number. */
function char(value: unknown, field: string): number {
  if (typeof value === 'string' && value.length === 1 && value.charCodeAt(0) <= 0xff) return value.charCodeAt(0);
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xff) return value as number;
  throw new CharmapError(`"${field}": must be one character or a byte 0-255, got ${show(value)}`);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function showByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}
