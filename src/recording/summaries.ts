/**
 * What the page lists for each recording, and its simulated track. Files are read as streams, one at a
 * time, so looking at recordings never takes the event loop from the cars for long; a summary is kept
 * until its file changes (size or modification time).
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
export type { RecordingSummary, Track } from './api-types.js';
import type { RecordingDirectory } from './directory.js';
import type { RecordingLine } from './format.js';
import { scanRecording } from './reader.js';
import type { RecordingSummary, Track, TrackPoint } from './api-types.js';
import { TrackBuilder } from './track.js';

export class RecordingSummaries {
  readonly #cache = new Map<string, { size: number; mtimeMs: number; summary: RecordingSummary }>();
  #turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly directory: RecordingDirectory) {}

  /** Every recording, newest first. */
  async all(): Promise<RecordingSummary[]> {
    const names = await this.directory.list();
    const summaries: RecordingSummary[] = [];
    for (const name of names.reverse()) {
      const summary = await this.#summary(name, join(this.directory.dir, name)).catch(() => null); // gone meanwhile
      if (summary !== null) summaries.push(summary);
    }
    for (const name of this.#cache.keys()) if (!names.includes(name)) this.#cache.delete(name);
    return summaries;
  }

  track(path: string): Promise<Track> {
    return this.#oneAtATime(async () => {
      const { builder, recorded } = await read(path, true);
      const result = builder?.finish() ?? { points: [], distanceM: 0 };
      return { points: result.points, distanceM: result.distanceM, recorded };
    });
  }

  async #summary(name: string, path: string): Promise<RecordingSummary> {
    const info = await lstat(path);
    if (!info.isFile()) throw new Error(`${name} is not a regular file`); // listed as one a moment ago
    const cached = this.#cache.get(name);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.summary;
    const summary = await this.#oneAtATime(async () => {
      const { header, end, problem, builder, lastT, writes, drivers } = await read(path, false);
      return {
        name, size: info.size, car: header?.car ?? null, codec: header?.codec ?? null, link: header?.link ?? null,
        drivers, started: header?.started ?? null, part: header?.part ?? 1, durationMs: lastT,
        distanceM: builder?.finish().distanceM ?? 0, writes,
        complete: problem === null, endReason: end?.kind === 'end' ? end.reason : null,
        problem: problem?.message ?? null,
      } satisfies RecordingSummary;
    });
    this.#cache.set(name, { size: info.size, mtimeMs: info.mtimeMs, summary });
    return summary;
  }

  #oneAtATime<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(job, job);
    this.#turn = result.catch(() => {});
    return result;
  }
}

async function read(path: string, keepPoses: boolean) {
  let builder: TrackBuilder | null = null;
  let lastT = 0;
  let writes = 0;
  const drivers: string[] = [];
  const recorded: TrackPoint[] = [];
  const scan = await scanRecording(path, (line: RecordingLine) => {
    lastT = line.t;
    if (line.kind === 'write') {
      writes++;
      builder?.write(line.t, line.bytes);
    } else if (line.kind === 'seat' && line.driver !== null && !drivers.includes(line.driver)) {
      drivers.push(line.driver);
    } else if (line.kind === 'pose' && keepPoses) {
      recorded.push({ t: line.t, x: line.pose.x, y: line.pose.y, heading: line.pose.heading });
    } else if (line.kind === 'end') {
      builder?.advance(line.t);
    }
  }, (header) => {
    builder = new TrackBuilder(header);
  });
  return { ...scan, builder: builder as TrackBuilder | null, lastT, writes, drivers, recorded };
}
