/**
 * The moves of bench/drive-paths-lossy.ts and what they come to: each move's latency to the car's byte,
 * and how long the car ran on an older move than the newest one sent.
 */
import type { RunResult } from './drive-paths-section.js';

/** A byte the car got, at t (ms, monotonic). */
export interface Arrival { t: number; byte: number }
/** A point of the joystick (CSS pixels) and the byte the car gets for it. */
export interface Position { x: number; y: number; byte: number }

export interface MovesOptions {
  mouse: { move(x: number, y: number): Promise<void> };
  positions: readonly Position[];
  moves: number;
  /** The car's bytes so far (read once the moves are done). */
  arrivals(): readonly Arrival[];
  now(): number;
}

export const MOVE_MS = 50;
/** After the last move, how long its byte may take before the move counts as never arriving. */
const SETTLE_MS = 1500;

/** Sends the moves (the knob already held at positions[0]) and reads what the car made of them. */
export async function runMoves(o: MovesOptions): Promise<RunResult> {
  const sent: Array<{ t: number; byte: number }> = [];
  const start = o.now();
  for (let k = 0; k < o.moves; k++) {
    const p = o.positions[(k + 1) % o.positions.length];
    sent.push({ t: o.now(), byte: p.byte });
    await o.mouse.move(p.x, p.y);
    const next = start + (k + 1) * MOVE_MS;
    if (next > o.now()) await new Promise((r) => setTimeout(r, next - o.now()));
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  if (process.env.DRIVE_PATHS_DUMP) process.stderr.write(`${JSON.stringify({ sent: sent.map((s) => [Math.round(s.t), s.byte.toString(16)]), got: o.arrivals().filter((a) => a.t >= sent[0].t).map((a) => [Math.round(a.t), a.byte.toString(16)]) })}\n`);
  return movesResult(sent, o.arrivals().filter((a) => a.t >= sent[0].t));
}

/**
 * Each arrival is the latest move sent before it with that byte; a move's latency runs to the first arrival
 * of its own or a later move. Stale: from each move's send until the car holds it or a later one.
 */
export function movesResult(sent: ReadonlyArray<{ t: number; byte: number }>, arrivals: readonly Arrival[]): RunResult {
  const reached: Array<{ t: number; move: number }> = [];
  for (const a of arrivals) {
    let move = -1;
    for (let k = 0; k < sent.length && sent[k].t <= a.t; k++) if (sent[k].byte === a.byte) move = k;
    if (move >= 0) reached.push({ t: a.t, move });
  }
  const ms: number[] = [];
  let missing = 0;
  let staleMs = 0;
  let longestStaleMs = 0;
  for (let k = 0; k < sent.length; k++) {
    const first = reached.find((r) => r.move >= k && r.t >= sent[k].t);
    if (first === undefined) missing++;
    else ms.push(first.t - sent[k].t);
    // Stale while this move is the newest: from its send to the first of its own or later arrivals, at most until the next send.
    const end = k + 1 < sent.length ? sent[k + 1].t : Infinity;
    const held = Math.min(first?.t ?? end, end) - sent[k].t;
    if (Number.isFinite(held)) staleMs += held;
  }
  // The longest stretch: the car on an older move than the newest, however many moves it spans.
  let stretchFrom: number | null = null;
  for (let k = 0; k < sent.length; k++) {
    const first = reached.find((r) => r.move >= k && r.t >= sent[k].t);
    stretchFrom ??= sent[k].t;
    const caughtUp = first !== undefined && (k + 1 >= sent.length || first.t <= sent[k + 1].t);
    if (caughtUp) {
      longestStaleMs = Math.max(longestStaleMs, first.t - stretchFrom);
      stretchFrom = null;
    }
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  const span = sent.at(-1)!.t + MOVE_MS - sent[0].t;
  return { moves: sent.length, p50: at(50), p99: at(99), max: sorted.at(-1) ?? NaN, missing, staleShare: staleMs / span, longestStaleMs };
}
