/**
 * A replay at once: the same Replay, Driver and simulator as a live replay onto the simulator, on a
 * VirtualClock (src/vehicle/clock.ts), so a whole session takes milliseconds and comes out the same
 * every time. `webracer replay --dry-run` prints it; the tests use it to hold the Driver and the codecs to
 * their recorded behaviour (test/fixtures/recordings/).
 */
import { Driver, SimCar, SimLink, VirtualClock, type Clock, type Codec, type Pose } from '../vehicle/index.js';
import { toHex } from './format.js';
import { durationOf, type Playable } from './reader.js';
import { DEFAULT_MAX_LAG_MS, recordedTimerFirings, Replay, type ReplayOutcome } from './replay.js';

export type TimelineEntry =
  /** `t`: the time in the recording (ms) this write stands for. */
  | { t: number; kind: 'write'; bytes: Uint8Array }
  | { t: number; kind: 'watchdog' | 'hold-expired' }
  | { t: number; kind: 'recorded-link'; down: boolean }
  | { t: number; kind: 'race'; what: 'hold' | 'release' }
  /** The car put on its grid slot (a race), at rest. */
  | { t: number; kind: 'place'; pose: Pose };

export interface DryRun {
  timeline: TimelineEntry[];
  /**
   * Where the simulated car ends, given the bytes this replay wrote, each at the time the recording
   * wrote it (the same bytes, in order) or else at the replay's own time.
   */
  pose: Pose;
  outcome: ReplayOutcome;
}

export async function replayAtOnce(recording: Playable, options: { codec: Codec; speed?: number; fromMs?: number }): Promise<DryRun> {
  const speed = options.speed ?? 1;
  const fromMs = options.fromMs ?? 0;
  const clock = new VirtualClock();
  const link = new SimLink({ clock, start: startPose(recording, fromMs) });
  let replay: Replay | null = null;
  const recordedTime = (at: number): number => (at - replay!.startedAt) * speed + fromMs;
  // At speed 1 the Driver's timers fire as late as they did live, so the simulator ends where it did.
  const driverClock: Clock = speed === 1
    ? clock.withTimerLateness(recordedTimerFirings(recording, (t) => replay!.at(t), recordedTime))
    : clock;
  const { watchdogMs, refreshMs, maxSpeed } = recording.header.limits;
  const driver = new Driver({ link, codec: options.codec, watchdogMs, refreshMs, maxSpeed, clock: driverClock });
  await driver.start(); // the stop a connection begins with: before the timeline
  clock.runAll();
  const timeline: TimelineEntry[] = [];
  replay = new Replay({
    recording, driver, clock, speed, fromMs,
    onEvent: (e) => {
      if (e.kind === 'recorded-link') timeline.push({ t: e.t, kind: 'recorded-link', down: e.down });
      else if (e.kind === 'race') timeline.push({ t: e.t, kind: 'race', what: e.what });
      else if (e.kind === 'place') timeline.push({ t: e.t, kind: 'place', pose: e.pose });
    },
  });
  driver.on('write', (bytes: Uint8Array) => timeline.push({ t: recordedTime(clock.now()), kind: 'write', bytes }));
  driver.on('watchdog', () => timeline.push({ t: recordedTime(clock.now()), kind: 'watchdog' }));
  driver.on('hold-expired', () => timeline.push({ t: recordedTime(clock.now()), kind: 'hold-expired' }));
  const finished = replay.start();
  clock.runAll(clock.now() + (durationOf(recording) - fromMs) / speed + 60_000);
  const outcome = await finished; // settled: the recording's end is in this clock's past
  driver.removeAllListeners('write');
  const closed = driver.close();
  clock.runAll();
  await closed;
  return { timeline, pose: poseOf(recording, timeline, startPose(recording, fromMs), speed, options.codec), outcome };
}

/**
 * A replayed write is the recorded one when it has the same bytes and the recorded one came at most this
 * much after it (the replay writes at its cause's recorded time; live, the bytes left once the work that
 * cause set off was done: microseconds, and on a busy machine 50-80 ms after a watchdog's notice and
 * log line). As far as a live replay may fall behind its timeline before it gives up.
 */
const SAME_WRITE_AFTER_MS = DEFAULT_MAX_LAG_MS;
/** ... or came this much before it: a Node timer may fire up to a millisecond before it is due. */
const SAME_WRITE_BEFORE_MS = 2;

/**
 * The simulator is deterministic given the times its bytes arrive, and a step boundary lies between two
 * times that differ by a fraction of a millisecond: a 400 ms hold set off on the step grid ends exactly
 * on it, live a few microseconds after (the write follows the timer that decides it), replayed exactly on
 * it. So the pose is computed from the replay's writes at the times the recording has for them: the
 * bytes are the replay's (a Driver or codec that changed shows), the times the session's own.
 */
function poseOf(recording: Playable, timeline: TimelineEntry[], start: Pose | undefined, speed: number, codec: Codec): Pose {
  const recorded = recording.lines.flatMap((l) => (l.kind === 'write' ? [l] : []));
  const car = new SimCar({ start });
  car.useDecoder(codec.decoder()); // the car speaks the replay's protocol, as the simulator link does
  let next = 0;
  for (const entry of timeline) {
    if (entry.kind === 'place') car.place(entry.pose);
    if (entry.kind !== 'write') continue;
    while (next < recorded.length && recorded[next].t < entry.t - SAME_WRITE_BEFORE_MS) next++;
    const same = speed === 1 && next < recorded.length && recorded[next].bytes === toHex(entry.bytes)
      && recorded[next].t <= entry.t + SAME_WRITE_AFTER_MS;
    car.write(entry.bytes, same ? recorded[next++].t : entry.t, () => {});
  }
  return car.pose;
}

/** Where the simulated car stood at `fromMs`: the last recorded pose by then, else the header's. */
export function startPose(recording: Playable, fromMs: number): Pose | undefined {
  let pose = recording.header.pose ?? undefined;
  for (const line of recording.lines) {
    if (line.t > fromMs) break;
    if (line.kind === 'pose') pose = line.pose;
  }
  return pose;
}
