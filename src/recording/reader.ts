/**
 * Reads a recording (format.ts) and checks every line before anything uses it: a replay drives a car
 * from these lines, so a file that is corrupt, from a newer webracer, or holds what no server writes
 * (limits outside the server's own, times past a week, an accessory no codec has, invalid UTF-8) is
 * refused as a whole, with the line at fault, before a single byte is sent.
 *
 * A file that stops without its end line was cut short (the server was killed, or the power went): it
 * is read up to its last sound line, and a last line without its newline (cut off mid-write, or the NUL
 * bytes a file system may leave after a power cut) is the cut, whatever it holds. The caller decides what
 * that means: a replay plays such a file to its last line; parseRecording (the tests' strict reader)
 * refuses it. The page reads leniently instead: whatever was fine up to the first problem, and the problem.
 */
import { isUtf8 } from 'node:buffer';
import { checkHeader, checkLine, LineProblem } from './checks.js';
import { FileTooLarge, readLines } from './file-lines.js';
import { MAX_LINE_BYTES, type RecordingHeader, type RecordingLine } from './format.js';

/** A recording that cannot be used, and the line (1-based) where that was found (null: the file as a whole). */
export class RecordingError extends Error {
  override name = 'RecordingError';
  constructor(readonly line: number | null, reason: string) {
    super(line === null ? reason : `line ${line}: ${reason}`);
  }
}

export type EndLine = Extract<RecordingLine, { kind: 'end' }>;

/** A recording as a replay takes it: whole, or cut short (no end line) and played up to its last line. */
export interface Playable {
  header: RecordingHeader;
  /** Every line after the header, the end line last when there is one. */
  lines: RecordingLine[];
  end: EndLine | null;
}

/** A whole recording: its end line is there. */
export interface Recording extends Playable {
  end: EndLine;
}

/** Where a recording without its end line stops. */
export interface CutShort {
  /** The last sound line (1-based, the header is line 1) and its time. */
  line: number;
  t: number;
  /** A last line cut off mid-write (no newline after it) was left out. */
  torn: boolean;
}

/** A replay reads files up to this size whole (~4 bytes of memory a byte); twice the recorder's default part. */
export const MAX_REPLAY_FILE_BYTES = 64 * 1024 * 1024;

const TRUNCATED = 'the line is cut off: the file was truncated';
const NO_END = 'the file stops without its end line: the recording was cut short (the server was killed, or the power went)';

/** Where a playable recording ends: its end line, or its last sound line. */
export function durationOf(recording: Playable): number {
  return recording.end?.t ?? recording.lines.at(-1)?.t ?? 0;
}

/** Checks lines one at a time, in order; throws a RecordingError naming the line. */
export class RecordingParser {
  header: RecordingHeader | null = null;
  end: EndLine | null = null;
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
    let line: RecordingLine;
    try {
      if (this.header === null) {
        this.header = checkHeader(value as Record<string, unknown>);
        return null;
      }
      line = checkLine(value as Record<string, unknown>, this.#lastT, this.header);
    } catch (err) {
      if (err instanceof LineProblem) throw new RecordingError(n, err.message);
      throw err;
    }
    this.#lastT = line.t;
    if (line.kind === 'end') this.end = line;
    return line;
  }

  /** The next line as the file holds it: UTF-8 only (a byte that is not would silently become U+FFFD). */
  pushBytes(bytes: Buffer): RecordingLine | null {
    if (!isUtf8(bytes)) throw new RecordingError(this.count + 1, 'the line is not valid UTF-8 text (the file is corrupt)');
    return this.push(bytes.toString('utf8'));
  }

  /** The next line is longer than MAX_LINE_BYTES: refused without being read. */
  tooLong(): never {
    throw new RecordingError(this.count + 1, `the line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB, which no line webracer writes is `
      + '(the file is corrupt, or not a recording)');
  }

