/**
 * A file's lines as bytes, read a chunk at a time so that what the file holds never decides how much
 * memory reading it takes: a line longer than `maxLineBytes` is reported by its length and never held,
 * and reading stops once the file is found larger than `maxFileBytes` (before reading, for a file whose
 * size is known; while reading, for one that keeps growing or a device that never ends). Each chunk is
 * awaited, so a large file never holds up the event loop for long.
 */
import { open } from 'node:fs/promises';

export interface FileLine {
  /** The line without its newline; null when it was longer than maxLineBytes (it was skipped, not held). */
  bytes: Buffer | null;
  length: number;
  /** False for a last line the file ends in without a newline: a file cut off mid-write. */
  newline: boolean;
}

export interface LineLimits {
  maxLineBytes: number;
  /** Default: no limit. */
  maxFileBytes?: number;
}

/** The file is larger than maxFileBytes: `size` bytes, or (`size` null) more than read so far. */
export class FileTooLarge extends Error {
  override name = 'FileTooLarge';
  constructor(readonly size: number | null, readonly maxFileBytes: number) {
    super(`the file is larger than ${maxFileBytes} bytes`);
  }
}

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** Calls `onLine` for every line, in order; an exception from it stops the reading and is thrown. */
export async function readLines(path: string, limits: LineLimits, onLine: (line: FileLine) => void): Promise<void> {
  const maxFileBytes = limits.maxFileBytes ?? Infinity;
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxFileBytes) throw new FileTooLarge(size, maxFileBytes);
    const line = new LineGatherer(limits.maxLineBytes, onLine);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let total = 0; ;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxFileBytes) throw new FileTooLarge(null, maxFileBytes);
      line.add(chunk.subarray(0, bytesRead));
    }
    line.end();
  } finally {
    await handle.close();
  }
}

/** Splits chunks into lines, keeping at most maxLineBytes of the line in progress. */
class LineGatherer {
  #parts: Buffer[] = [];
  #length = 0;

  constructor(private readonly maxLineBytes: number, private readonly onLine: (line: FileLine) => void) {}

  add(data: Buffer): void {
    for (let start = 0; start < data.length;) {
      const newline = data.indexOf(NEWLINE, start);
      const stop = newline < 0 ? data.length : newline;
      this.#keep(data.subarray(start, stop));
      if (newline < 0) return;
      this.#emit(true);
      start = newline + 1;
    }
  }

  /** The file has ended: a line in progress is one without its newline. */
  end(): void {
    if (this.#length > 0) this.#emit(false);
  }

  #keep(part: Buffer): void {
    this.#length += part.length;
    if (this.#length > this.maxLineBytes) this.#parts = []; // too long: from here on only counted
    else if (part.length > 0) this.#parts.push(Buffer.from(part)); // a copy: the chunk is read into again
  }

  #emit(newline: boolean): void {
    const bytes = this.#length > this.maxLineBytes ? null
      : this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts, this.#length);
    const length = this.#length;
    this.#parts = [];
    this.#length = 0;
    this.onLine({ bytes, length, newline });
  }
}
