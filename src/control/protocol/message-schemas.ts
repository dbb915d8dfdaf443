/**
 * The JSON Schemas (draft 2020-12) of every client message of the protocol (messages.ts has their
 * types, docs/protocol.md their prose; keep the three in step). Plain objects: Ajv compiles them once,
 * in validate.ts. The `description` of a rule is what an error reply says the field must be.
 */
import {
  ACCESSORIES, MAX_NAME_CHARS, MAX_RACE_LAPS, MAX_SDP_CHARS, SEED_COMMANDS, type ClientMessageType,
} from './messages.js';

const finite = { type: 'number' } as const; // JSON cannot carry NaN or Infinity

export const seedCommandSchema = {
  $id: 'webracer:seed-command',
  type: 'object',
  required: ['command'],
  properties: {
    command: { enum: SEED_COMMANDS, description: 'one of up, down, left, right, stop, raw' },
    duration: {
      anyOf: [{ type: 'null' }, { ...finite, exclusiveMinimum: 0, maximum: 10 }],
      description: 'null or seconds, 0 < duration <= 10',
    },
    speed: { type: 'integer', minimum: 1, maximum: 15, description: 'an integer speed step from 1 to 15' },
  },
  // `data` is the raw byte for `raw`; the seed page sent its button index on the others, ignored.
  if: { properties: { command: { const: 'raw' } } },
  then: {
    required: ['data'],
    properties: {
      data: { type: 'integer', minimum: 0, maximum: 255, description: 'the raw byte, an integer from 0 to 255' },
    },
  },
  // A seed-era client may send fields we do not know; the seed ignored them and so do we.
} as const;

const axis = { ...finite, minimum: -1, maximum: 1, description: 'a number from -1 to 1' } as const;
/** Drive input's count on two paths (messages.ts DriveMessage). */
const seq = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'a whole number from 1 up' } as const;

/** An RTCSessionDescription's wire form (signal, channel). */
const sessionDescription = {
  type: 'object',
  required: ['type', 'sdp'],
  properties: {
    type: { enum: ['offer', 'answer'], description: 'offer or answer' },
    sdp: { type: 'string', maxLength: MAX_SDP_CHARS, description: `a string of up to ${MAX_SDP_CHARS} characters` },
  },
  additionalProperties: false,
  description: 'an object {type: "offer"|"answer", sdp}',
} as const;

/** An RTCIceCandidate's wire form, or null for the end (signal, channel). */
const iceCandidate = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['candidate'],
      properties: {
        candidate: { type: 'string', maxLength: 1024 },
        sdpMid: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 64 }] },
        sdpMLineIndex: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 0, maximum: 64 }] },
        usernameFragment: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 256 }] },
      },
      additionalProperties: false,
    },
  ],
  description: 'null or an ICE candidate {candidate, sdpMid, sdpMLineIndex, usernameFragment}',
} as const;

/** A message that is only its type. */
function bare<T extends string>(type: T) {
  return {
    $id: `webracer:${type}`,
    type: 'object',
    required: ['type'],
    properties: { type: { const: type } },
    additionalProperties: false,
  } as const;
}

