/**
 * `webracer replay FILE`: drives a car (the simulator by default) through a recorded session, or with
 * --dry-run prints what it would send. The file is read (in bounded memory) and checked whole, and
 * replayed at once, before anything connects: a corrupt, too-new, too-large or forged file drives
 * nothing (exit 1); one cut short (no end line: the server was killed) replays up to its last sound line,
 * with a warning, and stops the car there. Live, the process ends through
 * ./shutdown.ts like the server does (Ctrl+C and the other signals stop the car first), and every other
 * ending of the replay stops the car too (src/recording/replay.ts).
 */
import {
  createCodec, createLink, describeBytes, Driver, parseLinkSpec, SimLink, SYSTEM_CLOCK, type Codec, type Link, type Pose,
} from '../vehicle/index.js';
import { FAULTS_ENV, InjectedFault } from '../control/fault-injection.js';
import { toHex } from '../recording/format.js';
import { durationOf, readRecordingFile, RecordingError, type CutShort, type Playable } from '../recording/reader.js';
import { bytesNotReproduced, describeByte } from '../recording/codec-check.js';
import { replayAtOnce, startPose, type DryRun } from '../recording/dry-run.js';
import { Replay, type ReplayEvent, type ReplayOutcome } from '../recording/replay.js';
import { DEFAULT_LINK_TIMEOUT_MS } from './flags.js';
import type { ReplayCliOptions } from './replay-args.js';
import { handleShutdown } from './shutdown.js';
import { neverBlockOnTerminals, stderr, stdout } from './stdio.js';

/** Exit code: the replay was cut short to keep the car safe (its link was lost, it fell behind, or it overran). */
export const EXIT_CUT_SHORT = 5;
/** After its link was lost, how long the replay waits for it to come back (its first byte is the stop). */
const RECONNECT_WAIT_MS = 10_000;
const SETTLE_MS = 100;

export async function runReplay(options: ReplayCliOptions): Promise<number> {
  const say = (line: string): void => stdout.line(line);
  const loaded = await load(options.file);
  if (loaded === null) return 1;
  const { recording, cut } = loaded;
  const { header } = recording;
  const duration = durationOf(recording);
  if (options.fromMs > duration) {
    stderr.write(`webracer replay: --from ${options.fromMs / 1000} is past the recording's end (${seconds(duration)} s)\n`);
    return 1;
  }
  const codecName = options.codec ?? header.codec;
  if (options.charmap !== undefined && codecName !== 'rc-app') {
    stderr.write(`webracer replay: --charmap is for the rc-app codec, and this replay uses ${codecName} (the recorded car's); nothing was driven\n`);
    return 2;
  }
  const codec = createCodec(codecName, options.charmap);
  const target = options.dryRun ? 'a dry run (the simulator, at once)' : options.link ?? 'sim';
  say(`webracer replay: ${options.file}: car ${header.car} (${header.codec} over ${header.link}), ${header.started}, `
    + `${seconds(duration)} s; onto ${target} with the ${codec.name} codec${options.charmap !== undefined ? ' (--charmap)' : ''}`
    + `${options.speed !== 1 ? ` at ${options.speed}x` : ''}${options.fromMs > 0 ? ` from ${seconds(options.fromMs)} s` : ''}`);
  // The whole session at once, at speed 1, before anything connects: what the codec makes of it, and
  // whether the file is one a server could have written at all.
  const rehearsal = await replayAtOnce(recording, { codec });
  const refusal = rehearsalProblem(recording, codec, rehearsal, options, say);
  if (refusal !== null) return refuse(options.file, refusal);
  if (cut !== null) say(`warning: ${describeCut(cut)}`);
  if (!options.dryRun) return live(recording, cut, codec, options, say);
  const same = options.speed === 1 && options.fromMs === 0;
  const run = same ? rehearsal : await replayAtOnce(recording, { codec, speed: options.speed, fromMs: options.fromMs });
  if (run.outcome.kind === 'overrun') return refuse(options.file, describeOverrun(run.outcome));
  return dryRun(recording, cut, codec, run, options, say);
}

