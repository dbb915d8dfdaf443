/**
 * One recording file, written in the background: lines are queued in memory (a synchronous, O(1) append)
 * and written by one asynchronous write at a time, so a slow or stuck disk never holds up the car. Lines
 * are gathered: a write starts WRITE_INTERVAL_MS after the first line waiting, or at once when
 * WRITE_BATCH_BYTES wait, so a car driven at 60 messages a second costs the disk ten writes a second, not
 * two hundred (and the event loop as few completions). A process killed outright loses at most that
 * interval's lines.
 *
 * The queue is bounded. A line the caller marks `droppable` (a pose) is refused once POSE_BACKLOG_BYTES
 * wait for the disk; any other line is kept up to MAX_BACKLOG_BYTES. Past that the disk is hopeless for
 * this file: the lines are counted as lost (the end line says how many, and a replay refuses the file).
 * A write error (disk full, read-only, quota) ends the file's writing: it is reported once through
 * `onError`, and everything after it is discarded.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Poses stop being queued while this much waits for the disk. */
export const POSE_BACKLOG_BYTES = 128 * 1024;
/** Nothing more is queued past this (minutes of driving at the full message rate). */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
export const WRITE_INTERVAL_MS = 100;
export const WRITE_BATCH_BYTES = 32 * 1024;

export interface LineFileOptions {
  /** Called once, for the first error (opening or writing); the file writes nothing more. */
  onError(err: Error): void;
  /** Called after each successful write with the bytes it added (for the directory's total). */
  onWritten?(bytes: number): void;
}

export class LineFile {
  #queue: string[] = [];
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
    // 'wx': never overwrite a file that is already there (another run's recording).
    open(path, 'wx').then((handle) => {
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
    const text = line + '\n';
    this.#queue.push(text);
    this.#queuedBytes += text.length; // close enough for a bound (the lines are mostly ASCII)
    this.#schedule();
    return true;
  }

  /** Writes now when a batch is ready (or the file is closing), else within WRITE_INTERVAL_MS. */
  #schedule(): void {
    if (this.#closing !== null || this.#queuedBytes >= WRITE_BATCH_BYTES) this.#pump();
    else if (this.#queue.length > 0) this.#timer ??= setTimeout(this.#onTimer, WRITE_INTERVAL_MS).unref();
    else if (!this.#writing && this.#handle !== null) for (const resolve of this.#drained.splice(0)) resolve();
  }

  // The timer and a finished write only schedule the next write for the check phase: joining a batch
  // into one buffer takes tens of microseconds, which must not delay a drive message read in the same
  // turn of the event loop (timers and I/O callbacks run before it; the check phase runs after).
  readonly #onTimer = (): void => {
    this.#timer = null;
    setImmediate(this.#pumpLater);
  };

  readonly #pumpLater = (): void => this.#pump();

  /** Appends `last` (always kept unless the file failed), writes everything queued, closes. */
  close(last?: string): Promise<void> {
    if (this.#closing === null) {
      if (last !== undefined && !this.#failed) {
        const text = last + '\n';
        this.#queue.push(text);
        this.#queuedBytes += Buffer.byteLength(text);
      }
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

  #whenDrained(): Promise<void> {
    if (this.#failed || (this.#queue.length === 0 && !this.#writing && this.#handle !== null)) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #pump(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#writing || this.#handle === null || this.#failed) return;
    if (this.#queue.length === 0) {
      for (const resolve of this.#drained.splice(0)) resolve();
      return;
    }
    const data = Buffer.from(this.#queue.length === 1 ? this.#queue[0] : this.#queue.join(''));
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#writing = true;
    writeAll(this.#handle, data).then(() => {
      this.#writing = false;
      this.#writtenBytes += data.length;
      this.opts.onWritten?.(data.length);
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
    this.#queue = [];
    this.#queuedBytes = 0;
    this.opts.onError(err);
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

/** A write to a file may take only part of the data (a disk that is filling up); the rest goes next. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten === 0) throw new Error('the disk took none of the data');
    offset += bytesWritten;
  }
}
