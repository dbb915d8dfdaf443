/**
 * One recording file, written in the background: a line is encoded straight into a memory chunk (a
 * synchronous append, no copy of what came before) and the chunks go to disk by one asynchronous write at a
 * time, so a slow or stuck disk never holds up the car. Lines are gathered: a write starts
 * WRITE_INTERVAL_MS after the first line waiting, or as soon as WRITE_BATCH_BYTES wait, so a car driven at
 * 60 messages a second costs the disk ten writes a second, not two hundred (and the event loop as few
 * completions). A process killed outright loses at most that interval's lines.
 *
 * The queue is bounded. A line the caller marks `droppable` (a pose) is refused once POSE_BACKLOG_BYTES
 * wait for the disk; any other line is kept up to MAX_BACKLOG_BYTES. Past that the disk is hopeless for
 * this file: the lines are counted as lost (the end line says how many, and a replay refuses the file).
 * A write error (disk full, read-only, quota) ends the file's writing: it is reported once through
 * `onError`, and everything after it is discarded.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Poses stop being queued while this much waits for the disk (far more than one batch). */
export const POSE_BACKLOG_BYTES = 1024 * 1024;
/** Nothing more is queued past this (minutes of driving at the full message rate). */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
export const WRITE_INTERVAL_MS = 100;
export const WRITE_BATCH_BYTES = 256 * 1024;
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface LineFileOptions {
  /** Called once, for the first error (opening or writing); the file writes nothing more. */
  onError(err: Error): void;
  /** Called after each successful write with the bytes it added (for the directory's total). */
  onWritten?(bytes: number): void;
}

export class LineFile {
  /** Full chunks waiting for the disk, then the one being filled (`#chunk`, up to `#used`). */
  #full: Buffer[] = [];
  #chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #used = 0;
  #queuedBytes = 0;
  #writtenBytes = 0;
  #handle: FileHandle | null = null;
  #writing = false;
  #timer: NodeJS.Timeout | null = null;
  #failed = false;
  #closing: Promise<void> | null = null;
  #drained: Array<() => void> = [];
  /** Lines refused because the disk was too slow: poses, and (past the hard bound) anything else. */
  droppedPoses = 0;
  lost = 0;

  constructor(readonly path: string, private readonly opts: LineFileOptions) {
    // 'wx': never overwrite a file that is already there (another run's recording), nor follow a link put
    // in its place; 0600: recordings are private (who drove, what they sent).
    open(path, 'wx', 0o600).then((handle) => {
      this.#handle = handle;
      this.#schedule();
    }, (err: Error) => this.#fail(err));
  }

  /** Bytes queued and written so far: what the file will hold. */
  get size(): number {
    return this.#writtenBytes + this.#queuedBytes;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes still waiting for the disk. */
  get backlog(): number {
    return this.#queuedBytes;
  }

  /** Queues one line (without its newline). False when it was not kept. */
  append(line: string, droppable = false): boolean {
    if (this.#failed) return false;
    if (droppable && this.#queuedBytes >= POSE_BACKLOG_BYTES) {
      this.droppedPoses++;
      return false;
    }
    if (this.#queuedBytes >= MAX_BACKLOG_BYTES) {
      this.lost++;
      return false;
    }
    this.#put(line);
    this.#schedule();
    return true;
  }

  /** Appends `last` (always kept unless the file failed), writes everything queued, closes. */
  close(last?: string): Promise<void> {
    if (this.#closing === null) {
      if (last !== undefined && !this.#failed) this.#put(last);
      this.#closing = (async () => {
        await this.#whenDrained();
        const handle = this.#handle;
        this.#handle = null;
        await handle?.close().catch(() => {});
      })();
      this.#pump();
    }
    return this.#closing;
  }

  /** Encodes the line and its newline into the chunk being filled (a new chunk when it might not fit). */
  #put(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the lines are almost all ASCII, so this rarely wastes.
    const room = line.length * 3 + 1;
    if (this.#used + room > this.#chunk.length) {
      if (this.#used > 0) this.#full.push(this.#chunk.subarray(0, this.#used));
      this.#chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
      this.#used = 0;
    }
    const bytes = this.#chunk.write(line, this.#used, 'utf8');
    this.#chunk[this.#used + bytes] = NEWLINE;
    this.#used += bytes + 1;
    this.#queuedBytes += bytes + 1;
  }

  /** Writes now when a batch is ready (or the file is closing), else within WRITE_INTERVAL_MS. */
  #schedule(): void {
    if (this.#closing !== null || this.#queuedBytes >= WRITE_BATCH_BYTES) this.#pump();
    else if (this.#queuedBytes > 0) this.#timer ??= setTimeout(this.#onTimer, WRITE_INTERVAL_MS).unref();
    else if (!this.#writing && this.#handle !== null) for (const resolve of this.#drained.splice(0)) resolve();
  }

  // The timer and a finished write only schedule the next write for the check phase: gathering a batch
  // must not delay a drive message read in the same turn of the event loop (timers and I/O callbacks run
  // before it; the check phase runs after).
  readonly #onTimer = (): void => {
    this.#timer = null;
    setImmediate(this.#pumpLater);
  };

  readonly #pumpLater = (): void => this.#pump();

  #whenDrained(): Promise<void> {
    if (this.#failed || (this.#queuedBytes === 0 && !this.#writing && this.#handle !== null)) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #pump(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#writing || this.#handle === null || this.#failed) return;
    if (this.#queuedBytes === 0) {
      for (const resolve of this.#drained.splice(0)) resolve();
      return;
    }
    const data = this.#full;
    if (this.#used > 0) data.push(this.#chunk.subarray(0, this.#used));
    // The filled part now belongs to the write; new lines go into the rest of the chunk, or a new one.
    this.#chunk = this.#chunk.subarray(this.#used);
    this.#used = 0;
    this.#full = [];
    const bytes = this.#queuedBytes;
    this.#queuedBytes = 0;
    this.#writing = true;
    writeAll(this.#handle, data).then(() => {
      this.#writing = false;
      this.#writtenBytes += bytes;
      this.opts.onWritten?.(bytes);
      if (this.#closing !== null || this.#queuedBytes >= WRITE_BATCH_BYTES) setImmediate(this.#pumpLater);
      else this.#schedule();
    }, (err: Error) => {
      this.#writing = false;
      this.#fail(err);
    });
  }

  #fail(err: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#full = [];
    this.#used = 0;
    this.#queuedBytes = 0;
    this.opts.onError(err);
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

/** A write to a file may take only part of the data (a disk that is filling up); the rest goes next. */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error('the disk took none of the data');
    // Skip what was written: whole buffers, then the written part of the next one.
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i].length) bytesWritten -= rest[i++].length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0].subarray(bytesWritten);
  }
}
