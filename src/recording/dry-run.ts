/**
 * A replay at once: the same Replay, Driver and simulator as a live replay onto the simulator, on a
 * VirtualClock (src/vehicle/clock.ts), so a whole session takes milliseconds and comes out the same
 * every time. `webracer replay --dry-run` prints it; the tests use it to hold the Driver and the codecs to
 * their recorded behaviour (test/fixtures/recordings/).
 */
import { Driver, SimLink, VirtualClock, type Clock, type Codec, type Pose } from '../vehicle/index.js';
import type { Recording } from './reader.js';
import { recordedTimerFirings, Replay, type ReplayOutcome } from './replay.js';

export type TimelineEntry =
  /** `t`: the time in the recording (ms) this write stands for. */
  | { t: number; kind: 'write'; bytes: Uint8Array }
  | { t: number; kind: 'watchdog' | 'hold-expired' }
  | { t: number; kind: 'recorded-link'; down: boolean };

export interface DryRun {
  timeline: TimelineEntry[];
  /** Where the simulated car ends. */
  pose: Pose;
  outcome: ReplayOutcome;
}

export async function replayAtOnce(recording: Recording, options: { codec: Codec; speed?: number; fromMs?: number }): Promise<DryRun> {
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
  const { watchdogMs, refreshMs } = recording.header.limits;
  const driver = new Driver({ link, codec: options.codec, watchdogMs, refreshMs, clock: driverClock });
  await driver.start(); // the stop a connection begins with: before the timeline
  clock.runAll();
  const timeline: TimelineEntry[] = [];
  replay = new Replay({
    recording, driver, clock, speed, fromMs,
    onEvent: (e) => {
      if (e.kind === 'recorded-link') timeline.push({ t: e.t, kind: 'recorded-link', down: e.down });
    },
  });
  driver.on('write', (bytes: Uint8Array) => timeline.push({ t: recordedTime(clock.now()), kind: 'write', bytes }));
  driver.on('watchdog', () => timeline.push({ t: recordedTime(clock.now()), kind: 'watchdog' }));
  driver.on('hold-expired', () => timeline.push({ t: recordedTime(clock.now()), kind: 'hold-expired' }));
  const finished = replay.start();
  clock.runAll(clock.now() + (recording.end.t - fromMs) / speed + 60_000);
  const outcome = await finished; // settled: the recording's end is in this clock's past
  driver.removeAllListeners('write');
  const closed = driver.close();
  clock.runAll();
  await closed;
  return { timeline, pose: link.pose, outcome };
}

/** Where the simulated car stood at `fromMs`: the last recorded pose by then, else the header's. */
export function startPose(recording: Recording, fromMs: number): Pose | undefined {
  let pose = recording.header.pose ?? undefined;
  for (const line of recording.lines) {
    if (line.t > fromMs) break;
    if (line.kind === 'pose') pose = line.pose;
  }
  return pose;
}
