/**
 * What the page lists for each recording, and its simulated track. Files are read as streams, one at a
 * time, so looking at recordings never takes the event loop from the cars for long; a summary is kept
 * until its file changes (size or modification time).
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
export type { RecordingSummary, Track } from './api-types.js';
import type { RecordingDirectory } from './directory.js';
import type { RecordingHeader, RecordingLine } from './format.js';
import { scanRecording } from './reader.js';
import type { RecordingSummary, Track, TrackPoint } from './api-types.js';
import { TrackBuilder } from './track.js';
import { CIRCUIT } from '../control/track/circuit.js';

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
      const { builder, recorded, header } = await read(path, true);
      const result = builder?.finish() ?? { points: [], distanceM: 0 };
      return { points: result.points, distanceM: result.distanceM, recorded, circuit: header?.link === 'sim' ? CIRCUIT : null };
    });
  }

  async #summary(name: string, path: string): Promise<RecordingSummary> {
    const info = await lstat(path);
    if (!info.isFile()) throw new Error(`${name} is not a regular file`); // listed as one a moment ago
    const cached = this.#cache.get(name);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.summary;
    const summary = await this.#oneAtATime(async () => {
      const { header, end, cut, problem, builder, lastT, writes, drivers } = await read(path, false);
      // A new session's file is empty until its first lines reach the disk (within 100 ms).
      const fresh = info.size === 0 && info.mtimeMs >= performance.timeOrigin;
      const inProgress = fresh || (cut !== null && header !== null && beingWrittenHere(header, info.mtimeMs));
      return {
        name, size: info.size, car: header?.car ?? null, codec: header?.codec ?? null, link: header?.link ?? null,
        drivers, started: header?.started ?? null, part: header?.part ?? 1, durationMs: lastT,
        distanceM: builder?.finish().distanceM ?? 0, writes,
        complete: problem === null && cut === null, cutShort: cut !== null && !inProgress, inProgress,
        endReason: end?.kind === 'end' ? end.reason : null, problem: fresh ? null : problem?.message ?? null,
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

/**
 * Whether a file without its end line is one this very server is still writing, rather than one cut
 * short. The header's wall-clock start minus its monotonic clock is when that server's performance.now()
 * was 0: for this process's own files it agrees with now's (within the drift of the two clocks over a
 * session), for any other run's it is that run's start. A file last written before this process started
 * is another run's whatever its clocks say (a server killed and restarted within seconds). A wall clock
 * stepped mid-session (NTP after a cold boot, a suspend) makes a session in progress look cut short until
 * its end line comes.
 */
function beingWrittenHere(header: RecordingHeader, mtimeMs: number): boolean {
  const origin = Date.now() - performance.now();
  return mtimeMs >= performance.timeOrigin && Math.abs(Date.parse(header.started) - header.clock - origin) < SAME_RUN_MS;
}

/** How far the two clocks may have drifted apart over a session (NTP slews a wall clock by at most 0.05 %). */
const SAME_RUN_MS = 2_000;

async function read(path: string, keepPoses: boolean) {
  let builder: TrackBuilder | null = null;
  let lastT = 0;
  let writes = 0;
  const drivers: string[] = [];
  /** The name each client gave (its `name` message), the last one it gave. */
  const names = new Map<string, string>();
  const recorded: TrackPoint[] = [];
  const scan = await scanRecording(path, (line: RecordingLine) => {
    lastT = line.t;
    if (line.kind === 'write') {
      writes++;
      builder?.write(line.t, line.bytes);
    } else if (line.kind === 'seat' && line.driver !== null && !drivers.includes(line.driver)) {
      drivers.push(line.driver);
    } else if (line.kind === 'message' && 'type' in line.message && line.message.type === 'name') {
      names.set(line.client, line.message.name.trim());
    } else if (line.kind === 'place') {
      builder?.place(line.t, line.pose);
      if (keepPoses) recorded.push({ t: line.t, x: line.pose.x, y: line.pose.y, heading: line.pose.heading, placed: true });
    } else if (line.kind === 'pose' && keepPoses) {
      recorded.push({ t: line.t, x: line.pose.x, y: line.pose.y, heading: line.pose.heading });
    } else if (line.kind === 'end') {
      builder?.advance(line.t);
    }
  }, (header) => {
    builder = new TrackBuilder(header);
  });
  // A recording cut short ends at its last sound line: the car's path up to then.
  if (scan.cut !== null) (builder as TrackBuilder | null)?.advance(lastT);
  // A person, not a connection: the name a driver gave, else its client id; a resume (a new id, the same
  // name) is listed once.
  const named = [...new Set(drivers.map((id) => names.get(id) || id))];
  return { ...scan, builder: builder as TrackBuilder | null, lastT, writes, drivers: named, recorded };
}
