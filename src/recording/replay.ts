/**
 * Plays a recording back through a Driver, as its driver did: each recorded demand is handed to the
 * Driver at its recorded time (divided by `speed`, from `fromMs` on), so the same Driver code makes the
 * same bytes at the same relative times, with its watchdog and holds working as they did live. The
 * recording's own byte lines are what it should produce, not what it sends.
 *
 * Safety (docs/safety.md "Replay"): the car is stopped when the replay ends (at the end line, or at the
 * last line of a recording cut short), is stopped, falls behind its timeline by more than `maxLagMs`,
 * loses its link, or writes far more than its recording did (writeBudget); a stretch where the recorded
 * car's link was down (its demands were dropped then) is played as a stop, never as the car running
 * blind. A replay never resumes after the target's link comes back: what the car does then is not in the
 * recording.
 */
import type { AccessoryMessage } from '../control/protocol/messages.js';
import type { Clock, Demand, Driver, Pose, VehicleState } from '../vehicle/index.js';
import { durationOf, type Playable } from './reader.js';

export interface ReplayOptions {
  /** A whole recording, or one cut short: played to its last line, then the car is stopped. */
  recording: Playable;
  /** The target, started; its link should be connected before start(). */
  driver: Driver;
  /** The clock the driver runs on: the system clock, or a VirtualClock for a replay at once. */
  clock: Clock;
  /** Default 1; 2 plays twice as fast (holds are shortened too, up to maxHoldMs at most). */
  speed?: number;
  /** Start this far into the recording (ms); the car starts stopped. */
  fromMs?: number;
  /** Falling this far behind the timeline stops the replay (default 250 ms). */
  maxLagMs?: number;
  /** What happens, as it happens (for printing). */
  onEvent?: (event: ReplayEvent) => void;
}

export type ReplayEvent =
  /** A demand handed to the Driver; `dropped` when the target link was down. */
  | { kind: 'demand'; t: number; demand: Demand; dropped: boolean }
  /** The recorded car's link went down (`down`) or came back: its demands were dropped meanwhile. */
  | { kind: 'recorded-link'; t: number; down: boolean }
  /** A race held the car for its countdown, or lifted the hold (nothing for the replay to do: the hold's
   *  stop is a demand line of its own, and the demands it refused are not in the file). */
  | { kind: 'race'; t: number; what: 'hold' | 'release' }
  /** The recorded car was put on its grid slot; `placed`: the target was too (a real car cannot be). */
  | { kind: 'place'; t: number; pose: Pose; placed: boolean };

export type ReplayOutcome =
  | { kind: 'done' }
  | { kind: 'stopped' }
  /** The target's link left 'connected' mid-replay. */
  | { kind: 'link-lost'; state: VehicleState['link'] }
  /** The timeline could not be kept (a stalled process). */
  | { kind: 'behind'; lagMs: number }
  /** The Driver wrote far more than the recording did (writeBudget): no server wrote this file. */
  | { kind: 'overrun'; writes: number; recorded: number };

export const DEFAULT_MAX_LAG_MS = 250;
/** Node's timers wait at most this long (a longer delay fires at once); a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Writes a replay may make past what its recording explains (see writeBudget). */
const WRITE_SLACK = 10_000;

type Step =
  /** `server`: the server's own stop (a driver left or lost the seat), client null in the recording. */
  | { t: number; kind: 'demand'; demand: Demand; server: boolean }
  | { t: number; kind: 'accessory'; message: AccessoryMessage }
  | { t: number; kind: 'link'; down: boolean }
  | { t: number; kind: 'hold' | 'release' }
  | { t: number; kind: 'place'; pose: Pose }
  | { t: number; kind: 'end' };

export class Replay {
  readonly #opts: ReplayOptions;
  readonly #steps: Step[];
  readonly #speed: number;
  readonly #fromMs: number;
  readonly #maxLagMs: number;
  readonly #maxWrites: number;
  #writes = 0;
  #next = 0;
  #startedAt = 0;
  #timer: ReturnType<Clock['setTimeout']> | null = null;
  #recordedLinkDown: boolean;
  #finish: ((outcome: ReplayOutcome) => void) | null = null;
  #outcome: Promise<ReplayOutcome> | null = null;

