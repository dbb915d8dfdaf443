/**
 * The webracer wire protocol (version 1), defined once: the TypeScript types of every message both ways,
 * and the JSON Schema (draft 2020-12) that the server validates client messages with (src/control/validate.ts).
 * The browser bundle imports this file, so it imports nothing (no node:*, no other layer).
 * The prose version is docs/protocol.md; keep the two in step.
 */

export const PROTOCOL_VERSION = 1;

/** The WebSocket subprotocol the page offers (optional: seed-era pages offer none). */
export const SUBPROTOCOL = 'webracer';
/** A second offered subprotocol may carry the drive token: `webracer.token.<base64url of its UTF-8>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'webracer.token.';

// ---------------------------------------------------------------------------------------------------
// Client to server

/** The seed's command names (2013), kept byte for byte: see docs/protocol.md "Seed commands". */
export const SEED_COMMANDS = ['up', 'down', 'left', 'right', 'stop', 'raw'] as const;
export type SeedCommandName = (typeof SEED_COMMANDS)[number];

/** A seed-era message: it has a `command` and no `type`. */
export interface SeedCommand {
  command: SeedCommandName;
  /** Seconds; when present and not null it is remembered for the connection (starts at 0.1 s). */
  duration?: number | null;
  /** The raw byte for `raw` (0..255). Ignored on other commands (the seed page sent its button index). */
  data?: unknown;
  /** Our extension: the codec speed step (1..15) for up/down/left/right. */
  speed?: number;
}

export interface DriveMessage { type: 'drive'; x: number; y: number }
export interface StopMessage { type: 'stop' }
export interface PingMessage { type: 'ping'; id: number | string }
export interface AuthMessage { type: 'auth'; token: string }
export interface ClaimMessage { type: 'claim' }
export interface ReleaseMessage { type: 'release' }
/** Take back the seat this client's page held before a reload or a network blip (the `resumeToken` of its
 *  earlier `welcome`), within `limits.resumeWindowMs` of that connection ending. */
export interface ResumeMessage { type: 'resume'; token: string }

export type TypedClientMessage =
  | DriveMessage | StopMessage | PingMessage | AuthMessage | ClaimMessage | ReleaseMessage | ResumeMessage;
export type ClientMessageType = TypedClientMessage['type'];
export type ClientMessage = SeedCommand | TypedClientMessage;

export function isSeedCommand(m: ClientMessage): m is SeedCommand {
  return 'command' in m;
}

// ---------------------------------------------------------------------------------------------------
// Server to client

export type Role = 'driver' | 'spectator';
export type Direction = 'stop' | 'forward' | 'backward' | 'left' | 'right'
  | 'forward-left' | 'forward-right' | 'backward-left' | 'backward-right';
export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';
export type LinkKind = 'sim' | 'serial' | 'tcp';
export type CodecName = 'iracer' | 'rc-app';
/** What last moved the car: a typed drive/stop, a seed command name, or the watchdog/disconnect ('auto'). */
export type LastCommand = 'drive' | 'auto' | SeedCommandName;

export interface VehicleState {
  direction: Direction;
  /** The codec's speed step, 0 when stopped. */
  speed: number;
  /** The last byte written to the car, null before the first. */
  byte: number | null;
  lastCommand: LastCommand | null;
  link: LinkState;
  /** The driver's clientId, or null when the seat is empty. */
  driver: string | null;
  /** True while the seat is held for a driver whose connection ended, waiting `limits.resumeWindowMs`
   *  for it to come back with its resume token (`driver` is null meanwhile, and the car is stopped). */
  reserved: boolean;
  spectators: number;
}

export interface Pose { x: number; y: number; heading: number; speed: number } // metres, radians, m/s

export interface Limits {
  watchdogMs: number;
  maxMessageBytes: number;
  driveRatePerSecond: number;
  idleTakeoverMs: number;
  /** The longest a timed (seed) command holds the car before the server stops it; longer ones are clamped. */
  maxHoldMs: number;
  /** A driver the server has heard nothing from (no message, no pong) for this long loses its connection. */
  driverSilenceMs: number;
  /** How long the seat of a driver whose connection ended waits for its resume token. */
  resumeWindowMs: number;
}

export interface WelcomeMessage {
  type: 'welcome';
  protocol: typeof PROTOCOL_VERSION;
  clientId: string;
  role: Role;
  /** True when a token is needed to drive; `authenticated` says whether this client has presented it. */
  authRequired: boolean;
  authenticated: boolean;
  vehicle: { codec: CodecName; link: LinkKind };
  limits: Limits;
  state: VehicleState;
  /** Present to get this client's seat back after a reconnect (`{"type":"resume"}`). Secret: keep it
   *  for this tab only. */
  resumeToken: string;
}
export type StateMessage = { type: 'state' } & VehicleState;
/** `t`: milliseconds since the server started (monotonic). */
export interface TelemetryMessage { type: 'telemetry'; pose: Pose; t: number }
export interface RoleMessage { type: 'role'; role: Role; driver: string | null; authenticated: boolean }
export interface PongMessage { type: 'pong'; id: number | string; serverTime: number }

export const ERROR_CODES = [
  'bad_json', 'invalid_message', 'not_driver', 'unauthorized', 'rate_limited',
  'binary_unsupported', 'link_down', 'seat_taken', 'resume_failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The refused message's `type` or seed `command`, when it could be read. */
  ref?: string;
  /** For invalid_message: the field at fault. */
  field?: string;
}

/**
 * Something the client should know that is not an error: `duration_clamped`, a timed command was carried
 * out but held for less than asked (limits.maxHoldMs); `stopped_by_other`, sent to the driver when someone
 * else stopped the car: its analog input is ignored until it is centred (a drive in the dead zone, or a stop).
 */
export const NOTICE_CODES = ['duration_clamped', 'stopped_by_other'] as const;
export type NoticeCode = (typeof NOTICE_CODES)[number];
export interface NoticeMessage {
  type: 'notice';
  code: NoticeCode;
  message: string;
  /** The message's `type` or seed `command`. */
  ref?: string;
}

export type ServerMessage =
  | WelcomeMessage | StateMessage | TelemetryMessage | RoleMessage | PongMessage | ErrorMessage | NoticeMessage;

/** WebSocket close codes the server uses itself (RFC 6455 section 7.4.1). */
export const CLOSE_CODES = {
  goingAway: 1001, // server shutdown
  policyViolation: 1008, // too many wrong tokens, or an error flood
  tooBig: 1009, // a frame over limits.maxMessageBytes (the WebSocket layer)
} as const;

// ---------------------------------------------------------------------------------------------------
// JSON Schema (draft 2020-12) for client messages. Plain objects: Ajv compiles them in validate.ts.

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

/** One schema per typed message, keyed by `type`. Typed messages are strict: unknown fields are refused. */
export const typedMessageSchemas = {
  drive: {
    $id: 'webracer:drive',
    type: 'object',
    required: ['type', 'x', 'y'],
    properties: { type: { const: 'drive' }, x: axis, y: axis },
    additionalProperties: false,
  },
  stop: {
    $id: 'webracer:stop',
    type: 'object',
    required: ['type'],
    properties: { type: { const: 'stop' } },
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
    properties: { type: { const: 'release' } },
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

export const CLIENT_MESSAGE_TYPES = Object.keys(typedMessageSchemas) as ClientMessageType[];
