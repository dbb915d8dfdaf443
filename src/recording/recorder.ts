/**
 * Records one car's driving sessions (docs/recording.md "Sessions"). A session is a car and one driver's
 * time in the seat: it starts when someone takes the seat and ends when the seat empties or passes to
 * someone else. A driver whose connection ends keeps the seat reserved for its resume token; while it is
 * reserved, and when that driver comes back with the token (a new client id), the session goes on in the
 * same file: a reload or a Wi-Fi blip is the same person driving. Nothing is recorded while nobody drives.
 *
 * The car world calls our listener on its command path, so the listener only timestamps the event and
 * queues it; lines are built and handed to the file (line-file.ts, itself asynchronous) on the next turn
 * of the event loop. A write and a pose carry their own time (when the link took the bytes, the
 * simulator's time of the pose): the listener may hear of them a while later (other listeners, a busy
 * machine), and a simulated car replays to the spot it stopped on only with the times its bytes arrived.
 * Lines never go back in time: one whose own time is before the last line's gets the last line's.
 *
 * What a client can put in a file is its own accepted driving: the driver's messages (the car world tells
 * only those it took, with only their schema's fields: car-events.ts) and refusals, each line bounded
 * (MAX_MESSAGE_LINE_BYTES); another client's stop shows only as the demand it made, and other clients'
 * refusals only as a count in the end line. Nothing here may throw into the process: a failure while
 * recording (a line that cannot be built, a bug) gives up that file, says so once, and driving goes on.
 */
import type { CarEvent } from '../control/car/car-events.js';
import type { CarWorld } from '../control/car/car-world.js';
import { MAX_SPEED, type Pose } from '../vehicle/index.js';
import type { RecordingDirectory } from './directory.js';
import {
  FORMAT, FORMAT_VERSION, MAX_MESSAGE_LINE_BYTES, lineOf, roundPose, roundTime,
  type EndReason, type RecordingHeader, type RecordingLine,
} from './format.js';
import { POSE_BACKLOG_BYTES, type LineFile } from './line-file.js';

/** At most 20 poses a second (the simulator's own rate), with this much leeway for a late tick. */
const POSE_INTERVAL_MS = 50;
const POSE_LEEWAY_MS = 10;

export interface RecorderOptions {
  directory: RecordingDirectory;
  /** `webracer 0.1.0`. */
  server: string;
  /** Monotonic milliseconds (default performance.now): the car's Driver's clock. */
  now?: () => number;
  /** Wall-clock time (default new Date()). */
  wallClock?: () => Date;
  /** Where a recording given up is reported (default: nowhere). */
  log?: (line: string) => void;
}

interface Snapshot { pose: Pose | null; linkState: RecordingHeader['linkState'] }

interface Session {
  id: string;
  part: number;
  driver: string;
  /** The departed driver's seat is held for its resume token. */
  reserved: boolean;
  origin: number;
  name: string;
  file: LineFile;
  /** GCRA for poses: the earliest time the next pose is due. */
  poseDue: number;
  /** Poses the disk could not take since the last `dropped` line. */
  unreportedDrops: number;
  /** Messages of other clients refused while this file was written: the end line's `refused`. */
  refused: number;
  /** Given up after a failure to record (#giveUp): the file is closed, nothing more goes in. */
  broken: boolean;
}

export class CarRecorder {
  readonly #world: CarWorld;
  readonly #opts: RecorderOptions;
  readonly #now: () => number;
  readonly #wallClock: () => Date;
  readonly #stopListening: () => void;
  /** Events waiting for the next turn, as pairs: time, event (no wrapper object: this is the hot path). */
  #queue: Array<number | CarEvent> = [];
  /** The car as it was at each queued seat event. */
  readonly #snapshots = new Map<CarEvent, Snapshot>();
  #flushScheduled = false;
  #session: Session | null = null;
  /** The client that just asked to resume a seat: if the seat becomes its own, the session goes on. */
  #resuming: string | null = null;
  readonly #closing: Array<Promise<void>> = [];
  /** A failure while no session was open has been reported (one line, not one per event). */
  #reportedIdleFailure = false;
  /** The time of the latest event recorded: no line goes before it. */
  #latest = -Infinity;

