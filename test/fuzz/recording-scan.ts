/**
 * Reads the recordings folder as it grows and holds each new line to "nothing a non-driver sent is in a
 * recording beyond a count": a line about a client that never held the file's seat may be a refusal
 * (its code, and a `ref` that is a message name), a bare stop, or the stop demand it caused; and no line
 * but the driver's own messages may carry a fuzzer's marker. Links and other non-files are left alone.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { markersIn } from './placeholders.js';
import { messageNames } from './protocol-names.js';
import { violation, type Violation } from './violations.js';

interface FileState { offset: number; rest: string; drivers: Set<string> }
interface Line { kind?: string; format?: string; driver?: string | null; client?: string | null; message?: Record<string, unknown>; ref?: string; demand?: { kind?: string; name?: string } }

/** The fields a stop may keep on disk (the seed command's schema's). */
const STOP_FIELDS = new Set(['type', 'command', 'duration', 'speed', 'data']);
/** Read at most this much of a file per scan (the rest at the next). */
const MAX_READ = 4 * 1024 * 1024;

export class RecordingScanner {
  readonly #files = new Map<string, FileState>();
  readonly #names = messageNames();

  constructor(private readonly dir: string) {}

  /** New lines since the last scan; a violation names the case of the marker it found, else that of the
   *  line's client (`caseOf`), else `caseNo`. */
  scan(caseNo: number, caseOf: (client: string) => number | undefined): Violation[] {
    const found: Violation[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const path = join(this.dir, name);
      if (!name.endsWith('.jsonl') || !lstatSync(path, { throwIfNoEntry: false })?.isFile()) continue;
      const state = this.#files.get(name) ?? { offset: 0, rest: '', drivers: new Set<string>() };
      this.#files.set(name, state);
      for (const text of this.#newLines(path, state)) found.push(...this.#check(name, text, state, caseNo, caseOf));
    }
    return found;
  }

  #newLines(path: string, state: FileState): string[] {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= state.offset) return [];
      const buffer = Buffer.alloc(Math.min(size - state.offset, MAX_READ));
      const n = readSync(fd, buffer, 0, buffer.length, state.offset);
      state.offset += n;
      const lines = (state.rest + buffer.toString('utf8', 0, n)).split('\n');
      state.rest = lines.pop() ?? '';
      return lines;
    } finally {
      closeSync(fd);
    }
  }

  #check(file: string, text: string, state: FileState, caseNo: number, caseOf: (client: string) => number | undefined): Violation[] {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return []; // the reader's business (a torn line after a crash), not this invariant's
    }
    if (line.format !== undefined && typeof line.driver === 'string') state.drivers.add(line.driver);
    if (line.kind === 'seat' && typeof line.driver === 'string') state.drivers.add(line.driver);
    const byDriver = typeof line.client === 'string' && state.drivers.has(line.client);
    const problem = byDriver ? null : this.#problem(line);
    const markers = markersIn(text);
    if (problem === null && (markers.length === 0 || byDriver)) return [];
    const what = problem ?? 'it carries what a client sent';
    return [violation('recordings', `${file}: a line about ${line.client ?? 'nobody'}, who never drove in it: ${what}: ${text.slice(0, 300)}`,
      markers[0]?.[0] ?? (typeof line.client === 'string' ? caseOf(line.client) : undefined) ?? caseNo)];
  }

  /** What is wrong with a line about a client who never drove in this file, or null. */
  #problem(line: Line): string | null {
    switch (line.kind) {
      case 'message':
        if (!isStop(line.message)) return 'a message that is not a stop';
        return Object.keys(line.message!).every((k) => STOP_FIELDS.has(k)) ? null : 'a stop with fields the protocol does not have';
      case 'refusal':
        return line.ref === undefined || this.#names.has(line.ref) ? null : 'a refusal whose ref is the client\'s own text';
      case 'demand':
        return line.client === null || (line.demand?.kind === 'command' && line.demand.name === 'stop') ? null : 'a demand that is not a stop';
      default:
        return null;
    }
  }
}

function isStop(message: Record<string, unknown> | undefined): boolean {
  return message !== undefined && (message.type === 'stop' || message.command === 'stop');
}
