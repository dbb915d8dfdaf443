/**
 * Every option of `webracer`, once: its flag, its key in a config file (the same name), its help line,
 * and how a value is checked (flag-values.ts) and set. args.ts reads flags, config-file.ts reads a file, both through this
 * table, so a new option is one row here and works in both places with the same checks and messages.
 */
import { checkCars } from '../control/fleet.js';
import { checkTurn } from '../control/video/turn-credentials.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../control/log.js';
import { DEFAULT_LIMITS, type ControlOptions } from '../control/options.js';
import { CODEC_NAMES, DEFAULT_WATCHDOG_MS, MAX_SPEED } from '../vehicle/index.js';
import {
  ackForLink, carFromFlag, carFromJson, charmap, codec, dataDir, file, folder, host, iceServer, sfuTarget, integer, link, linkAck, oneOf, origin,
  recordFolder, shown, switchValue, text, tlsMode, token, ValueError, type Value,
} from './flag-values.js';

export { ValueError, type Value } from './flag-values.js';

export const TOKEN_ENV = 'WEBRACER_TOKEN';
export const TURN_SECRET_ENV = 'WEBRACER_TURN_SECRET';

/** The defaults the usage promises (the server has the same ones for callers that leave them out). */
export const DEFAULT_PORT = 8000;
export const DEFAULT_MAX_HOLD_MS = 2_000;
export const DEFAULT_LINK_TIMEOUT_MS = 1_000;
export const DEFAULT_MAX_CLIENTS_PER_ADDRESS = 16;
export const DEFAULT_RECORD_FILE_MB = 32;
export const DEFAULT_RECORD_TOTAL_MB = 512;

/** Options the command line acts on itself, around the server. */
export interface CliOptions {
  /** --record DIR: record every driving session there (src/recording/). */
  record?: string;
  recordFileMb?: number;
  recordTotalMb?: number;
}

/** The least --drive-rate: the page sends up to 33 drive messages a second plus its pings. */
export const MIN_DRIVE_RATE = 40;

/** What a run is started with: the server's options and the command line's own. */
export type RunOptions = ControlOptions & CliOptions & {
  /** --log-level and --log-format (default info, text). */
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** False with --no-qr: no QR code of the LAN URL at start-up. */
  qr?: boolean;
};


export interface Option {
  /** `--name`, and the key in a config file. */
  name: string;
  /** The value's placeholder in the usage; '' for a switch that takes none. */
  arg: string;
  /** For the usage; several lines allowed. */
  help: string;
  /** The value's type in a config file (a list of them when repeatable). */
  json: 'integer' | 'string' | 'boolean' | 'car';
  /** May be given several times; `reset` forgets a list a config file set, when flags give their own. */
  repeatable?: boolean;
  reset?(options: RunOptions): void;
  /** Checks one value and sets it on the options; throws an Error saying what is wrong with it. */
  set(options: RunOptions, value: Value): void;
}


