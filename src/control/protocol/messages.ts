/**
 * The webracer wire protocol (version 1), defined once: the TypeScript types of every message both ways
 * (their JSON Schemas, which the server validates client messages with, are in message-schemas.ts).
 * The browser bundle imports this file, so it imports nothing (no node:*, no other layer).
 * The prose version is docs/protocol.md; keep the two in step.
 */

export const PROTOCOL_VERSION = 1;

/** The WebSocket subprotocol the page offers (optional: seed-era pages offer none). */
export const SUBPROTOCOL = 'webracer';
/** A second offered subprotocol may carry the drive token: `webracer.token.<base64url of its UTF-8>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'webracer.token.';
/**
 * And one may carry a resume token (`webracer.resume.<the welcome's resumeToken>`, already base64url): a
 * returning driver's page gets in even when the server is full (docs/protocol.md, Limits).
 */
export const RESUME_SUBPROTOCOL_PREFIX = 'webracer.resume.';
/**
 * And one may carry a name key (`webracer.name.<an earlier welcome's nameKey>`): the browser goes on under
 * the default name it had on this server ("Driver 3"), over a reload, a resume or a hold that ran out.
 */
export const NAME_KEY_SUBPROTOCOL_PREFIX = 'webracer.name.';

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

/**
 * `seq` (optional, drive input on two paths, docs/protocol.md "Drive channel"): one rising count per
 * connection over drive, stop and release. A drive whose seq is not above every seq seen is ignored (it
 * arrived late); a stop or release is ignored only as the duplicate of one with its seq.
 */
export interface DriveMessage { type: 'drive'; x: number; y: number; seq?: number }
export interface StopMessage { type: 'stop'; seq?: number }
export interface PingMessage { type: 'ping'; id: number | string }
export interface AuthMessage { type: 'auth'; token: string }
export interface ClaimMessage { type: 'claim' }
export interface ReleaseMessage { type: 'release'; seq?: number }
/** Take back the seat this client's page held before a reload or a network blip (the `resumeToken` of its
 *  earlier `welcome`), within `limits.resumeWindowMs` of that connection ending. */
export interface ResumeMessage { type: 'resume'; token: string }

/** What a car may have besides motion (`welcome.vehicle.accessories` lists this car's). */
export const ACCESSORIES = ['front-lights', 'back-lights', 'horn', 'extra'] as const;
export type AccessoryName = (typeof ACCESSORIES)[number];
/** The driver switches an accessory on or off (`all`: off only, every one). Never moves the car, and
 *  does not count as drive input for the watchdog. */
export interface AccessoryMessage { type: 'accessory'; name: AccessoryName | 'all'; on: boolean }


// Video (docs/protocol.md "Video"): a browser on the car (a phone) is the car's camera; the media goes peer
// to peer over WebRTC, and these messages carry its signalling between the camera and each viewer.
/** Become this car's camera (one at a time; needs the token when one is set). */
export interface CameraOnMessage { type: 'camera-on' }
export interface CameraOffMessage { type: 'camera-off' }
/** Ask for the car's video (now, or whenever a camera comes); `unwatch` takes it back. */
export interface WatchMessage { type: 'watch' }
export interface UnwatchMessage { type: 'unwatch' }
/** An RTCSessionDescription's wire form. */
export interface SessionDescription { type: 'offer' | 'answer'; sdp: string }
/** An RTCIceCandidate's wire form (RTCIceCandidateInit); null ends the candidates. */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}
/** One step of a WebRTC negotiation for the peer `to`: exactly one of description and candidate. */
export interface SignalMessage {
  type: 'signal';
  to: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

// Drive channel (docs/protocol.md "Drive channel"): drive input on a WebRTC data channel to the server.
/**
 * `open: true` asks for the channel (the server answers with its offer), `open: false` closes it; or
 * the answer to the server's offer (description), or a candidate: exactly one of the three.
 */
export interface ChannelMessage { type: 'channel'; open?: boolean; description?: SessionDescription; candidate?: IceCandidate | null }

// Races (docs/races.md): one arena and one race for every car of the server, whichever car's connection
// the message comes on. Starting, ending and marking laps need what driving needs (the token, when set).
/** Start a race of `laps` laps: a countdown, every car held stopped, then go. */
export interface RaceStartMessage { type: 'race-start'; laps: number }
/** End the race now (the result so far is kept), or call off its countdown. */
export interface RaceEndMessage { type: 'race-end' }
/** The marshal saw `car` (a real car: the server cannot see it) complete a lap. */
export interface LapMarkMessage { type: 'lap-mark'; car: string }
/** The name this client's laps and results go under (instead of its client id). */
export interface NameMessage { type: 'name'; name: string }
/** Race my best lap: a ghost drives this client's best lap on this car (docs/races.md "Race my best lap"). */
export interface RaceBestLapMessage { type: 'race-best-lap' }

export type TypedClientMessage =
  | DriveMessage | StopMessage | PingMessage | AuthMessage | ClaimMessage | ReleaseMessage | ResumeMessage
  | CameraOnMessage | CameraOffMessage | WatchMessage | UnwatchMessage | SignalMessage | AccessoryMessage | ChannelMessage
  | RaceStartMessage | RaceEndMessage | LapMarkMessage | NameMessage | RaceBestLapMessage;
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
  /** The quantizer's dead zone (a drive shorter than this is a stop; above it, 15 equal speed bands):
   *  the page maps every input to the step it means through it (absent from older servers: 0.15). */
  deadZone?: number;
}

