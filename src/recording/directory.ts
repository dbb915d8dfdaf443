/**
 * The recordings folder (--record DIR): names new files, keeps the folder under its size limit by
 * deleting the oldest recordings first (never a file being written, never a file not named like a
 * recording), and reports a disk problem once: a full or read-only disk costs the recording, never
 * the drive, and must not fill the log either.
 *
 * Recordings are private (who drove when, and what they sent): the folder is made 0700 and each file
 * 0600. A folder that already exists keeps the modes its owner gave it (it may be shared on purpose); if
 * others may look into it, the log says so once. Only regular files count as recordings: a link or a
 * pipe named like one is never listed, served, counted or deleted, and a recording is opened without
 * following a link and served only if what was opened is a regular file (openRecording).
 */
import { constants, mkdirSync, statSync } from 'node:fs';
import { lstat, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LineFile } from './line-file.js';

/** Read-only; never through a link (ELOOP); never waiting for a writer (a pipe: not a recording anyway). */
const OPEN_FOR_READING = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A recording opened for reading: the caller closes `handle`. */
export interface OpenRecording {
  handle: FileHandle;
  size: number;
}

/** `2026-11-29T20-06-23.123Z_car_c1.jsonl`, `..._p2.jsonl` for a session's second part, `-2` if taken. */
export const RECORDING_NAME = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z_[A-Za-z0-9][A-Za-z0-9_-]{0,31}_[A-Za-z0-9]{1,32}(?:_p\d{1,6})?(?:-\d{1,3})?\.jsonl$/;

export interface DirectoryOptions {
  dir: string;
  /** A file that reaches this size ends; its session continues in a new part. */
  maxFileBytes: number;
  /** The folder's recordings together; the oldest go first. */
  maxTotalBytes: number;
  log: (line: string) => void;
}

export class RecordingDirectory {
  readonly dir: string;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
  readonly #log: (line: string) => void;
  /** Every recording we know of, with its size; files being written are in #open too. */
  readonly #sizes = new Map<string, number>();
  readonly #open = new Set<string>();
  #total = 0;
  #pruning = false;
  #troubled = false;
  readonly ready: Promise<void>;

  constructor(opts: DirectoryOptions) {
    this.dir = opts.dir;
    this.maxFileBytes = opts.maxFileBytes;
    this.maxTotalBytes = opts.maxTotalBytes;
    this.#log = opts.log;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.#warnIfOpen();
    } catch (err) {
      this.problem(err as Error, `the folder ${this.dir}`);
    }
    this.ready = this.#scan();
  }

  /** A new file for a session; `stem` is `<started>_<car>_<driver>[_pN]`. */
  create(stem: string): { name: string; file: LineFile } {
    let name = `${stem}.jsonl`;
    for (let n = 2; this.#sizes.has(name) && n < 1000; n++) name = `${stem}-${n}.jsonl`;
    this.#sizes.set(name, 0);
    this.#open.add(name);
    const file = new LineFile(join(this.dir, name), {
      onError: (err) => this.problem(err, name),
      onWritten: (bytes) => {
        this.#grow(name, bytes);
        this.#healthy();
      },
    });
    this.prune();
    return { name, file };
  }

  /** The file is complete (or failed): it may be pruned from now on. */
  closed(name: string): void {
    this.#open.delete(name);
  }

  /** The recordings in the folder, oldest first (the names sort by their start time): regular files only. */
  async list(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isFile() && RECORDING_NAME.test(e.name)).map((e) => e.name).sort();
  }

  /**
   * Opens a recording named by a client for reading, or null: only a name of our own form, present now,
   * and a regular file as opened (not a link to one, whatever the folder held when it was listed).
   */
  async openRecording(name: string): Promise<OpenRecording | null> {
    const path = await this.pathOf(name);
    if (path === null) return null;
    let handle: FileHandle;
    try {
      handle = await open(path, OPEN_FOR_READING);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') return null; // gone, a link, a socket
      throw err;
    }
    try {
      const info = await handle.stat();
      if (info.isFile()) return { handle, size: info.size };
    } catch (err) {
      await handle.close();
      throw err;
    }
    await handle.close();
    return null;
  }

  /** The path of a recording named by a client, or null: only a name of our own form, present now. */
  async pathOf(name: string): Promise<string | null> {
    if (!RECORDING_NAME.test(name)) return null;
    return (await this.list()).includes(name) ? join(this.dir, name) : null;
  }

  /** Reports a disk problem, once until the disk works again. */
  problem(err: Error, what: string): void {
    if (this.#troubled) return;
    this.#troubled = true;
    const code = (err as NodeJS.ErrnoException).code;
    this.#log(`recording: cannot write ${what} (${code ?? err.message}); driving goes on, unrecorded, `
      + 'until the disk takes writes again');
  }

  /** Deletes the oldest recordings not being written until the folder is under its limit. */
  prune(): void {
    if (this.#pruning || this.#total <= this.maxTotalBytes) return;
    this.#pruning = true;
    void (async () => {
      try {
        for (const name of [...this.#sizes.keys()].sort()) {
          if (this.#total <= this.maxTotalBytes) break;
          if (this.#open.has(name)) continue;
          try {
            await unlink(join(this.dir, name));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
              this.problem(err as Error, `(delete) ${name}`);
              break;
            }
          }
          this.#total -= this.#sizes.get(name) ?? 0;
          this.#sizes.delete(name);
        }
      } finally {
        this.#pruning = false;
      }
    })();
  }

  #grow(name: string, bytes: number): void {
    this.#sizes.set(name, (this.#sizes.get(name) ?? 0) + bytes);
    this.#total += bytes;
    if (this.#total > this.maxTotalBytes) this.prune();
  }

  #healthy(): void {
    if (!this.#troubled) return;
    this.#troubled = false;
    this.#log('recording: the disk takes writes again');
  }

  /** An existing folder others may look into is used as it is, and the log says so once. */
  #warnIfOpen(): void {
    const mode = statSync(this.dir).mode & 0o777;
    if ((mode & 0o077) === 0) return;
    this.#log(`recording: the folder ${this.dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}): `
      + `each recording is readable only by this user, but its name (car, driver, time) is not; chmod 700 ${this.dir} to close it`);
  }

  async #scan(): Promise<void> {
    for (const name of await this.list()) {
      const info = await lstat(join(this.dir, name)).catch(() => null);
      // Not a file, or one of ours created while we looked (already counted).
      if (info === null || !info.isFile() || this.#sizes.has(name)) continue;
      this.#sizes.set(name, info.size);
      this.#total += info.size;
    }
    this.prune();
  }
}