  constructor(opts: ReplayOptions) {
    this.#opts = opts;
    this.#speed = opts.speed ?? 1;
    this.#fromMs = opts.fromMs ?? 0;
    this.#maxLagMs = opts.maxLagMs ?? DEFAULT_MAX_LAG_MS;
    if (!(this.#speed > 0) || !Number.isFinite(this.#speed)) throw new RangeError(`speed must be a positive number, got ${this.#speed}`);
    this.#steps = stepsOf(opts.recording, this.#fromMs);
    this.#recordedLinkDown = linkDownAt(opts.recording, this.#fromMs);
    this.#maxWrites = writeBudget(opts.recording, this.#steps.length, this.#speed);
  }

  /** When the replay began, on its clock (the time that recorded `fromMs` maps to). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** The time on the replay's clock that a recorded time maps to. */
  at(t: number): number {
    return this.#startedAt + (t - this.#fromMs) / this.#speed;
  }

  /** Begins now; resolves when the replay is over, the car stopped. */
  start(): Promise<ReplayOutcome> {
    if (this.#outcome !== null) return this.#outcome;
    this.#outcome = new Promise((resolve) => {
      this.#finish = resolve;
    });
    this.#startedAt = this.#opts.clock.now();
    this.#opts.driver.on('state', this.#onTargetState);
    this.#opts.driver.on('write', this.#onWrite);
    if (this.#opts.driver.state.link !== 'connected') {
      this.#end({ kind: 'link-lost', state: this.#opts.driver.state.link });
    } else {
      this.#schedule();
    }
    return this.#outcome;
  }

  /** Ends the replay now and stops the car (Ctrl+C). */
  stop(): void {
    this.#end({ kind: 'stopped' });
  }

  #schedule(): void {
    const step = this.#steps[this.#next];
    const clock = this.#opts.clock;
    this.#timer = clock.setTimeout(this.#run, Math.min(MAX_TIMER_MS, Math.max(0, this.at(step.t) - clock.now())));
  }