/** The car's camera as everyone sees it. */
export interface VideoStatus {
  /** The camera's client id, or null when the car has none. */
  camera: string | null;
  /** Viewers receiving video now (each is one encode on the camera). */
  viewers: number;
  /** At most this many viewers at once (--max-viewers; through the SFU, 64). */
  limit: number;
  /** Only with --sfu: whether the video goes through the SFU now (`up`), or peer to peer while it is away (`down`). */
  sfu?: 'up' | 'down';
}

/** An ICE server for the pages' RTCPeerConnections (RTCIceServer), from --ice-server. */
export interface IceServer { urls: string; username?: string; credential?: string }

export interface WelcomeMessage {
  type: 'welcome';
  protocol: typeof PROTOCOL_VERSION;
  clientId: string;
  role: Role;
  /** True when a token is needed to drive; `authenticated` says whether this client has presented it. */
  authRequired: boolean;
  authenticated: boolean;
  /**
   * This client marshals races (it may start, end and mark any race): with a token, as long as it holds
   * it (`authenticated`); without one, a page on the server's own machine (absent from older servers).
   */
  marshal?: boolean;
  /** `accessories`: what this car has besides motion, for the page's buttons (absent from older servers).
   *  `maxSpeed`: the fastest speed step (1-15) the server drives this car at (--max-speed); every demand
   *  is capped to it (absent from older servers: 15). */
  vehicle: { codec: CodecName; link: LinkKind; accessories?: AccessoryName[]; maxSpeed?: number };
  limits: Limits;
  state: VehicleState;
  /** Present to get this client's seat back after a reconnect (`{"type":"resume"}`). Secret: keep it
   *  for this tab only. */
  resumeToken: string;
  /** This browser's key to its default name on this server (offered at later upgrades as
   *  `webracer.name.<key>`; the one offered, when this server issued it). Secret: keep it in this browser
   *  only (absent from older servers). */
  nameKey?: string;
  video: VideoStatus;
}
/**
 * In answer to `watch`, and to `camera-on` when this client is the camera: the STUN/TURN servers for its
 * RTCPeerConnections (empty on a LAN, where host candidates are enough), with TURN credentials minted for
 * it (--turn-secret). `expiresInS`: how long the minted ones are good for (ask again, with the same
 * message, before then); null when nothing in them expires. Never in `welcome`: only for video.
 */
export interface IceServersMessage { type: 'ice-servers'; iceServers: IceServer[]; expiresInS: number | null }
/** Sent to everyone when the car's camera or its number of viewers changes. */
export type VideoMessage = { type: 'video' } & VideoStatus;
/**
 * To a client that sent `watch`: `waiting` (no camera yet: video starts when one comes), `admitted` (an
 * offer from the camera follows), `limited` (the camera has `limit` viewers; admitted when one leaves),
 * `off` (after `unwatch`).
 */
