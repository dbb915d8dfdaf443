/**
 * How each option's value is checked (flags.ts has the table of options that use these): every check
 * takes a flag's text or a config file's JSON value and returns the option's value, or throws a
 * ValueError saying what is wrong with it in words a user can act on. A message quotes a value only through
 * `shown` (never a URL's user name and password), and never quotes a value that is a secret as a whole.
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { CAR_NAME_PATTERN } from '../control/fleet.js';
import { parseIceServer } from '../control/video/ice-servers.js';
import type { IceServer } from '../control/protocol/messages.js';
import type { CarConfig } from '../control/fleet.js';
import { normalizeOrigin } from '../control/connection/origin.js';
import { schemeOf, withoutUserinfo } from '../control/redact.js';
import {
  CharmapError, CODEC_NAMES, DEFAULT_BAUD, LINK_ACKS, MAX_SPEED, parseLinkSpec, readCharmapFile, type CodecName, type LinkAck, type RcAppCharmap,
} from '../vehicle/index.js';

/** A value as a flag gives it (text) or a config file does (JSON). */
export type Value = string | number | boolean | Record<string, unknown>;

/** Thrown by `set` for a bad value: the caller names where it came from (the flag, or the file's field). */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** A refused value as a message may quote it: a URL's userinfo hidden (redact.ts), at most 200 characters. */
export function shown(v: string): string {
  const text = withoutUserinfo(v);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * How a message names a command-line argument it refuses: an option by its name (`'--prot'`), anything
 * else by its place only: a stray argument may be a secret that lost its option (`--token= SECRET`).
 */
export function argumentName(arg: string, position: number): string {
  const name = /^(--?[a-z][a-z0-9-]{0,40})(?:=|$)/i.exec(arg)?.[1];
  return name === undefined ? `argument ${position}` : `'${name}'`;
}

/** Said of a config file's value that is not text: its kind, never the value (it may be a secret). */
function kindOf(v: Value): string {
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return `${v}`;
  return Array.isArray(v) ? 'a list' : 'an object';
}

export function text(v: Value): string {
  if (typeof v !== 'string') throw new ValueError(`must be text in quotes, got ${kindOf(v)}`);
  return v;
}

export function integer(v: Value, min: number, max: number): number {
  const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new ValueError(`must be a whole number, got '${shown(String(v))}'`);
  if (n < min || n > max) throw new ValueError(`must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function oneOf<T extends string>(v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ValueError(`must be one of ${allowed.join(', ')}, got '${shown(v)}'`);
}

/** A switch: on as a flag (no value), true or false in a config file. */
export function switchValue(v: Value): boolean {
  if (v === true || v === '') return true;
  if (v === false) return false;
  throw new ValueError(`is a switch: true or false, got ${typeof v === 'string' ? `'${shown(v)}'` : kindOf(v)}`);
}

export function host(v: string): string {
  // An IP address, or a host name made of letters, digits, dots and dashes.
  if (isIP(v) !== 0 || /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(v)) return v;
  throw new ValueError(`must be an IP address or a host name, got '${shown(v)}'`);
}

/** A --link value, checked (also for `webracer replay`). */
export function link(v: string): string {
  const kind = schemeOf(v);
  if (v !== 'sim' && kind !== 'serial' && kind !== 'tcp') {
    throw new ValueError(`${kind === undefined ? 'not a link' : `'${kind}:' is not a kind of link`}: ${LINK_FORMS}`);
  }
  // A serial link's '@' is its baud rate; in a tcp: one it would be a URL's userinfo, which no link takes.
  if (kind === 'tcp' && v.includes('@')) throw new ValueError(`a tcp: link takes no user name or password: ${LINK_FORMS}, got '${shown(v)}'`);
  try {
    parseLinkSpec(v);
  } catch (err) {
    throw new ValueError((err as Error).message);
  }
  return v;
}

const LINK_FORMS = 'expected sim, serial:PATH[@BAUD] or tcp:HOST:PORT';

/** `--link-ack`, a car's `ack`: how the far end of the link answers (vehicle/links/echo.ts). */
export function linkAck(v: string): LinkAck {
  if ((LINK_ACKS as readonly string[]).includes(v)) return v as LinkAck;
  throw new ValueError(`must be one of ${LINK_ACKS.join(', ')}, got '${shown(v)}'`);
}

/** The echo needs a link that can carry one back: a simulated car has none. */
export function ackForLink(ack: LinkAck, spec: string, who: string): LinkAck {
  if (ack !== 'none' && parseLinkSpec(spec).kind === 'sim') throw new ValueError(`${who}: ack=${ack} is for tcp: and serial: links, not sim`);
  return ack;
}

export function codec(v: string): CodecName {
  if ((CODEC_NAMES as readonly string[]).includes(v)) return v as CodecName;
  throw new ValueError(`must be one of ${CODEC_NAMES.join(', ')}, got '${shown(v)}'`);
}

export function token(v: string): string {
  if (v === '') throw new ValueError('needs a non-empty value');
  if (v.length > 512) throw new ValueError('is longer than 512 characters');
  return v;
}

export function origin(v: string): string {
  try {
    return normalizeOrigin(v);
  } catch (err) {
    throw new ValueError((err as Error).message);
  }
}

export function charmap(path: string): RcAppCharmap {
  try {
    return readCharmapFile(path);
  } catch (err) {
    if (err instanceof CharmapError) throw new ValueError(err.message.replaceAll(path, shown(path)));
    throw err;
  }
}

export function file(path: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new ValueError(`no such file '${shown(path)}'`);
  return path;
}

/** A folder for recordings: made at start-up when missing, but never something that is not a folder. */
export function recordFolder(path: string): string {
  if (path === '') throw new ValueError('needs a folder');
  const info = statSync(path, { throwIfNoEntry: false });
  if (info !== undefined && !info.isDirectory()) throw new ValueError(`'${shown(path)}' is not a folder`);
  return path;
}

export function tlsMode(v: string): 'self-signed' {
  if (v === 'self-signed') return v;
  throw new ValueError(`must be self-signed (for your own certificate: --tls-cert and --tls-key), got '${shown(v)}'`);
}

/** A folder that exists or can be made (it is made when first needed); not a file. */
export function dataDir(path: string): string {
  if (path === '') throw new ValueError('needs a folder');
  if (statSync(path, { throwIfNoEntry: false })?.isFile()) throw new ValueError(`'${shown(path)}' is a file, not a folder`);
  return path;
}

export function iceServer(v: string): IceServer {
  try {
    return parseIceServer(v);
  } catch (err) {
    throw new ValueError((err as Error).message);
  }
}

/** `janus:URL`, the HTTP API of a Janus server (its base path, e.g. http://127.0.0.1:8088/janus): the URL. */
export function sfuTarget(v: string): string {
  if (!v.startsWith('janus:')) throw new ValueError(`must be janus:URL (the Janus server's HTTP API, e.g. janus:http://127.0.0.1:8088/janus), got '${shown(v)}'`);
  let url: URL;
  try {
    url = new URL(v.slice('janus:'.length));
  } catch {
    throw new ValueError(`'${shown(v.slice(6))}' is not a URL (e.g. janus:http://127.0.0.1:8088/janus)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValueError(`Janus's API is http:// or https://, got '${shown(url.protocol)}'`);
  if (url.search || url.hash || url.username) throw new ValueError('the Janus URL takes no query, fragment or credentials');
  return url.href.replace(/\/$/, '');
}

export function folder(path: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new ValueError(`no such folder '${shown(path)}'`);
  return path;
}

/** `NAME=LINK[,codec=C][,baud=N][,ack=A][,max-speed=N]`: the link may not contain a comma (no spec has one). */
export function carFromFlag(v: string): CarConfig {
  const eq = v.indexOf('=');
  if (eq < 0) throw new ValueError('must be NAME=LINK[,codec=C][,baud=N][,ack=A][,max-speed=N], e.g. red=serial:/dev/rfcomm0: there is no \'=\''); // a link may be a URL: not quoted
  const [linkText, ...extras] = v.slice(eq + 1).split(',');
  const fields: Record<string, unknown> = { name: v.slice(0, eq), link: linkText };
  for (const extra of extras) {
    const [flagKey, value, more] = extra.split('=');
    const key = flagKey === 'max-speed' ? 'maxSpeed' : flagKey;
    if (value === undefined || more !== undefined || !['codec', 'baud', 'ack', 'maxSpeed'].includes(key)) {
      throw new ValueError(`'${shown(extra)}' is not codec=NAME or baud=N or ack=${LINK_ACKS.join('|')} or max-speed=N (in '${shown(v)}')`);
    }
    if (key in fields) throw new ValueError(`${flagKey} given twice (in '${shown(v)}')`);
    fields[key] = key === 'baud' ? integer(value, 50, 4_000_000) : value;
  }
  return carFromJson(fields);
}

/** What is wrong with a refused car name, without quoting it (a NAME=LINK that lost its '=' may be a URL). */
function whatIsWrong(name: string): string {
  if (name === '') return 'it is empty';
  if (name.length > 32) return `it has ${name.length} characters`;
  return `it has ${JSON.stringify(/[^a-z0-9_-]/i.exec(name)?.[0])} in it`;
}

/** A car as a config file writes it: {name, link, codec?, baud?, ack?, maxSpeed?}. */
export function carFromJson(v: Record<string, unknown>): CarConfig {
  const name = text(v.name as Value);
  if (!CAR_NAME_PATTERN.test(name)) throw new ValueError(`a car name must be 1-32 letters, digits, '-' or '_': ${whatIsWrong(name)}`);
  let spec = link(text(v.link as Value));
  if (v.baud !== undefined) {
    const baud = integer(v.baud as Value, 50, 4_000_000);
    const parsed = parseLinkSpec(spec);
    if (parsed.kind !== 'serial') throw new ValueError(`car '${name}': baud is for serial links only`);
    if (spec.includes('@')) throw new ValueError(`car '${name}': the baud rate is given twice`);
    spec = baud === DEFAULT_BAUD ? spec : `${spec}@${baud}`;
  }
  const car: CarConfig = { name, link: spec, codec: v.codec === undefined ? 'iracer' : codec(text(v.codec as Value)) };
  if (v.ack !== undefined) car.ack = ackForLink(linkAck(text(v.ack as Value)), spec, `car '${name}'`);
  if (v.maxSpeed !== undefined) car.maxSpeed = carMaxSpeed(v.maxSpeed as Value, name);
  return car;
}

function carMaxSpeed(v: Value, name: string): number {
  try {
    return integer(v, 1, MAX_SPEED);
  } catch (err) {
    throw new ValueError(`car '${name}': max-speed ${(err as Error).message}`);
  }
}