/** Why the rehearsal (the whole session at once) refuses a live replay; a dry run is told of the codec only. */
function rehearsalProblem(recording: Playable, codec: Codec, rehearsal: DryRun, options: ReplayCliOptions,
  say: (line: string) => void): string | null {
  if (rehearsal.outcome.kind === 'overrun') return describeOverrun(rehearsal.outcome);
  if (codec.name !== recording.header.codec) return null;
  // The same codec by name, yet other bytes: another character map. Live, the car would misread them.
  const missing = bytesNotReproduced(recording, codec, rehearsal.timeline);
  if (missing.length === 0) return null;
  const why = `the recorded car was sent ${missing.map(describeByte).join(', ')}, which the ${codec.name} codec here neither sends for the same `
    + `session nor knows: the car was recorded with ${options.charmap !== undefined ? 'another' : 'a'} --charmap; `
    + 'give the replay the same one';
  if (!options.dryRun) return why;
  say(`warning: ${why}`);
  return null;
}

function refuse(file: string, why: string): number {
  stderr.write(`webracer replay: ${file}: ${why}; nothing was driven\n`);
  return 1;
}

async function load(file: string): Promise<{ recording: Playable; cut: CutShort | null } | null> {
  let loaded: { recording: Playable; cut: CutShort | null };
  try {
    loaded = await readRecordingFile(file);
  } catch (err) {
    const why = err instanceof RecordingError ? err.message
      : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    refuse(file, why);
    return null;
  }
  const lost = loaded.recording.end?.lost ?? 0;
  if (lost > 0) {
    refuse(file, `${lost} command or byte lines were lost while recording (the disk could not keep up), so this is not what happened`);
    return null;
  }
  return loaded;
}

function describeCut(cut: CutShort): string {
  return `the recording stops without its end line, after line ${cut.line} (${seconds(cut.t)} s)`
    + `${cut.torn ? `, and its line ${cut.line + 1} was cut off mid-write (left out)` : ''}: it was cut short `
    + '(the server was killed, or the power went). Replaying up to that line, then stopping the car';
}

function describeOverrun(outcome: Extract<ReplayOutcome, { kind: 'overrun' }>): string {
  return `replayed, this file has the car's link written more than ${outcome.writes - 1} times, where it recorded `
    + `${outcome.recorded} writes: a server records every write it makes, so no server wrote this file`;
}

/** The replay at once (src/recording/dry-run.ts), printed as a live one would print it. */
function dryRun(recording: Playable, cut: CutShort | null, codec: Codec, run: DryRun, options: ReplayCliOptions,
  say: (line: string) => void): number {
  const { timeline, pose, outcome } = run;
  for (const entry of timeline) {
    if (entry.kind === 'write') say(describeWrite(entry.t, entry.bytes, codec));
    else if (entry.kind === 'recorded-link' || entry.kind === 'race') describeEvent(entry, say);
    else if (entry.kind === 'place') describeEvent({ ...entry, placed: true }, say);
    else say(entry.kind === 'watchdog' ? describeWatchdog(entry.t) : describeHold(entry.t));
  }
  const writes = timeline.filter((e) => e.kind === 'write').length;
  const recorded = recording.end?.pose ?? null;
  const same = options.fromMs === 0 && options.speed === 1 && codec.name === recording.header.codec;
  say(`${writes} writes. The simulated car ends at ${describePose(pose)}`
    + `${recorded !== null && same ? ` (recorded: ${describePose(recorded)})` : ''}${cut !== null ? ', where the recording was cut short' : ''}`);
  return outcome.kind === 'done' ? 0 : EXIT_CUT_SHORT;
}