export interface ViewingMessage { type: 'viewing'; status: 'waiting' | 'admitted' | 'limited' | 'off'; camera: string | null; limit: number }
/** To the camera: a viewer to send an offer to (`joined`), or one whose connection to close. */
export interface ViewerMessage { type: 'viewer'; id: string; joined: boolean }
/** A relayed `signal`, naming its sender. */
export interface SignalRelayMessage {
  type: 'signal';
  from: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}
/**
 * The server's side of the drive channel: its offer (with the ICE servers to answer it with), a candidate,
 * or `closed`: there is no channel (refused, unavailable on this server, or ended); drive on the WebSocket.
 * `retry: false` with `closed`: this server has no drive channels at all; asking again on this
 * connection gets the same answer.
 */
export interface ChannelSignalMessage {
  type: 'channel';
  description?: SessionDescription;
  iceServers?: IceServer[];
  candidate?: IceCandidate | null;
  closed?: string;
  retry?: false;
}
export type StateMessage = { type: 'state' } & VehicleState;
/** `t`: milliseconds since the server started (monotonic). */
export interface TelemetryMessage { type: 'telemetry'; pose: Pose; t: number }
export interface RoleMessage { type: 'role'; role: Role; driver: string | null; authenticated: boolean }
export interface PongMessage { type: 'pong'; id: number | string; serverTime: number }

// Arena and races (docs/races.md).
export interface Point { x: number; y: number }
/** A line across the track; crossing it forwards is crossing from the right of a→b to its left. */
export interface Gate { a: Point; b: Point }
/** The simulated arena's circuit, in the cars' frame (metres). */
export interface Circuit {
  /** The middle of the track, a closed loop in the direction of travel. */
  centreline: Array<[number, number]>;
  /** The track's width around the centreline, metres. */
  width: number;
  startLine: Gate;
  /** Passed forwards in this order between two crossings of the start line: a lap. */
  checkpoints: Gate[];
}
export interface ArenaCar {
  name: string;
  /** A CSS colour (#rrggbb), the same on every page. */
  colour: string;
  /** A simulated car: on the map, its laps counted by the server; otherwise marked by a marshal. */
  sim: boolean;
}
/** Once after `welcome`: every car of the server and the circuit. */
export interface ArenaMessage { type: 'arena'; cars: ArenaCar[]; circuit: Circuit }
/** The simulated cars' poses, by name, at most 20 times a second while any moves (to pages of sim cars
 *  when there are two or more; with one, its `telemetry` says it all). `t` as in telemetry. */
export interface PosesMessage { type: 'poses'; t: number; poses: Record<string, Pose> }
/**
 * A ghost: a recording replayed onto a simulated car of its own in the arena (docs/recording.md "Ghosts").
 * Nobody drives it: it is no car of the server, has no seat and no page. `ended`: its recording is over, the
 * car stopped; it stays a few seconds, then goes.
 */
export interface GhostCar { id: string; label: string; colour: string; pose: Pose; ended: boolean }
/** Every ghost in the arena, to every page of a simulated car: when one comes, ends or goes, and at most
 *  20 times a second while any moves (an empty list: the last one went). */
export interface GhostsMessage { type: 'ghosts'; ghosts: GhostCar[] }
/**
 * To one client, when the server keeps a best lap of its on `car` that a ghost can drive (`race-best-lap`):
 * after it set one, and after `welcome` or `name` when it has one there. `lapMs`: that lap's time.
 */
export interface BestLapMessage { type: 'best-lap'; car: string; lapMs: number }
export interface CarLaps { car: string; laps: number; lastMs: number | null; bestMs: number | null; driver: string | null }
export interface DriverLaps { driver: string; laps: number; bestMs: number | null }
/** Every lap counted since the server started, per car and per driver (a name, or a client id). */
export interface LapsMessage { type: 'laps'; cars: CarLaps[]; drivers: DriverLaps[] }
export type RacePhase = 'none' | 'countdown' | 'running' | 'finished';
export interface Standing {
  position: number;
  car: string;
  /** Who drives it now (a name, or a client id), or who drove it last. */
  driver: string | null;
  laps: number;
  lastLapMs: number | null;
  bestLapMs: number | null;
  /** From go to the end of its last lap, once it has done them all. */
  finishMs: number | null;
  /** `out`: nobody drives it any more (its driver left and nobody took the seat). */
  status: 'racing' | 'finished' | 'out';
}
/** One car as `GET /api/cars` and the lobby's feed (`GET /api/cars/live`) list it. */
export interface CarListing {
  name: string;
  codec: CodecName;
  link: LinkKind;
  linkState: LinkState;
  /** The driver's client id, or null when the seat is empty. */
  driver: string | null;
  /** The driver's name (`{"type":"name"}`), or its client id; null when the seat is empty. */
  driverName: string | null;
  spectators: number;
  video: VideoStatus;
  colour: string;
}

