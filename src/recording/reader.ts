/**
 * Reads a recording (format.ts) and checks every line before anything uses it: a replay drives a car
 * from these lines, so a file that is cut short, corrupt or from a newer webracer is refused as a whole,
 * with the line at fault, before a single byte is sent. The page reads leniently instead: whatever was
 * fine up to the first problem, and the problem.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CODEC_NAMES, validateDemand, type Pose } from '../vehicle/index.js';
import {
  FORMAT, FORMAT_VERSION, LINE_KINDS, type EndReason, type RecordingHeader, type RecordingLine,
} from './format.js';

/** A recording that cannot be used, and the line (1-based) where that was found. */
export class RecordingError extends Error {
  override name = 'RecordingError';
  constructor(readonly line: number, reason: string) {
    super(`line ${line}: ${reason}`);
  }
}

export interface Recording {
  header: RecordingHeader;
  /** Every line after the header, the end line last. */
  lines: RecordingLine[];
  end: Extract<RecordingLine, { kind: 'end' }>;
}

const TRUNCATED = 'the line is cut off: the file was truncated';
const LINK_STATES = ['connecting', 'connected', 'reconnecting', 'closed'];
const LINK_KINDS = ['sim', 'serial', 'tcp'];
const END_REASONS: EndReason[] = ['seat', 'server-stopped', 'file-limit'];

type Fields = Record<string, unknown>;

/** Checks lines one at a time, in order; throws a RecordingError naming the line. */
export class RecordingParser {
  header: RecordingHeader | null = null;
  end: Extract<RecordingLine, { kind: 'end' }> | null = null;
  /** Lines read so far, the header included. */
  count = 0;
  #lastT = 0;