  constructor(world: CarWorld, opts: RecorderOptions) {
    this.#world = world;
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
    this.#wallClock = opts.wallClock ?? (() => new Date());
    this.#stopListening = world.events.listen(this.#onEvent);
    // Someone may already hold the seat (attached late): that is a session from now.
    const driver = world.summary().driver;
    if (driver !== null) this.#onEvent({ kind: 'seat', driver, reserved: false });
  }

  /** Ends the session in progress ('server-stopped') and waits for its file to be written. */
  async close(): Promise<void> {
    this.#stopListening();
    this.#flush();
    try {
      if (this.#session !== null) this.#end(Math.max(this.#now(), this.#latest), 'server-stopped', this.#snapshot().pose);
    } catch (err) {
      this.#giveUp(err as Error);
    }
    await Promise.all(this.#closing);
  }

  // Called on the car's command path: timestamp, queue, nothing else.
  readonly #onEvent = (event: CarEvent): void => {
    try {
      this.#queue.push(event.kind === 'write' || event.kind === 'pose' ? event.at : this.#now(), event);
      if (event.kind === 'seat') this.#snapshots.set(event, this.#snapshot()); // the car as it is at this moment
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#flush);
      }
    } catch (err) {
      this.#giveUp(err as Error);
    }
  };

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (let i = 0; i < queue.length; i += 2) {
      try {
        this.#record(queue[i] as number, queue[i + 1] as CarEvent);
      } catch (err) {
        this.#giveUp(err as Error);
      }
    }
  };

  #record(eventAt: number, event: CarEvent): void {
    const at = Math.max(eventAt, this.#latest);
    this.#latest = at;
    if (event.kind === 'message' && 'type' in event.message && event.message.type === 'resume') this.#resuming = event.client;
    if (event.kind === 'seat') {
      const snapshot = this.#snapshots.get(event)!;
      this.#snapshots.delete(event);
      return this.#seat(at, event.driver, event.reserved, snapshot);
    }
    const session = this.#session;
    if (session === null) return;
    switch (event.kind) {
      case 'message':
        // The driver's only: another client's stop that the car took is in the file as its demand.
        if (event.client !== session.driver) return;
        break;
      case 'refusal':
        if (event.client !== session.driver) {
          session.refused++;
          return;
        }
        break;
      case 'pose':
        if (!this.#poseDue(session, at, event.pose)) return;
        break;
    }
    const line = lineOf(event, roundTime(at - session.origin));
    if (line !== null) this.#write(session, line, at);
  }

  #seat(at: number, driver: string | null, reserved: boolean, snapshot: Snapshot): void {
    const resumedBy = this.#resuming;
    this.#resuming = null;
    const session = this.#session;
    if (session !== null) {
      const line: RecordingLine = { t: roundTime(at - session.origin), kind: 'seat', driver, reserved };
      const continues = driver === session.driver
        || (driver === null && reserved)
        || (session.reserved && driver !== null && driver === resumedBy);
      this.#write(session, line, at);
      if (continues) {
        session.reserved = driver === null && reserved;
        if (driver !== null) session.driver = driver;
        return;
      }
      this.#end(at, 'seat', snapshot.pose);
    }
    if (driver !== null) this.#start(at, driver, snapshot, null);
  }

  #start(at: number, driver: string, snapshot: Snapshot, previous: Session | null): void {
    const world = this.#world;
    const summary = world.summary();
    const started = this.#wallClock().toISOString();
    const part = previous === null ? 1 : previous.part + 1;
    const id = previous?.id ?? `${summary.name}-${started}-${driver}`;
    const stem = `${started.replace(/:/g, '-')}_${summary.name}_${driver}${part > 1 ? `_p${part}` : ''}`;
    const { name, file } = this.#opts.directory.create(stem);
    const header: RecordingHeader = {
      format: FORMAT, version: FORMAT_VERSION, car: summary.name, codec: summary.codec, link: summary.link,
      server: this.#opts.server, started, clock: roundTime(at), session: id, part, driver,
      limits: {
        watchdogMs: world.limits.watchdogMs, maxHoldMs: world.limits.maxHoldMs, refreshMs: world.driver.refreshMs,
        ...(world.driver.maxSpeed < MAX_SPEED ? { maxSpeed: world.driver.maxSpeed } : {}),
      },
      linkState: snapshot.linkState, pose: snapshot.pose === null ? null : roundPose(snapshot.pose),
    };
    file.append(JSON.stringify(header));
    this.#session = {
      id, part, driver, reserved: false, origin: at, name, file, poseDue: -Infinity, unreportedDrops: 0, refused: 0, broken: false,
    };
    if (previous === null) this.#write(this.#session, { t: 0, kind: 'seat', driver, reserved: false }, at);
  }

  #end(at: number, reason: EndReason, pose: Pose | null): void {
    const session = this.#session!;
    this.#session = null;
    if (session.broken) return; // closed when it was given up
    const { file, name } = session;
    const end: RecordingLine = {
      t: roundTime(at - session.origin), kind: 'end', reason, pose: pose === null ? null : roundPose(pose),
      droppedPoses: file.droppedPoses, lost: file.lost, refused: session.refused,
    };
    const directory = this.#opts.directory;
    this.#closing.push(file.close(JSON.stringify(end)).then(() => directory.closed(name)));
  }

  #write(session: Session, line: RecordingLine, at: number): void {
    const { file } = session;
    if (session.broken) return;
    if (file.size >= this.#opts.directory.maxFileBytes) {
      // Too big: this part ends, the session goes on in the next one (a file of its own, replayable alone).
      const snapshot = this.#snapshot();
      this.#end(at, 'file-limit', snapshot.pose);
      this.#start(at, session.driver, snapshot, session);
      const next = this.#session!;
      next.reserved = session.reserved;
      return this.#write(next, { ...line, t: 0 }, at);
    }
    if (line.kind !== 'pose') {
      const text = JSON.stringify(line);
      // Unreachable for a message the protocol accepts; kept as a bound rather than trusted.
      if (line.kind === 'message' && Buffer.byteLength(text) >= MAX_MESSAGE_LINE_BYTES) file.lost++;
      else file.append(text);
      return;
    }
    // A slow disk costs poses first, and the file says how many, just before the next pose it could take.
    if (file.backlog >= POSE_BACKLOG_BYTES) {
      if (!file.append(JSON.stringify(line), true)) session.unreportedDrops++;
      return;
    }
    if (session.unreportedDrops > 0) {
      file.append(JSON.stringify({ t: line.t, kind: 'dropped', poses: session.unreportedDrops }));
      session.unreportedDrops = 0;
    }
    file.append(JSON.stringify(line), true);
  }

  /** Poses at most every POSE_INTERVAL_MS on average (a late tick may come a little early next time), and
   *  always the pose at rest: where the car stopped. */
  #poseDue(session: Session, at: number, pose: Pose): boolean {
    if (pose.speed !== 0 && at < session.poseDue - POSE_LEEWAY_MS) return false;
    session.poseDue = Math.max(session.poseDue, at) + POSE_INTERVAL_MS;
    return true;
  }

  /**
   * Something failed while recording: a line that could not be built, a bug of ours. The file in progress
   * is given up (closed as it is: without its end line a reader says it was cut short) and said so once;
   * the session goes on unrecorded, the next one gets a new file. Never thrown on: not the drive's business.
   */
  #giveUp(err: Error): void {
    const log = this.#opts.log ?? (() => {});
    const session = this.#session;
    if (session === null) {
      if (!this.#reportedIdleFailure) log(`recording: ${this.#world.name}: a failure while recording (${err.message}); driving goes on`);
      this.#reportedIdleFailure = true;
      return;
    }
    if (session.broken) return; // said already
    session.broken = true;
    log(`recording: ${session.name} given up: a line could not be recorded (${err.message}); driving goes on, `
      + 'unrecorded until the seat changes hands');
    const closed = (): void => this.#opts.directory.closed(session.name);
    this.#closing.push(session.file.close().then(closed, closed));
  }

  #snapshot(): Snapshot {
    const driver = this.#world.driver;
    return { pose: driver.pose, linkState: driver.state.link };
  }
}