  /**
   * The file has ended, `torn` when its last line had no newline (and was not pushed). Returns where a
   * recording without its end line stops (null: it has its end line); throws when not even the header
   * is whole, or when something follows the end line.
   */
  finish(torn: boolean): CutShort | null {
    if (this.header === null) throw new RecordingError(1, torn ? TRUNCATED : 'the file is empty: not a webracer recording');
    if (this.end !== null) {
      if (torn) throw new RecordingError(this.count + 1, 'a line after the end line');
      return null;
    }
    return { line: this.count, t: this.#lastT, torn };
  }
}

/** Parses a whole recording, strictly: one cut short is refused too. Throws a RecordingError for the first problem. */
export function parseRecording(text: string): Recording {
  const parser = new RecordingParser();
  const lines: RecordingLine[] = [];
  const complete = text.endsWith('\n');
  const rows = text === '' ? [] : (complete ? text.slice(0, -1) : text).split('\n');
  // The last line of a file that does not end with a newline is cut off, whatever it holds.
  for (const raw of complete ? rows : rows.slice(0, -1)) {
    const line = parser.push(raw);
    if (line !== null) lines.push(line);
  }
  const cut = parser.finish(!complete && rows.length > 0);
  if (cut !== null) throw new RecordingError(cut.line + 1, cut.torn ? TRUNCATED : NO_END);
  return { header: parser.header!, lines, end: parser.end! };
}

/**
 * Reads a recording file for a replay, every line checked, in bounded memory: a line over MAX_LINE_BYTES
 * or a file over `maxFileBytes` is refused without being held. Throws a RecordingError.
 */
export async function readRecordingFile(path: string, maxFileBytes = MAX_REPLAY_FILE_BYTES): Promise<{ recording: Playable; cut: CutShort | null }> {
  const parser = new RecordingParser();
  const lines: RecordingLine[] = [];
  const torn = await parseFile(parser, path, maxFileBytes, (line) => lines.push(line));
  const cut = parser.finish(torn);
  return { recording: { header: parser.header!, lines, end: parser.end }, cut };
}

/**
 * Streams a recording file line by line (for the page: any size, never held whole), handing each checked
 * line to `onLine`. Resolves with the header, the end line or where the file was cut short, or the
 * problem that stopped it.
 */
export async function scanRecording(path: string, onLine: (line: RecordingLine) => void,
  onHeader?: (header: RecordingHeader) => void): Promise<{
  header: RecordingHeader | null; end: RecordingLine | null; cut: CutShort | null; problem: RecordingError | null;
}> {
  const parser = new RecordingParser();
  try {
    const torn = await parseFile(parser, path, Infinity, onLine, onHeader);
    return { header: parser.header, end: parser.end, cut: parser.finish(torn), problem: null };
  } catch (err) {
    if (!(err instanceof RecordingError)) throw err;
    return { header: parser.header, end: parser.end, cut: null, problem: err };
  }
}

/** Every line of the file through the parser. True when the last line had no newline (it is not parsed). */
async function parseFile(parser: RecordingParser, path: string, maxFileBytes: number, onLine: (line: RecordingLine) => void,
  onHeader?: (header: RecordingHeader) => void): Promise<boolean> {
  let torn = false;
  try {
    await readLines(path, { maxLineBytes: MAX_LINE_BYTES, maxFileBytes }, ({ bytes, newline }) => {
      if (!newline) {
        torn = true;
        return;
      }
      if (bytes === null) parser.tooLong();
      const line = parser.pushBytes(bytes);
      if (line !== null) onLine(line);
      else onHeader?.(parser.header!);
    });
  } catch (err) {
    if (err instanceof FileTooLarge) throw new RecordingError(null, tooLarge(err));
    throw err;
  }
  return torn;
}

function tooLarge(err: FileTooLarge): string {
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const max = err.maxFileBytes / 1024 / 1024;
  return `${err.size === null ? 'the file holds' : `the file is ${mib(err.size)},`} more than a replay reads (${max} MiB): `
    + `record with --record-file-mb ${max} or less, and replay a longer session part by part`;
}