  readonly #run = (): void => {
    this.#timer = null;
    const now = this.#opts.clock.now();
    const lag = now - this.at(this.#steps[this.#next].t);
    if (lag > this.#maxLagMs) return this.#end({ kind: 'behind', lagMs: lag });
    // Everything due by now, in order (a late wake-up plays what it missed at once, within the lag bound).
    while (this.#finish !== null && this.at(this.#steps[this.#next].t) <= now) {
      this.#play(this.#steps[this.#next++]);
    }
    if (this.#finish !== null) this.#schedule();
  };

  #play(step: Step): void {
    const { driver, onEvent } = this.#opts;
    switch (step.kind) {
      case 'end':
        return this.#end({ kind: 'done' });
      case 'link':
        this.#recordedLinkDown = step.down;
        if (step.down) driver.stop(); // we cannot know what the recorded car did while unreachable
        onEvent?.({ kind: 'recorded-link', t: step.t, down: step.down });
        return;
      case 'demand': {
        if (this.#recordedLinkDown) return; // dropped in the recording too
        const demand = this.#scaled(step.demand);
        const result = driver.drive(demand);
        // As the server's own stop does (src/control/car/car-world.ts): a horn left on goes off with it.
        if (step.server) driver.accessory('horn', false);
        onEvent?.({ kind: 'demand', t: step.t, demand, dropped: !result.ok });
        return;
      }
      case 'accessory':
        // Lights and horn, never motion; a car without them (another codec) simply has none.
        if (!this.#recordedLinkDown) driver.accessory(step.message.name, step.message.on);
        return;
      case 'hold':
      case 'release':
        onEvent?.({ kind: 'race', t: step.t, what: step.kind });
        return;
      case 'place':
        // After the hold's stop, as recorded: a simulator takes the pose, a real car stays where it is.
        onEvent?.({ kind: 'place', t: step.t, pose: step.pose, placed: driver.place(step.pose) });
    }
  }

  /** A hold lasts its recorded time divided by the speed, and never longer than the recorded limit. */
  #scaled(demand: Demand): Demand {
    if (demand.kind === 'analog' || demand.durationMs === undefined) return demand;
    const durationMs = Math.min(demand.durationMs / this.#speed, this.#opts.recording.header.limits.maxHoldMs);
    return { ...demand, durationMs };
  }

  readonly #onTargetState = (state: VehicleState): void => {
    if (state.link !== 'connected') this.#end({ kind: 'link-lost', state: state.link });
  };

  readonly #onWrite = (): void => {
    if (++this.#writes > this.#maxWrites) {
      this.#end({ kind: 'overrun', writes: this.#writes, recorded: this.#opts.recording.lines.filter((l) => l.kind === 'write').length });
    }
  };

  #end(outcome: ReplayOutcome): void {
    const finish = this.#finish;
    if (finish === null) return;
    this.#finish = null;
    const { driver, clock } = this.#opts;
    if (this.#timer !== null) clock.clearTimeout(this.#timer);
    this.#timer = null;
    driver.off('state', this.#onTargetState);
    driver.off('write', this.#onWrite);
    driver.stop(); // whatever ended it, the car ends stopped (a lost link: its reconnect sends the stop)
    finish(outcome);
  }
}

/**
 * The recorded steps a replay plays from `fromMs` on: demands, the driver's lights and horn (the one thing
 * the Driver gets that is not a demand), the recorded link's outages, the end.
 */
function stepsOf(recording: Playable, fromMs: number): Step[] {
  const steps: Step[] = [];
  let down = linkDownAt(recording, 0);
  let driver: string | null = recording.header.driver;
  for (const line of recording.lines) {
    if (line.kind === 'seat') {
      driver = line.driver;
    } else if (line.kind === 'message' && line.client === driver && line.t >= fromMs
      && 'type' in line.message && line.message.type === 'accessory') {
      steps.push({ t: line.t, kind: 'accessory', message: line.message });
    } else if (line.kind === 'link') {
      const nowDown = line.state !== 'connected';
      if (nowDown !== down && line.t >= fromMs) steps.push({ t: line.t, kind: 'link', down: nowDown });
      down = nowDown;
    } else if (line.kind === 'demand' && line.t >= fromMs) {
      steps.push({ t: line.t, kind: 'demand', demand: line.demand, server: line.client === null });
    } else if ((line.kind === 'hold' || line.kind === 'release') && line.t >= fromMs) {
      steps.push({ t: line.t, kind: line.kind });
    } else if (line.kind === 'place' && line.t >= fromMs) {
      steps.push({ t: line.t, kind: 'place', pose: line.pose });
    }
  }
  steps.push({ t: Math.max(fromMs, durationOf(recording)), kind: 'end' });
  return steps;
}

/**
 * The most writes a replay of this recording may make. A server records every write it makes, and a
 * replay's writes follow from its recording's: one for each step (a demand, an accessory, a stop) and
 * the refreshes of a moving car, which a slower replay (speed < 1) makes up to 1/speed as many of, as a
 * hold and a stick's gaps last that much longer. Twice that, and some slack for other timings, is far
 * more than any recording needs; a file that would make the Driver write more (a refresh every
 * millisecond under a stick that never goes quiet, and no write recorded) was not written by a server.
 */
function writeBudget(recording: Playable, steps: number, speed: number): number {
  const recorded = recording.lines.filter((l) => l.kind === 'write').length;
  return Math.ceil(2 * (recorded / Math.min(speed, 1) + steps)) + WRITE_SLACK;
}

/** Whether the recorded car's link was down at time t. */
function linkDownAt(recording: Playable, t: number): boolean {
  let down = recording.header.linkState !== 'connected';
  for (const line of recording.lines) {
    if (line.t > t) break;
    if (line.kind === 'link') down = line.state !== 'connected';
  }
  return down;
}

/**
 * For a replay on a VirtualClock at speed 1: live timers fire late (a busy machine: by 150 ms and more),
 * and the recording says how late (its watchdog and hold-expired lines). Fired as late again, the
 * Driver's stops come at their recorded times to the microsecond, so a simulated car ends where it ended
 * live. Returns the `firingTime` for VirtualClock.withTimerLateness: a due time maps to the first recorded
 * expiry at or after it (each used once), unless a demand comes first: a demand cancels the Driver's
 * timer, so live it fired before that demand or not at all. A timer that did not fire live (the demand
 * came while it was late) fires just after that demand, which cancels it first; one with nothing
 * recorded after it fires when due.
 */
/** Node's timers run on the event loop's clock, in whole milliseconds: one may fire up to this much before
 *  performance.now() says it is due. */
const EARLY_TIMER_MS = 1;

export function recordedTimerFirings(recording: Playable, replayTimeOf: (t: number) => number,
  recordedTimeOf: (at: number) => number): (due: number) => number {
  const expiries = recording.lines.filter((l) => l.kind === 'watchdog' || l.kind === 'hold-expired').map((l) => l.t);
  const demands = recording.lines.filter((l) => l.kind === 'demand').map((l) => l.t);
  let used = 0;
  let next = 0; // due times only grow: both lists are walked once
  return (due) => {
    const t = recordedTimeOf(due);
    while (used < expiries.length && expiries[used] < t - EARLY_TIMER_MS) used++;
    while (next < demands.length && demands[next] < t - 0.001) next++;
    const demand = demands[next] as number | undefined;
    if (used < expiries.length && (demand === undefined || expiries[used] <= demand)) return replayTimeOf(expiries[used++]);
    return demand === undefined ? due : Math.max(due, replayTimeOf(demand) + 0.001);
  };
}
