/**
 * Best laps as JSON (best-laps-file.ts keeps them in `best-laps.json`), and back. What comes back is input
 * (a file can be cut short, edited by hand or made by anyone who can write the folder): every field is
 * checked against what the server itself could have kept (lap-trace.ts's and best-laps.ts's bounds, the
 * name rule, demands a Driver takes), and the trace's size is counted afresh, never read from the file.
 */
import { validateDemand, type Pose } from '../../vehicle/index.js';
import { CAR_NAME_PATTERN } from '../fleet.js';
import { MAX_GHOST_MS } from '../ghost/ghost-yard.js';
import { MAX_NAME_CHARS } from '../protocol/messages.js';
import type { BestLap } from './best-laps.js';
import { MAX_TRACE_BYTES, MAX_TRACE_STEPS, stepBytes, type TraceStep } from './lap-trace.js';

export const BEST_LAPS_VERSION = 1;
/** The name rule of the `name` message (message-schemas.ts): printable, not only spaces. */
const NAME = /^(?=.*\S)[^\p{C}]+$/u;
/** Metres from the arena's origin no pose of a kept lap can be near. */
const FAR = 1e6;

type Fields = Record<string, unknown>;

/** The laps, in the order they were set, as the file holds them. */
export function bestLapsJson(laps: readonly BestLap[]): string {
  return JSON.stringify({
    version: BEST_LAPS_VERSION,
    laps: laps.map(({ car, driver, lapMs, trace }) => ({ car, driver, lapMs, trace: { start: trace.start, end: trace.end, durationMs: trace.durationMs, steps: trace.steps } })),
  });
}

/** The laps a file's text holds; throws an Error saying what is wrong with the first bad one. */
export function parseBestLaps(text: string): BestLap[] {
  const doc = JSON.parse(text) as unknown;
  if (!isObject(doc) || doc.version !== BEST_LAPS_VERSION || !Array.isArray(doc.laps)) {
    throw new Error(`not a best-laps file of version ${BEST_LAPS_VERSION} ({"version":${BEST_LAPS_VERSION},"laps":[...]})`);
  }
  return doc.laps.map((lap, i) => {
    try {
      return parseLap(lap);
    } catch (err) {
      throw new Error(`lap ${i + 1}: ${(err as Error).message}`);
    }
  });
}

function parseLap(lap: unknown): BestLap {
  if (!isObject(lap)) throw new Error('is not an object');
  const { car, driver, lapMs, trace } = lap;
  if (typeof car !== 'string' || !CAR_NAME_PATTERN.test(car)) throw new Error('car is not a car\'s name');
  if (typeof driver !== 'string' || driver.length > MAX_NAME_CHARS || !NAME.test(driver) || driver !== driver.trim()) {
    throw new Error(`driver is not a name (1 to ${MAX_NAME_CHARS} printable characters)`);
  }
  if (!isTime(lapMs) || lapMs === 0) throw new Error(`lapMs is not a time in (0, ${MAX_GHOST_MS}] ms`);
  if (!isObject(trace)) throw new Error('trace is not an object');
  const { start, end, durationMs, steps } = trace;
  if (!isPose(start) || !isPose(end)) throw new Error('trace.start and trace.end must be poses {x, y, heading, speed}');
  if (!isTime(durationMs)) throw new Error(`trace.durationMs is not a time in [0, ${MAX_GHOST_MS}] ms`);
  const parsed = parseSteps(steps, durationMs);
  const bytes = parsed.reduce((sum, s) => sum + stepBytes(s), 0);
  if (bytes > MAX_TRACE_BYTES) throw new Error(`trace.steps hold more than ${MAX_TRACE_BYTES} bytes`);
  return { car, driver, lapMs, trace: { car, start, end, durationMs, steps: parsed, bytes } };
}

function parseSteps(steps: unknown, durationMs: number): TraceStep[] {
  if (!Array.isArray(steps) || steps.length > MAX_TRACE_STEPS) throw new Error(`trace.steps is not a list of at most ${MAX_TRACE_STEPS}`);
  let last = 0;
  return steps.map((step: unknown, i) => {
    if (!isObject(step) || !isTime(step.t) || step.t < last || step.t > durationMs) {
      throw new Error(`trace.steps[${i}].t is not a time from the step before to the lap's end`);
    }
    last = step.t;
    try {
      return { t: step.t, demand: validateDemand(step.demand) };
    } catch (err) {
      throw new Error(`trace.steps[${i}]: ${(err as Error).message}`);
    }
  });
}

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_GHOST_MS;
}

function isPose(p: unknown): p is Pose {
  if (!isObject(p)) return false;
  return [p.x, p.y, p.heading, p.speed].every((v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < FAR);
}