  /** Reads the next line (without its newline); returns it checked (null for the header). */
  push(text: string): RecordingLine | null {
    const n = ++this.count;
    if (this.end !== null) throw new RecordingError(n, 'a line after the end line');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new RecordingError(n, text === '' ? 'an empty line' : 'not JSON (the file is corrupt)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RecordingError(n, 'not a JSON object (the file is corrupt)');
    }
    if (this.header === null) {
      this.header = checkHeader(value as Fields);
      return null;
    }
    const line = checkLine(value as Fields, n, this.#lastT);
    this.#lastT = line.t;
    if (line.kind === 'end') this.end = line;
    return line;
  }

  /** The whole file has been read; throws if it was cut short. */
  finish(endedWithNewline: boolean): void {
    if (this.count === 0) throw new RecordingError(1, 'the file is empty: not a webracer recording');
    if (!endedWithNewline) throw new RecordingError(this.count, TRUNCATED);
    if (this.end === null) {
      throw new RecordingError(this.count + 1,
        'the file stops without its end line: the recording was cut short (the server was killed, or the disk filled)');
    }
  }
}

/** Parses a whole recording; throws a RecordingError for the first problem. */
export function parseRecording(text: string): Recording {
  const parser = new RecordingParser();
  const lines: RecordingLine[] = [];
  const complete = text.endsWith('\n');
  const rows = text === '' ? [] : (complete ? text.slice(0, -1) : text).split('\n');
  rows.forEach((raw, i) => {
    // The last line of a file that does not end with a newline is cut off, whatever it holds.
    if (!complete && i === rows.length - 1) throw new RecordingError(i + 1, TRUNCATED);
    const line = parser.push(raw);
    if (line !== null) lines.push(line);
  });
  parser.finish(complete);
  return { header: parser.header!, lines, end: parser.end! };
}

/**
 * Streams a recording file line by line (so a large file never blocks the server for long), handing
 * each checked line to `onLine`. Resolves with the header and end line, or the problem that stopped it.
 */
export async function scanRecording(path: string, onLine: (line: RecordingLine) => void,
  onHeader?: (header: RecordingHeader) => void): Promise<{
  header: RecordingHeader | null; end: RecordingLine | null; problem: RecordingError | null;
}> {
  const parser = new RecordingParser();
  const stream = createReadStream(path, { encoding: 'utf8' });
  let endedWithNewline = true;
  stream.on('data', (chunk: string | Buffer) => {
    if (chunk.length > 0) endedWithNewline = String(chunk).endsWith('\n');
  });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let problem: RecordingError | null = null;
  try {
    let last = true; // whether the bad line, if any, was the file's last
    for await (const text of lines) {
      if (problem !== null) {
        last = false;
        break;
      }
      let line: RecordingLine | null;
      try {
        line = parser.push(text);
      } catch (err) {
        if (!(err instanceof RecordingError)) throw err;
        problem = err; // reported once we know whether it was the last line
        continue;
      }
      if (line !== null) onLine(line);
      else onHeader?.(parser.header!);
    }
    if (problem !== null) {
      // A bad last line with no newline after it was cut off, whatever it holds.
      if (last && !endedWithNewline) problem = new RecordingError(problem.line, TRUNCATED);
    } else {
      parser.finish(endedWithNewline);
    }
  } catch (err) {
    if (!(err instanceof RecordingError)) throw err;
    problem = err;
  } finally {
    lines.close();
    stream.destroy();
  }
  return { header: parser.header, end: parser.end, problem };
}

function checkHeader(h: Fields): RecordingHeader {
  const bad = (why: string): never => {
    throw new RecordingError(1, `the header ${why}`);
  };
  if (h.format !== FORMAT) throw new RecordingError(1, `not a webracer recording (no "format":"${FORMAT}")`);
  if (!Number.isInteger(h.version) || (h.version as number) < 1) bad('has no valid version');
  if ((h.version as number) > FORMAT_VERSION) {
    throw new RecordingError(1, `this recording is format version ${String(h.version)}, newer than this webracer reads `
      + `(up to ${FORMAT_VERSION}): upgrade webracer to read it`);
  }
  for (const key of ['car', 'server', 'started', 'session', 'driver']) if (typeof h[key] !== 'string') bad(`has no ${key}`);
  if (!(CODEC_NAMES as readonly unknown[]).includes(h.codec)) bad(`names an unknown codec ${JSON.stringify(h.codec)}`);
  if (!LINK_KINDS.includes(h.link as string)) bad(`names an unknown link ${JSON.stringify(h.link)}`);
  if (!LINK_STATES.includes(h.linkState as string)) bad('has no valid linkState');
  if (typeof h.clock !== 'number' || !Number.isFinite(h.clock)) bad('has no valid clock');
  if (!Number.isInteger(h.part) || (h.part as number) < 1) bad('has no valid part');
  const limits = h.limits as Fields | undefined;
  if (typeof limits !== 'object' || limits === null || !positive(limits.watchdogMs) || !positive(limits.maxHoldMs)
    || !(limits.refreshMs === 0 || positive(limits.refreshMs))) {
    bad('has no valid limits');
  }
  if (h.pose !== null && !isPose(h.pose)) bad('has an invalid pose');
  return h as unknown as RecordingHeader;
}

function checkLine(l: Fields, n: number, lastT: number): RecordingLine {
  const bad = (why: string): never => {
    throw new RecordingError(n, `${typeof l.kind === 'string' ? `a ${l.kind} line ` : ''}${why}`);
  };
  if (typeof l.t !== 'number' || !Number.isFinite(l.t) || l.t < 0) bad('has no valid time t');
  if ((l.t as number) < lastT) bad(`goes back in time (${String(l.t)} ms after ${lastT} ms)`);
  if (!LINE_KINDS.includes(l.kind as RecordingLine['kind'])) {
    throw new RecordingError(n, `unknown kind of line ${JSON.stringify(l.kind)}`);
  }
  switch (l.kind as RecordingLine['kind']) {
    case 'seat':
      if (!(l.driver === null || typeof l.driver === 'string') || typeof l.reserved !== 'boolean') bad('is malformed');
      break;
    case 'message':
      if (typeof l.client !== 'string' || typeof l.message !== 'object' || l.message === null) bad('is malformed');
      break;
    case 'refusal':
      if (typeof l.client !== 'string' || typeof l.code !== 'string') bad('is malformed');
      break;
    case 'demand':
      if (!(l.client === null || typeof l.client === 'string')) bad('has no client');
      try {
        validateDemand(l.demand);
      } catch (err) {
        bad(`has an invalid demand: ${(err as Error).message}`);
      }
      break;
    case 'write':
      if (typeof l.bytes !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(l.bytes)) bad('has no valid bytes (hex)');
      break;
    case 'link':
      if (!LINK_STATES.includes(l.state as string)) bad('has no valid state');
      break;
    case 'watchdog':
    case 'hold-expired':
      break;
    case 'pose':
      if (!isPose(l.pose)) bad('has an invalid pose');
      break;
    case 'dropped':
      if (!Number.isInteger(l.poses) || (l.poses as number) < 0) bad('has no valid count');
      break;
    case 'end':
      if (!END_REASONS.includes(l.reason as EndReason)) bad('has no valid reason');
      if (!(l.pose === null || isPose(l.pose))) bad('has an invalid pose');
      if (!Number.isInteger(l.droppedPoses) || !Number.isInteger(l.lost)) bad('has no valid counts');
      break;
  }
  return l as unknown as RecordingLine;
}

function positive(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function isPose(p: unknown): p is Pose {
  if (typeof p !== 'object' || p === null) return false;
  const q = p as Fields;
  return [q.x, q.y, q.heading, q.speed].every((v) => typeof v === 'number' && Number.isFinite(v));
}