async function live(recording: Playable, cut: CutShort | null, codec: Codec, options: ReplayCliOptions,
  say: (line: string) => void): Promise<number> {
  neverBlockOnTerminals(); // it drives a car: a terminal stopped with Ctrl+S must not stop it
  const spec = parseLinkSpec(options.link ?? 'sim');
  const link: Link = spec.kind === 'sim' ? new SimLink({ start: startPose(recording, options.fromMs) })
    : createLink(spec, { writeTimeoutMs: options.linkTimeoutMs ?? DEFAULT_LINK_TIMEOUT_MS });
  // The recorded watchdog, and the recorded refresh (a car whose sketch stops by itself after a silence needs it).
  const { watchdogMs, refreshMs, maxSpeed } = recording.header.limits;
  const driver = new Driver({ link, codec, watchdogMs, refreshMs, maxSpeed });
  let replay: Replay | null = null;
  // Installed before the car connects: Ctrl+C while waiting for it must end cleanly too.
  const shutdown = handleShutdown({
    emergencyStop: () => {
      replay?.stop();
      driver.emergencyStop();
    },
    close: () => driver.close(),
  }, { say, complain: (line) => stderr.line(line) });
  link.on('failure', (err: Error) => say(`car link: ${err.message}`));
  const finished = (async (): Promise<number> => {
    await driver.start();
    if (driver.state.link !== 'connected') {
      say(`waiting for the car's link (${options.link ?? 'sim'}) to connect; Ctrl+C gives up`);
      await linkConnected(driver, Infinity);
    }
    // A moment for start-up's leftovers (module loading, the link's first writes) to clear the event loop,
    // so that the timeline's first steps are not late.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    replay = new Replay({
      recording, driver, clock: SYSTEM_CLOCK, speed: options.speed, fromMs: options.fromMs,
      onEvent: (event) => describeEvent(event, say),
    });
    const printer = timeline(say, codec, () => recordedTime(replay!, SYSTEM_CLOCK.now(), options));
    printer.attach(driver);
    const outcome = replay.start();
    if (process.env[FAULTS_ENV] === '1') injectFaults(recording, replay, say);
    return afterwards(await outcome, printer.count, driver, cut, say);
  })();
  return Promise.race([shutdown, finished]);
}

/** What the end of a live replay means for the car and the exit code (the car is stopped by now). */
async function afterwards(outcome: ReplayOutcome, writes: number, driver: Driver, cut: CutShort | null,
  say: (line: string) => void): Promise<number> {
  switch (outcome.kind) {
    case 'done': {
      const pose = driver.state.link === 'connected' && driver.pose !== null ? ` at ${describePose(driver.pose)}` : '';
      say(`done: ${writes} writes; the car is stopped${pose}${cut !== null ? ', where the recording was cut short' : ''}`);
      await driver.close();
      return 0;
    }
    case 'stopped':
      return new Promise<number>(() => {}); // a signal stopped it: the shutdown decides the exit code
    case 'link-lost':
      say(`the car's link was lost (${outcome.state}): replay ended; waiting up to ${RECONNECT_WAIT_MS / 1000} s `
        + 'for it to come back, so that its first byte, the stop, reaches the car');
      say((await linkConnected(driver, RECONNECT_WAIT_MS)) ? 'the link is back and the car got the stop'
        : 'the link did not come back: the car may still be doing its last byte');
      await driver.close();
      return EXIT_CUT_SHORT;
    case 'behind':
      say(`the replay fell ${Math.round(outcome.lagMs)} ms behind its timeline (a stalled process): the car is stopped`);
      await driver.close();
      return EXIT_CUT_SHORT;
    case 'overrun':
      say(`${describeOverrun(outcome)}: the car is stopped`);
      await driver.close();
      return EXIT_CUT_SHORT;
  }
}

/**
 * Test-only (WEBRACER_FAULTS=1, as for the server: src/control/fault-injection.ts): a recorded
 * `{"type":"ping","id":"fault:uncaught"}` or `"fault:rejection"` makes the replay fail that way at its
 * time, so the suite can prove a replay that crashes still stops the car.
 */
