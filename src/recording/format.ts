/**
 * The session recording format, version 2 (docs/recording.md is its prose; keep both in step): JSON Lines,
 * a header line and then one line per event, each with `t`, milliseconds on the server's monotonic clock
 * since the header's `started`. The lines are defined in line-types.ts (which the recordings page imports
 * too); this file turns a car event into one, and the reader (reader.ts) checks them.
 *
 * Versioning: any change an older reader could misread (a new kind of line, a field whose meaning
 * changes) raises FORMAT_VERSION; a reader refuses a version newer than its own. New optional fields
 * that change nothing for an older reader keep the version.
 */
import type { CarEvent } from '../control/car/car-events.js';
import { typedMessageSchemas } from '../control/protocol/message-schemas.js';
import { SEED_COMMANDS, type ClientMessage } from '../control/protocol/messages.js';
import type { Pose } from '../vehicle/index.js';
import type { LineKind, RecordingHeader, RecordingLine } from './line-types.js';

export type { EndReason, LineKind, RecordingHeader, RecordingLine } from './line-types.js';

export const FORMAT: RecordingHeader['format'] = 'webracer-recording';
export const FORMAT_VERSION = 2;

/**
 * The longest `message` line kept (UTF-8 bytes, newline included). Far above any message the protocol
 * accepts once its secrets are out (the longest, a ping whose 64-character id is all escapes, makes a line
 * of about 470 bytes); a longer one is not kept but counted in the end line's `lost`. With the message
 * rate, this bounds what a driver can make a recording hold.
 */
export const MAX_MESSAGE_LINE_BYTES = 1024;

/** What a refusal's `ref` may be: a message type or a seed command, never other text a client sent. */
const MESSAGE_NAMES: ReadonlySet<string> = new Set([...SEED_COMMANDS, ...Object.keys(typedMessageSchemas)]);
/** No line is longer (the longest the recorder writes is a message line, under the server's 16 KiB message cap). */
export const MAX_LINE_BYTES = 1024 * 1024;
/** No line's `t` is later: a week, far past any session anyone drives (and a replay of it ends). */
export const MAX_RECORDING_MS = 7 * 24 * 3600 * 1000;

export const LINE_KINDS: readonly LineKind[] = [
  'seat', 'message', 'refusal', 'demand', 'write', 'link', 'watchdog', 'hold-expired', 'pose', 'dropped', 'end',
  'hold', 'release', 'place',
];

/** The version that brought each kind of line after version 1: an older file holds none of them. */
export const KIND_SINCE: Readonly<Partial<Record<LineKind, number>>> = { hold: 2, release: 2, place: 2 };

/** The longest hold reason kept (the server's own words: "a race is about to start"). */
export const MAX_REASON_CHARS = 200;

/** Milliseconds to the microsecond: enough to put a byte on the right side of a simulator tick. */
export function roundTime(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A pose to a tenth of a millimetre and a hundred-thousandth of a radian. */
export function roundPose(p: Pose): Pose {
  return {
    x: Math.round(p.x * 1e4) / 1e4,
    y: Math.round(p.y * 1e4) / 1e4,
    heading: Math.round(p.heading * 1e5) / 1e5,
    speed: Math.round(p.speed * 1e3) / 1e3,
  };
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * A message as it may be kept on disk: never a token (auth, resume), never a video description's SDP
 * (large, and it names the viewer's network addresses).
 */
export function redact(message: ClientMessage): ClientMessage {
  if (!('type' in message)) return message;
  switch (message.type) {
    case 'auth':
    case 'resume':
      return { type: message.type, token: '' };
    case 'signal':
      return { type: 'signal', to: message.to };
    default:
      return message;
  }
}

/** The line for a car event at time t (ms since the session began); null for a client coming or going
 *  (the seat lines say what matters of that). */
export function lineOf(event: CarEvent, t: number): RecordingLine | null {
  switch (event.kind) {
    case 'message':
      return { t, kind: 'message', client: event.client, message: redact(event.message) };
    case 'refusal':
      return event.ref === undefined || !MESSAGE_NAMES.has(event.ref)
        ? { t, kind: 'refusal', client: event.client, code: event.code }
        : { t, kind: 'refusal', client: event.client, code: event.code, ref: event.ref };
    case 'demand':
      return { t, kind: 'demand', client: event.client, demand: event.demand };
    case 'seat':
      return { t, kind: 'seat', driver: event.driver, reserved: event.reserved };
    case 'link':
      return { t, kind: 'link', state: event.state };
    case 'watchdog':
      return { t, kind: 'watchdog' };
    case 'hold-expired':
      return { t, kind: 'hold-expired' };
    case 'write':
      return { t, kind: 'write', bytes: toHex(event.bytes) };
    case 'client':
      return null;
    case 'pose':
      return { t, kind: 'pose', pose: roundPose(event.pose) };
    case 'hold':
      return { t, kind: 'hold', reason: event.reason.slice(0, MAX_REASON_CHARS) };
    case 'release':
      return { t, kind: 'release' };
    case 'place':
      return { t, kind: 'place', pose: roundPose(event.pose) };
  }
}
