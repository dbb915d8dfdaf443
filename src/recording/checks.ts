/**
 * What a sound line of a recording is (format.ts; docs/recording.md): the header, and each kind of line.
 * Sound means what a server writes, not only well-formed: limits the server takes (limits.ts), times
 * within a week, holds no longer than the recording's own longest, accessories a codec has, a car name
 * and a start time the server gives (the replay prints them: no terminal escapes). A check throws a
 * LineProblem; the reader (reader.ts) adds the line number.
 */
import { CAR_NAME_PATTERN } from '../control/fleet.js';
import { ACCESSORY_NAMES, CODEC_NAMES, validateDemand, type Pose } from '../vehicle/index.js';
import {
  FORMAT, FORMAT_VERSION, KIND_SINCE, LINE_KINDS, MAX_REASON_CHARS, MAX_RECORDING_MS, type EndReason, type RecordingHeader, type RecordingLine,
} from './format.js';
import { limitsProblem } from './limits.js';

/** Why a line is not sound. */
export class LineProblem extends Error {
  override name = 'LineProblem';
}

type Fields = Record<string, unknown>;

const LINK_STATES = ['connecting', 'connected', 'reconnecting', 'closed'];
const LINK_KINDS = ['sim', 'serial', 'tcp'];
const END_REASONS: EndReason[] = ['seat', 'server-stopped', 'file-limit'];
/** The accessories a recorded `accessory` message may switch: every codec's, and `all` (off only). */
const ACCESSORIES: readonly string[] = [...ACCESSORY_NAMES, 'all'];
/** `started` as the recorder writes it (Date.toISOString). */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function checkHeader(h: Fields): RecordingHeader {
  const bad = (why: string): never => {
    throw new LineProblem(`the header ${why}`);
  };
  if (h.format !== FORMAT) throw new LineProblem(`not a webracer recording (no "format":"${FORMAT}")`);
  if (!Number.isInteger(h.version) || (h.version as number) < 1) bad('has no valid version');
  if ((h.version as number) > FORMAT_VERSION) {
    throw new LineProblem(`this recording is format version ${String(h.version)}, newer than this webracer reads `
      + `(up to ${FORMAT_VERSION}): upgrade webracer to read it`);
  }
  for (const key of ['car', 'server', 'started', 'session', 'driver']) if (typeof h[key] !== 'string') bad(`has no ${key}`);
  if (!CAR_NAME_PATTERN.test(h.car as string)) bad(`has a car name no server gives (${JSON.stringify(h.car)})`);
  if (!ISO_TIME.test(h.started as string) || !Number.isFinite(Date.parse(h.started as string))) {
    bad(`has no valid start time (${JSON.stringify(h.started)})`);
  }
  if (!(CODEC_NAMES as readonly unknown[]).includes(h.codec)) bad(`names an unknown codec ${JSON.stringify(h.codec)}`);
  if (!LINK_KINDS.includes(h.link as string)) bad(`names an unknown link ${JSON.stringify(h.link)}`);
  if (!LINK_STATES.includes(h.linkState as string)) bad('has no valid linkState');
  if (typeof h.clock !== 'number' || !Number.isFinite(h.clock)) bad('has no valid clock');
  if (!Number.isInteger(h.part) || (h.part as number) < 1) bad('has no valid part');
  const limits = limitsProblem(h.limits);
  if (limits !== null) throw new LineProblem(`the header's ${limits}`);
  if (h.pose !== null && !isPose(h.pose)) bad('has an invalid pose');
  return h as unknown as RecordingHeader;
}