export const OPTIONS: readonly Option[] = [
  {
    name: 'port', arg: 'N', json: 'integer',
    help: `HTTP and WebSocket port (default ${DEFAULT_PORT}; 0 picks a free one). WebSocket upgrades\nare accepted at /ws and, for seed-era pages, at /`,
    set: (o, v) => { o.port = integer(v, 0, 65535); },
  },
  {
    name: 'host', arg: 'ADDR', json: 'string',
    help: 'address to listen on (default 0.0.0.0: every interface; 127.0.0.1: this machine only)',
    set: (o, v) => { o.host = host(text(v)); },
  },
  {
    name: 'link', arg: 'SPEC', json: 'string',
    help: 'the one car: sim | serial:PATH[@BAUD] | tcp:HOST:PORT (default sim)',
    set: (o, v) => { o.link = link(text(v)); },
  },
  {
    name: 'codec', arg: 'NAME', json: 'string',
    help: `the one car's protocol: ${CODEC_NAMES.join(' | ')} (default iracer)`,
    set: (o, v) => { o.codec = codec(text(v)); },
  },
  {
    name: 'car', arg: 'NAME=LINK[,codec=C][,baud=N][,max-speed=N]', json: 'car', repeatable: true,
    reset: (o) => { delete o.cars; },
    help: 'one of several cars, e.g. red=serial:/dev/rfcomm0 or blue=tcp:10.0.0.7:2000,codec=rc-app;\nrepeatable; max-speed=N is that car\'s own --max-speed. Its page is /car/NAME. Instead of --link and --codec',
    set: (o, v) => { (o.cars ??= []).push(typeof v === 'object' ? carFromJson(v) : carFromFlag(text(v))); },
  },
  {
    name: 'max-speed', arg: 'N', json: 'integer',
    help: `the fastest speed step (1 to ${MAX_SPEED}, the page's speed control) any car is driven at, whatever\na page or seed command asks (default ${MAX_SPEED}); a car's own: --car NAME=LINK,max-speed=N`,
    set: (o, v) => { o.maxSpeed = integer(v, 1, MAX_SPEED); },
  },
  {
    name: 'seed-car', arg: 'NAME', json: 'string',
    help: 'the car seed-era pages drive (/ and --ws-port; default the first)',
    set: (o, v) => { o.seedCar = text(v); },
  },
  {
    name: 'ws-port', arg: 'N', json: 'integer',
    help: 'extra WebSocket-only listener, as the seed\'s page expects (9876)',
    set: (o, v) => { o.wsPort = integer(v, 1, 65535); },
  },
  {
    name: 'watchdog-ms', arg: 'N', json: 'integer',
    help: `stop the car when analog input stops for N ms (default ${DEFAULT_WATCHDOG_MS})`,
    set: (o, v) => { o.watchdogMs = integer(v, 50, 60_000); },
  },
  {
    name: 'max-hold-ms', arg: 'N', json: 'integer',
    help: `the longest a timed (seed) command holds the car; a longer duration is cut to it\n(default ${DEFAULT_MAX_HOLD_MS}, 100 to 10000)`,
    set: (o, v) => { o.maxHoldMs = integer(v, 100, 10_000); },
  },
  {
    name: 'link-timeout-ms', arg: 'N', json: 'integer',
    help: `a write the car's link has not taken within N ms marks the link lost; it\nreconnects and sends a stop first (default ${DEFAULT_LINK_TIMEOUT_MS}, 100 to 60000)`,
    set: (o, v) => { o.linkTimeoutMs = integer(v, 100, 60_000); },
  },
  {
    name: 'link-refresh-ms', arg: 'N', json: 'integer',
    help: 're-send a moving car\'s bytes every N ms (default 0: only when they change); for cars\nwhose sketch stops by itself after silence (see docs/safety.md), 250 is a good value',
    set: (o, v) => { o.linkRefreshMs = integer(v, 0, 10_000); },
  },
  {
    name: 'link-ack', arg: 'MODE', json: 'string',
    help: 'none | echo: the one car\'s bridge (or car) sends back every byte it got, and a write\nnot echoed within --link-timeout-ms marks the link lost (default none; a car\'s own:\n--car NAME=LINK,ack=echo); see docs/vehicle.md. Use with --link-refresh-ms 250',
    set: (o, v) => { o.linkAck = linkAck(text(v)); },
  },
  {
    name: 'max-clients-per-address', arg: 'N', json: 'integer',
    help: `connections at once from one address (default ${DEFAULT_MAX_CLIENTS_PER_ADDRESS})`,
    set: (o, v) => { o.maxClientsPerAddress = integer(v, 1, 1_000); },
  },
  {
    name: 'charmap', arg: 'FILE', json: 'string',
    help: 'the rc-app codec speaks the characters in FILE (JSON), for cars whose app uses\nother letters than the common one; see docs/vehicle.md',
    set: (o, v) => { o.charmap = charmap(text(v)); },
  },
  {
    name: 'max-clients', arg: 'N', json: 'integer',
    help: `WebSocket connections at once, every car together (default ${DEFAULT_LIMITS.maxClients}, 1 to 10000); with a\ntoken, 4 of them are kept for clients that present it`,
    set: (o, v) => { o.maxClients = integer(v, 1, 10_000); },
  },
  {
    name: 'drive-rate', arg: 'N', json: 'integer',
    help: `messages a second one client may send; the excess (never a stop) is dropped and the client told\n(default ${DEFAULT_LIMITS.driveRatePerSecond}, ${MIN_DRIVE_RATE} to 1000: the page sends up to 33 drive messages a second)`,
    set: (o, v) => { o.driveRatePerSecond = integer(v, MIN_DRIVE_RATE, 1_000); },
  },
  {
    name: 'idle-takeover-ms', arg: 'N', json: 'integer',
    help: `a driver that has not driven for N ms may have the seat taken by a claim\n(default ${DEFAULT_LIMITS.idleTakeoverMs}, 1000 to 3600000)`,
    set: (o, v) => { o.idleTakeoverMs = integer(v, 1_000, 3_600_000); },
  },
  {
    name: 'driver-silence-ms', arg: 'N', json: 'integer',
    help: `a driver not heard from (no message, no pong) for N ms loses its connection\n(default ${DEFAULT_LIMITS.driverSilenceMs}, 1000 to 600000)`,
    set: (o, v) => { o.driverSilenceMs = integer(v, 1_000, 600_000); },
  },
  {
    name: 'resume-window-ms', arg: 'N', json: 'integer',
    help: `how long a departed driver's seat waits for its page to come back\n(default ${DEFAULT_LIMITS.resumeWindowMs}, 0 to 600000; 0: not at all)`,
    set: (o, v) => { o.resumeWindowMs = integer(v, 0, 600_000); },
  },
  {
    name: 'heartbeat-ms', arg: 'N', json: 'integer',
    help: `ping clients idle for N ms and drop those still silent N ms later\n(default ${DEFAULT_LIMITS.heartbeatMs}, 1000 to 3600000; 0: off)`,
    set: (o, v) => {
      const ms = integer(v, 0, 3_600_000);
      if (ms > 0 && ms < 1_000) throw new ValueError(`must be 0 (off) or between 1000 and 3600000, got ${ms}`);
      o.heartbeatMs = ms;
    },
  },
  {
    name: 'token', arg: 'TOKEN', json: 'string',
    help: `require this token to drive (better: set ${TOKEN_ENV}, which ps cannot show)`,
    set: (o, v) => { o.token = token(text(v)); },
  },
  {
    name: 'tls-cert', arg: 'FILE', json: 'string',
    help: 'serve https and wss with this certificate (PEM) ...',
    set: (o, v) => { o.tlsCert = file(text(v)); },
  },
  {
    name: 'tls-key', arg: 'FILE', json: 'string',
    help: '... and this private key (PEM); both or neither',
    set: (o, v) => { o.tlsKey = file(text(v)); },
  },
  {
    name: 'tls', arg: 'self-signed', json: 'string',
    help: 'serve https and wss with a certificate made for this machine\'s names and addresses,\nkept in --data-dir and reused (phones need https for the camera: docs/video.md)',
    set: (o, v) => { o.tls = tlsMode(text(v)); },
  },
  {
    name: 'data-dir', arg: 'DIR', json: 'string',
    help: 'where the self-signed certificate and the best laps are kept (default: the user\'s\nconfig folder, e.g. ~/.config/webracer)',
    set: (o, v) => { o.dataDir = dataDir(text(v)); },
  },
  {
    name: 'ice-server', arg: 'URL', json: 'string', repeatable: true,
    reset: (o) => { delete o.iceServers; },
    help: 'a STUN or TURN server for video over the internet: stun:HOST[:PORT] or\nturn[s]:USER:PASS@HOST[:PORT][?transport=udp|tcp]; repeatable (none on a LAN)',
    set: (o, v) => { (o.iceServers ??= []).push(iceServer(text(v))); },
  },
  {
    name: 'turn-secret', arg: 'SECRET', json: 'string',
    help: `mint each page that shows video its own TURN credentials, valid 10 minutes, for the\nturn: servers given without USER:PASS (coturn's static-auth-secret; better: set ${TURN_SECRET_ENV})`,
    set: (o, v) => { o.turnSecret = token(text(v)); },
  },
  {
    name: 'max-viewers', arg: 'N', json: 'integer',
    help: 'pages each car\'s camera sends video to at once (default 4: a phone encodes once per viewer)',
    set: (o, v) => { o.maxViewers = integer(v, 1, 32); },
  },
  {
    name: 'sfu', arg: 'janus:URL', json: 'string',
    help: 'send each car\'s video through this Janus server\'s VideoRoom (its HTTP API, e.g.\njanus:http://127.0.0.1:8088/janus): the camera uploads once, for any number of viewers',
    set: (o, v) => { o.sfu = sfuTarget(text(v)); },
  },
  {
    name: 'allow-origin', arg: 'ORIGIN', json: 'string', repeatable: true,
    reset: (o) => { delete o.allowOrigins; },
    help: 'also accept WebSocket connections from pages at ORIGIN (scheme://host[:port]), and\nanswer requests for its host name (a proxy\'s, a tunnel\'s); repeatable or comma-separated',
    set: (o, v) => {
      for (const part of text(v).split(',').map((p) => p.trim()).filter(Boolean)) (o.allowOrigins ??= []).push(origin(part));
    },
  },
  {
    name: 'record', arg: 'DIR', json: 'string',
    help: 'record every driving session into DIR, one JSON Lines file each (created if\nneeded); replay with `webracer replay FILE`, browse at /recordings',
    set: (o, v) => { o.record = recordFolder(text(v)); },
  },
  {
    name: 'record-file-mb', arg: 'N', json: 'integer',
    help: `a recording file ends at N MiB and its session goes on in the next part\n(default ${DEFAULT_RECORD_FILE_MB})`,
    set: (o, v) => { o.recordFileMb = integer(v, 1, 4096); },
  },
  {
    name: 'record-total-mb', arg: 'N', json: 'integer',
    help: `the recordings in DIR together; the oldest are deleted first (default ${DEFAULT_RECORD_TOTAL_MB})`,
    set: (o, v) => { o.recordTotalMb = integer(v, 1, 1_048_576); },
  },
  {
    name: 'static-dir', arg: 'DIR', json: 'string',
    help: 'serve the page from DIR instead of the built dist/web (e.g. the seed\'s own page)',
    set: (o, v) => { o.staticDir = folder(text(v)); },
  },
  {
    name: 'log-level', arg: 'LEVEL', json: 'string',
    help: `${LOG_LEVELS.join(' | ')} (default info: connections, seat and link changes, refusals;\ndebug adds refused messages, at most one a second per client)`,
    set: (o, v) => { o.logLevel = oneOf(text(v), LOG_LEVELS); },
  },
  {
    name: 'log-format', arg: 'FORMAT', json: 'string',
    help: `${LOG_FORMATS.join(' | ')} (default text; json: one object per line, for journald or a log shipper)`,
    set: (o, v) => { o.logFormat = oneOf(text(v), LOG_FORMATS); },
  },
  {
    name: 'no-qr', arg: '', json: 'boolean',
    help: 'do not print a QR code of the LAN address at start-up',
    set: (o, v) => { o.qr = !switchValue(v); },
  },
];