function injectFaults(recording: Playable, replay: Replay, say: (line: string) => void): void {
  say(`warning: ${FAULTS_ENV}=1: test-only fault hooks are on; never run a real car like this`);
  for (const line of recording.lines) {
    if (line.kind !== 'message' || !('type' in line.message) || line.message.type !== 'ping') continue;
    const id = line.message.id;
    const delay = Math.max(0, replay.at(line.t) - SYSTEM_CLOCK.now());
    if (id === 'fault:uncaught') {
      setTimeout(() => {
        throw new InjectedFault('injected fault: uncaught exception during a replay');
      }, delay);
    } else if (id === 'fault:rejection') {
      setTimeout(() => void Promise.reject(new InjectedFault('injected fault: unhandled rejection during a replay')), delay);
    }
  }
}

/** Prints each write as it happens: the time in the recording, the bytes, what they make the car do. */
function timeline(say: (line: string) => void, codec: Codec, now: () => number) {
  const printer = {
    count: 0,
    attach(driver: Driver) {
      driver.on('write', onWrite);
      driver.on('watchdog', onWatchdog);
      driver.on('hold-expired', onHold);
    },
  };
  const onWrite = (bytes: Uint8Array): void => {
    printer.count++;
    say(describeWrite(now(), bytes, codec));
  };
  const onWatchdog = (): void => say(describeWatchdog(now()));
  const onHold = (): void => say(describeHold(now()));
  return printer;
}

function describeWrite(t: number, bytes: Uint8Array, codec: Codec): string {
  const intent = describeBytes(codec, bytes);
  const what = intent === null ? 'no change' : intent.direction === 'stop' ? 'stop' : `${intent.direction}, speed ${intent.speed}`;
  return `${stamp(t)}  ${toHex(bytes).padEnd(6)}  ${what}`;
}

const describeWatchdog = (t: number): string => `${stamp(t)}  watchdog: the analog input went quiet`;
const describeHold = (t: number): string => `${stamp(t)}  the hold ended`;

function describeEvent(event: ReplayEvent, say: (line: string) => void): void {
  switch (event.kind) {
    case 'recorded-link':
      return say(`${stamp(event.t)}  the recorded car's link ${event.down ? 'went down: the car is stopped until it is back' : 'came back'}`);
    case 'race':
      return say(`${stamp(event.t)}  race: ${event.what === 'hold' ? 'the car is held for the countdown' : 'the hold is lifted'}`);
    case 'place':
      return say(`${stamp(event.t)}  race: the car is put on its grid slot, ${describePose(event.pose)}`
        + `${event.placed ? '' : ' (not this car: only a simulated one can be)'}`);
    case 'demand':
      if (event.dropped) say(`${stamp(event.t)}  dropped ${JSON.stringify(event.demand)}: the car's link is down`);
  }
}

/** The recorded time (ms into the recording) that the replay's clock time `at` stands for. */
function recordedTime(replay: Replay, at: number, options: ReplayCliOptions): number {
  return (at - replay.startedAt) * options.speed + options.fromMs;
}

function linkConnected(driver: Driver, timeoutMs: number): Promise<boolean> {
  if (driver.state.link === 'connected') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => done(false), timeoutMs) : null;
    const onState = (): void => {
      if (driver.state.link === 'connected') done(true);
    };
    const done = (ok: boolean): void => {
      if (timer !== null) clearTimeout(timer);
      driver.off('state', onState);
      resolve(ok);
    };
    driver.on('state', onState);
  });
}

function stamp(ms: number): string {
  return `${seconds(ms).padStart(9)} s`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function describePose(pose: Pose): string {
  return `x ${pose.x.toFixed(4)} m, y ${pose.y.toFixed(4)} m, heading ${(pose.heading * 180 / Math.PI).toFixed(2)}°`;
}