/** Checks a line after the header: `lastT` is the time of the line before it. */
export function checkLine(l: Fields, lastT: number, header: RecordingHeader): RecordingLine {
  const kind = typeof l.kind === 'string' ? l.kind : null;
  const bad = (why: string): never => {
    throw new LineProblem(`${kind === null ? '' : `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} line `}${why}`);
  };
  if (typeof l.t !== 'number' || !Number.isFinite(l.t) || l.t < 0) bad('has no valid time t');
  if ((l.t as number) > MAX_RECORDING_MS) bad(`has a time t of ${String(l.t)} ms, past the longest a recording may run (7 days)`);
  if ((l.t as number) < lastT) bad(`goes back in time (${String(l.t)} ms after ${lastT} ms)`);
  if (!LINE_KINDS.includes(kind as RecordingLine['kind'])) throw new LineProblem(`unknown kind of line ${JSON.stringify(l.kind)}`);
  const since = KIND_SINCE[kind as RecordingLine['kind']] ?? 1;
  if (since > header.version) bad(`is in a version ${header.version} file; that kind came with version ${since}`);
  const why = problemOf(l, kind as RecordingLine['kind'], header);
  if (why !== null) bad(why);
  return l as unknown as RecordingLine;
}

/** What is wrong with a line of this kind, or null. */
function problemOf(l: Fields, kind: RecordingLine['kind'], header: RecordingHeader): string | null {
  switch (kind) {
    case 'seat':
      return (l.driver === null || typeof l.driver === 'string') && typeof l.reserved === 'boolean' ? null : 'is malformed';
    case 'message':
      if (typeof l.client !== 'string' || typeof l.message !== 'object' || l.message === null) return 'is malformed';
      return accessoryProblem(l.message as Fields);
    case 'refusal':
      return typeof l.client === 'string' && typeof l.code === 'string' ? null : 'is malformed';
    case 'demand':
      if (!(l.client === null || typeof l.client === 'string')) return 'has no client';
      return demandProblem(l.demand, header.limits.maxHoldMs);
    case 'write':
      return typeof l.bytes === 'string' && /^(?:[0-9a-f]{2})+$/.test(l.bytes) ? null : 'has no valid bytes (hex)';
    case 'link':
      return LINK_STATES.includes(l.state as string) ? null : 'has no valid state';
    case 'watchdog':
    case 'hold-expired':
      return null;
    case 'pose':
    case 'place':
      return isPose(l.pose) ? null : 'has an invalid pose';
    case 'hold':
      return typeof l.reason === 'string' && l.reason.length <= MAX_REASON_CHARS && !/[\u0000-\u001f\u007f-\u009f]/.test(l.reason)
        ? null : 'has no valid reason';
    case 'release':
      return null;
    case 'dropped':
      return count(l.poses) ? null : 'has no valid count';
    case 'end':
      if (!END_REASONS.includes(l.reason as EndReason)) return 'has no valid reason';
      if (!(l.pose === null || isPose(l.pose))) return 'has an invalid pose';
      return count(l.droppedPoses) && count(l.lost) ? null : 'has no valid counts';
  }
}

/** A demand as the Driver checks it, held no longer than the server that recorded it allowed. */
function demandProblem(demand: unknown, maxHoldMs: number): string | null {
  try {
    validateDemand(demand);
  } catch (err) {
    return `has an invalid demand: ${(err as Error).message}`;
  }
  const hold = (demand as { durationMs?: number }).durationMs;
  return hold !== undefined && hold > maxHoldMs
    ? `holds for ${hold} ms, longer than the recording's own maxHoldMs (${maxHoldMs}): the server cuts every hold to it`
    : null;
}

/** The one recorded message a replay acts on: an accessory it switches must be one a codec has. */
function accessoryProblem(message: Fields): string | null {
  if (message.type !== 'accessory') return null;
  if (!ACCESSORIES.includes(message.name as string)) {
    return `switches an accessory no codec has: ${JSON.stringify(message.name)} (known: ${ACCESSORIES.join(', ')})`;
  }
  if (typeof message.on !== 'boolean' || (message.name === 'all' && message.on)) return 'has an accessory switch that is malformed';
  return null;
}

function count(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0;
}

function isPose(p: unknown): p is Pose {
  if (typeof p !== 'object' || p === null) return false;
  const q = p as Fields;
  return [q.x, q.y, q.heading, q.speed].every((v) => typeof v === 'number' && Number.isFinite(v));
}
