/**
 * The webracer command line: flags to ControlOptions, each value checked, so a typo stops at start-up
 * with a usage message (exit 2) instead of misbehaving later.
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { normalizeOrigin } from '../control/origin.js';
import type { ControlOptions } from '../control/options.js';
import { CODEC_NAMES, DEFAULT_WATCHDOG_MS, parseLinkSpec, type CodecName } from '../vehicle/index.js';

export const TOKEN_ENV = 'WEBRACER_TOKEN';

/** The defaults the usage promises (the server has the same ones for callers that leave them out). */
export const DEFAULT_MAX_HOLD_MS = 2_000;
export const DEFAULT_LINK_TIMEOUT_MS = 1_000;
export const DEFAULT_MAX_CLIENTS_PER_ADDRESS = 16;

export const USAGE = `Usage: webracer [options]

Drive an RC car (or the simulated one) from a browser. Prints the URLs to open.

  --port N              HTTP and WebSocket port (default 8000; 0 picks a free one). WebSocket upgrades
                        are accepted at /ws and, for seed-era pages, at /
  --host ADDR           address to listen on (default 0.0.0.0: every interface; 127.0.0.1: this machine only)
  --link SPEC           sim | serial:PATH[@BAUD] | tcp:HOST:PORT (default sim)
  --codec NAME          iracer | rc-app (default iracer)
  --ws-port N           extra WebSocket-only listener, as the seed's page expects (9876)
  --watchdog-ms N       stop the car when analog input stops for N ms (default ${DEFAULT_WATCHDOG_MS})
  --max-hold-ms N       the longest a timed (seed) command holds the car; a longer duration is cut to it
                        (default ${DEFAULT_MAX_HOLD_MS}, 100 to 10000)
  --link-timeout-ms N   a write the car's link has not taken within N ms marks the link lost; it
                        reconnects and sends a stop first (default ${DEFAULT_LINK_TIMEOUT_MS}, 100 to 60000)
  --max-clients-per-address N
                        connections at once from one address (default ${DEFAULT_MAX_CLIENTS_PER_ADDRESS})
  --token TOKEN         require this token to drive (better: set ${TOKEN_ENV}, which ps cannot show)
  --tls-cert FILE       serve https and wss with this certificate (PEM) ...
  --tls-key FILE        ... and this private key (PEM); both or neither
  --allow-origin ORIGIN also accept WebSocket connections from pages at ORIGIN (scheme://host[:port]);
                        repeatable or comma-separated
  --static-dir DIR      serve the page from DIR instead of the built dist/web (e.g. the seed's own page)
  --list-devices        print candidate serial and Bluetooth ports, then exit
  -h, --help            print this help, then exit
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  | { kind: 'help' }
  | { kind: 'list-devices' }
  | { kind: 'run'; options: ControlOptions };

type Flag = 'port' | 'host' | 'link' | 'codec' | 'ws-port' | 'watchdog-ms' | 'max-hold-ms' | 'link-timeout-ms'
  | 'max-clients-per-address' | 'token' | 'tls-cert' | 'tls-key' | 'allow-origin' | 'static-dir';
const VALUE_FLAGS = new Set<string>(['port', 'host', 'link', 'codec', 'ws-port', 'watchdog-ms', 'max-hold-ms',
  'link-timeout-ms', 'max-clients-per-address', 'token', 'tls-cert', 'tls-key', 'allow-origin', 'static-dir']);
const REPEATABLE = new Set<string>(['allow-origin']);

/** Parses argv (without node and the script). Throws UsageError with a one-line reason. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Command {
  const values = new Map<Flag, string[]>();
  let listDevices = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--list-devices') {
      listDevices = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option '--${name}'`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else throw new UsageError(`option '--${name}' needs a value`);
    const list = values.get(name as Flag) ?? [];
    if (list.length > 0 && !REPEATABLE.has(name)) throw new UsageError(`option '--${name}' given more than once`);
    list.push(value);
    values.set(name as Flag, list);
  }
  if (listDevices) return { kind: 'list-devices' };
  const one = (flag: Flag): string | undefined => values.get(flag)?.[0];

  const options: ControlOptions = {
    port: port(one('port') ?? '8000', 'port', true),
    host: host(one('host') ?? '0.0.0.0'),
    link: link(one('link') ?? 'sim'),
    codec: codec(one('codec') ?? 'iracer'),
    watchdogMs: integer(one('watchdog-ms') ?? String(DEFAULT_WATCHDOG_MS), 'watchdog-ms', 50, 60_000),
    maxHoldMs: integer(one('max-hold-ms') ?? String(DEFAULT_MAX_HOLD_MS), 'max-hold-ms', 100, 10_000),
    linkTimeoutMs: integer(one('link-timeout-ms') ?? String(DEFAULT_LINK_TIMEOUT_MS), 'link-timeout-ms', 100, 60_000),
    maxClientsPerAddress: integer(one('max-clients-per-address') ?? String(DEFAULT_MAX_CLIENTS_PER_ADDRESS),
      'max-clients-per-address', 1, 1_000),
  };
  const wsPort = one('ws-port');
  if (wsPort !== undefined) {
    options.wsPort = port(wsPort, 'ws-port', false);
    if (options.wsPort === options.port) throw new UsageError(`--ws-port ${wsPort} is the same as --port`);
  }
  const token = one('token') ?? env[TOKEN_ENV];
  if (token !== undefined && token !== '') {
    if (token.length > 512) throw new UsageError('the token is longer than 512 characters');
    options.token = token;
  } else if (one('token') !== undefined) {
    throw new UsageError('--token needs a non-empty value');
  }
  const origins = (values.get('allow-origin') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (origins.length > 0) options.allowOrigins = origins.map(origin);
  const cert = one('tls-cert');
  const key = one('tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (cert !== undefined && key !== undefined) {
    options.tlsCert = file(cert, 'tls-cert');
    options.tlsKey = file(key, 'tls-key');
  }
  const dir = one('static-dir');
  if (dir !== undefined) options.staticDir = folder(dir);
  return { kind: 'run', options };
}

function integer(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function port(text: string, flag: string, allowZero: boolean): number {
  return integer(text, flag, allowZero ? 0 : 1, 65535);
}

function host(text: string): string {
  // An IP address, or a host name made of letters, digits, dots and dashes.
  if (isIP(text) !== 0 || /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(text)) return text;
  throw new UsageError(`--host must be an IP address or a host name, got '${text}'`);
}

function link(text: string): string {
  try {
    parseLinkSpec(text);
  } catch (err) {
    throw new UsageError(`--link: ${(err as Error).message}`);
  }
  return text;
}

function codec(text: string): CodecName {
  if ((CODEC_NAMES as readonly string[]).includes(text)) return text as CodecName;
  throw new UsageError(`--codec must be one of ${CODEC_NAMES.join(', ')}, got '${text}'`);
}

function origin(text: string): string {
  try {
    return normalizeOrigin(text);
  } catch (err) {
    throw new UsageError(`--allow-origin: ${(err as Error).message}`);
  }
}

function file(path: string, flag: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--${flag}: no such file '${path}'`);
  return path;
}

function folder(path: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--static-dir: no such folder '${path}'`);
  }
  return path;
}
