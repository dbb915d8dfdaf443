/**
 * The best laps kept across restarts: `best-laps.json` in the server's data folder (--data-dir), read at
 * start and written a moment after a lap is kept (SAVE_DELAY_MS: a burst of laps is one write) and at
 * close. A write goes to a temporary file first, then takes the file's place (a rename), so a crash or a
 * power cut leaves the old file or the new one, never half of one. The file is input: one that cannot be
 * read, is too big, or holds anything the server could not have kept (best-lap-json.ts) is left as it is,
 * with a warning, and the server starts with no best laps; it is replaced at the next lap kept.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { bestLapsJson, parseBestLaps } from './best-lap-json.js';
import { MAX_KEPT, MAX_KEPT_BYTES, type BestLap } from './best-laps.js';

export const BEST_LAPS_FILE = 'best-laps.json';
/** The laps at their bounds, as JSON, are well under this (a step's time and field names on top of its demand). */
export const MAX_FILE_BYTES = 2 * MAX_KEPT_BYTES;
const SAVE_DELAY_MS = 2000;

export class BestLapsFile {
  private timer: NodeJS.Timeout | null = null;
  private laps: (() => readonly BestLap[]) | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly path: string, private readonly log: Logger) {}

  /** The laps the file holds, oldest first; none (and a warning) when it is missing, unreadable or not sound. */
  load(): BestLap[] {
    try {
      const size = statSync(this.path, { throwIfNoEntry: false })?.size;
      if (size === undefined) return [];
      if (size > MAX_FILE_BYTES) throw new Error(`it is ${size} bytes, more than the ${MAX_FILE_BYTES} best laps can take`);
      const laps = parseBestLaps(readFileSync(this.path, 'utf8'));
      if (laps.length > MAX_KEPT) throw new Error(`it holds ${laps.length} laps, more than the ${MAX_KEPT} kept`);
      return laps;
    } catch (err) {
      this.log.warn('best_laps_ignored', { file: this.path }, `${this.path} is not a sound best-laps file (${(err as Error).message}): starting with no best laps; it is replaced when a lap is kept`);
      return [];
    }
  }

  /** The laps kept changed: they are written a moment from now (`laps` is asked then). */
  changed(laps: () => readonly BestLap[]): void {
    if (this.closed) return;
    this.laps = laps;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes what is pending now; resolves once every write is done. */
  close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) this.save();
    return this.writing;
  }

  private save(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const laps = this.laps?.() ?? [];
    this.writing = this.writing.then(() => this.write(bestLapsJson(laps)));
  }

  private async write(json: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temporary, json, { mode: 0o600 });
      await rename(temporary, this.path);
    } catch (err) {
      await rm(temporary, { force: true }).catch(() => {});
      this.log.warn('best_laps_unsaved', { file: this.path }, `could not write ${this.path}: ${(err as Error).message}; the best laps are kept until the server stops`);
    }
  }
}