/** The options a run starts from before any flag or file. */
export function defaults(): RunOptions {
  return {
    port: DEFAULT_PORT, host: '0.0.0.0', link: 'sim', codec: 'iracer', watchdogMs: DEFAULT_WATCHDOG_MS,
    maxHoldMs: DEFAULT_MAX_HOLD_MS, linkTimeoutMs: DEFAULT_LINK_TIMEOUT_MS,
    maxClientsPerAddress: DEFAULT_MAX_CLIENTS_PER_ADDRESS,
  };
}

/** Rules between options, once all are read. Throws a ValueError. */
export function checkTogether(o: RunOptions, given: ReadonlySet<string>): void {
  if (o.wsPort !== undefined && o.wsPort === o.port) throw new ValueError(`--ws-port ${o.wsPort} is the same as --port`);
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new ValueError('--tls-cert and --tls-key go together');
  if (o.tls !== undefined && o.tlsCert !== undefined) throw new ValueError('--tls self-signed makes its own certificate: leave out --tls-cert and --tls-key');
  if (o.cars !== undefined && (given.has('link') || given.has('codec'))) {
    throw new ValueError('--car names each car with its link and codec; leave out --link and --codec');
  }
  if (o.cars !== undefined && given.has('link-ack')) throw new ValueError('--link-ack is the one car\'s: with --car, give each car its own (,ack=echo)');
  if (o.linkAck !== undefined) ackForLink(o.linkAck, o.link, '--link-ack');
  if (o.cars !== undefined) {
    try {
      checkCars(o.cars);
    } catch (err) {
      throw new ValueError((err as Error).message);
    }
  }
  if (o.record === undefined && (o.recordFileMb !== undefined || o.recordTotalMb !== undefined)) {
    throw new ValueError('--record-file-mb and --record-total-mb go with --record DIR');
  }
  if ((o.recordFileMb ?? DEFAULT_RECORD_FILE_MB) > (o.recordTotalMb ?? DEFAULT_RECORD_TOTAL_MB)) {
    throw new ValueError('--record-file-mb must not be larger than --record-total-mb');
  }
  if (o.charmap !== undefined && !(o.cars ?? [{ codec: o.codec }]).some((c) => c.codec === 'rc-app')) {
    throw new ValueError('--charmap is for the rc-app codec, and no car uses it (--codec rc-app)');
  }
  try {
    checkTurn(o.iceServers ?? [], o.turnSecret);
  } catch (err) {
    throw new ValueError((err as Error).message);
  }
  if (o.seedCar !== undefined) {
    const names = (o.cars ?? [{ name: 'car' }]).map((c) => c.name.toLowerCase());
    if (!names.includes(o.seedCar.toLowerCase())) {
      throw new ValueError(`--seed-car '${shown(o.seedCar)}' is not one of the cars (${(o.cars ?? [{ name: 'car' }]).map((c) => c.name).join(', ')})`);
    }
  }
}