/** One schema per typed message, keyed by `type`. Typed messages are strict: unknown fields are refused. */
export const typedMessageSchemas = {
  drive: {
    $id: 'webracer:drive',
    type: 'object',
    required: ['type', 'x', 'y'],
    properties: { type: { const: 'drive' }, x: axis, y: axis, seq },
    additionalProperties: false,
  },
  stop: {
    $id: 'webracer:stop',
    type: 'object',
    required: ['type'],
    properties: { type: { const: 'stop' }, seq },
    additionalProperties: false,
  },
  ping: {
    $id: 'webracer:ping',
    type: 'object',
    required: ['type', 'id'],
    properties: {
      type: { const: 'ping' },
      id: {
        anyOf: [finite, { type: 'string', maxLength: 64 }],
        description: 'a number or a string of up to 64 characters',
      },
    },
    additionalProperties: false,
  },
  auth: {
    $id: 'webracer:auth',
    type: 'object',
    required: ['type', 'token'],
    properties: {
      type: { const: 'auth' },
      token: {
        type: 'string', minLength: 1, maxLength: 512,
        description: 'a non-empty string of up to 512 characters',
      },
    },
    additionalProperties: false,
  },
  claim: {
    $id: 'webracer:claim',
    type: 'object',
    required: ['type'],
    properties: { type: { const: 'claim' } },
    additionalProperties: false,
  },
  release: {
    $id: 'webracer:release',
    type: 'object',
    required: ['type'],
    properties: { type: { const: 'release' }, seq },
    additionalProperties: false,
  },
  'camera-on': bare('camera-on'),
  'camera-off': bare('camera-off'),
  watch: bare('watch'),
  unwatch: bare('unwatch'),
  signal: {
    $id: 'webracer:signal',
    type: 'object',
    required: ['type', 'to'],
    properties: {
      type: { const: 'signal' },
      to: { type: 'string', minLength: 1, maxLength: 32, description: 'a client id' },
      description: sessionDescription,
      candidate: iceCandidate,
    },
    // Exactly one step per message: an SDP, or a candidate.
    oneOf: [{ required: ['description'] }, { required: ['candidate'] }],
    additionalProperties: false,
  },
  channel: {
    $id: 'webracer:channel',
    type: 'object',
    required: ['type'],
    properties: {
      type: { const: 'channel' },
      open: { type: 'boolean', description: 'true (open the drive channel) or false (close it)' },
      description: sessionDescription,
      candidate: iceCandidate,
    },
    // Exactly one step per message: open or close, the answer, or a candidate.
    oneOf: [{ required: ['open'] }, { required: ['description'] }, { required: ['candidate'] }],
    additionalProperties: false,
  },
  'race-start': {
    $id: 'webracer:race-start',
    type: 'object',
    required: ['type', 'laps'],
    properties: {
      type: { const: 'race-start' },
      laps: { type: 'integer', minimum: 1, maximum: MAX_RACE_LAPS, description: `a whole number of laps from 1 to ${MAX_RACE_LAPS}` },
    },
    additionalProperties: false,
  },
  'race-end': bare('race-end'),
  'race-best-lap': bare('race-best-lap'),
  'lap-mark': {
    $id: 'webracer:lap-mark',
    type: 'object',
    required: ['type', 'car'],
    properties: {
      type: { const: 'lap-mark' },
      car: { type: 'string', minLength: 1, maxLength: 32, description: 'a car\'s name' },
    },
    additionalProperties: false,
  },
  name: {
    $id: 'webracer:name',
    type: 'object',
    required: ['type', 'name'],
    properties: {
      type: { const: 'name' },
      // Shown to everyone (leaderboard, lobby, queue): printable characters only, no line breaks, controls
      // or invisible format characters (\p{C} has the bidi overrides), and something besides spaces.
      name: {
        type: 'string', minLength: 1, maxLength: MAX_NAME_CHARS, pattern: '^(?=.*\\S)[^\\p{C}]+$',
        description: `1 to ${MAX_NAME_CHARS} printable characters, not only spaces`,
      },
    },
    additionalProperties: false,
  },
  accessory: {
    $id: 'webracer:accessory',
    type: 'object',
    required: ['type', 'name', 'on'],
    properties: {
      type: { const: 'accessory' },
      name: { enum: [...ACCESSORIES, 'all'], description: `one of ${[...ACCESSORIES, 'all'].join(', ')}` },
      on: { type: 'boolean', description: 'true or false' },
    },
    // `all` only turns everything off.
    if: { properties: { name: { const: 'all' } } },
    then: { properties: { on: { const: false, description: 'false when name is "all" (it only turns everything off)' } } },
    additionalProperties: false,
  },
  resume: {
    $id: 'webracer:resume',
    type: 'object',
    required: ['type', 'token'],
    properties: {
      type: { const: 'resume' },
      token: { type: 'string', minLength: 1, maxLength: 64, description: 'the resumeToken of an earlier welcome' },
    },
    additionalProperties: false,
  },
} as const satisfies Record<ClientMessageType, object>;