/** The race, to every page whenever it changes, and after `welcome`. */
export interface RaceMessage {
  type: 'race';
  phase: RacePhase;
  laps: number;
  /** In the countdown: milliseconds until go. */
  startsInMs?: number;
  /** Running or finished: milliseconds since go (at the finish, the race's length). */
  elapsedMs?: number;
  standings: Standing[];
  /** Why it ended or did not start, when it was not the last car home. */
  note?: string;
}

export const ERROR_CODES = [
  'bad_json', 'invalid_message', 'not_driver', 'unauthorized', 'rate_limited',
  'binary_unsupported', 'link_down', 'seat_taken', 'resume_failed', 'camera_taken', 'unknown_peer',
  'held', 'race_state', 'unknown_car', 'no_best_lap', 'ghost_refused',
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
 * out but held for less than asked (limits.maxHoldMs). Every other code says that the driver is disarmed:
 * its analog input is refused until it has been at neutral (a `drive` in the dead zone, or its own `stop`),
 * because the car was stopped by something other than the driver, or the driver is new to the seat
 * (docs/protocol.md "Arming"): `stopped_by_other`, someone else stopped the car; `held`, a race's countdown
 * holds it; `watchdog`, drive input went quiet for limits.watchdogMs; `max_hold`, a timed command ran to
 * limits.maxHoldMs; `link_lost`, the car's link was lost, or is back after an outage; `new_driver`, this
 * client has just become the driver (sent when a push is refused).
 */
export const DISARM_CODES = ['stopped_by_other', 'held', 'watchdog', 'max_hold', 'link_lost', 'new_driver'] as const;
export type DisarmCode = (typeof DISARM_CODES)[number];
export const NOTICE_CODES = ['duration_clamped', ...DISARM_CODES] as const;
export type NoticeCode = (typeof NOTICE_CODES)[number];
export interface NoticeMessage {
  type: 'notice';
  code: NoticeCode;
  message: string;
  /** The message's `type` or seed `command`. */
  ref?: string;
}

/**
 * Who drives next, to each client of the car whenever it changes for that client: `position`, its place
 * among those waiting for the seat (1: next), null when it is not waiting (it drives, needs the token,
 * or is a camera or watch-only page); `ahead`, the names of those before it, in order (null for one who
 * set none: never a client id); `takeover`, whether a `claim` from it would succeed now (the seat is
 * free, or its driver has sent no drive input for limits.idleTakeoverMs; never while it is held for a
 * reconnecting driver). A false `takeover` turns true, in a new `queue`, the moment that changes.
 */
export interface QueueMessage { type: 'queue'; position: number | null; ahead: Array<string | null>; takeover: boolean }

export type ServerMessage =
  | WelcomeMessage | StateMessage | TelemetryMessage | RoleMessage | PongMessage | ErrorMessage | NoticeMessage
  | VideoMessage | ViewingMessage | ViewerMessage | SignalRelayMessage | IceServersMessage
  | ArenaMessage | PosesMessage | LapsMessage | RaceMessage | QueueMessage | ChannelSignalMessage | GhostsMessage | BestLapMessage;

/** WebSocket close codes the server uses itself (RFC 6455 section 7.4.1). */
export const CLOSE_CODES = {
  goingAway: 1001, // server shutdown
  policyViolation: 1008, // too many wrong tokens, or an error flood
  tooBig: 1009, // a frame over limits.maxMessageBytes (the WebSocket layer)
} as const;

/** Longest SDP accepted in a signal (a browser's video offer is 3-6 KB). */
export const MAX_SDP_CHARS = 12_000;

/** The most laps a race may have. */
export const MAX_RACE_LAPS = 50;
/** The longest driver name. */
export const MAX_NAME_CHARS = 24;
