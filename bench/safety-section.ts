/**
 * Runs bench/safety.ts in its own process and turns its result into the report's section: per hazard of
 * docs/safety.md, the time from the fault to the stop byte on the wire (p50/p99 over the trials).
 */
import { join } from 'node:path';
import { childLimit, runJsonChild } from './child-json.js';
import { ROOT } from './servers/catalog.js';

export interface HazardResult {
  /** Short name, as in docs/safety.md's table. */
  hazard: string;
  /** What stops the car. */
  stopper: string;
  /** The documented bound, in ms from the fault (a fixed delay such as the watchdog counts in it). */
  boundMs: number;
  /** Milliseconds from the fault to the stop byte on the wire, one per trial. */
  samples: number[];
  /** Why the hazard could not be measured (then samples holds the trials done before it failed). */
  error?: string;
  /** Where counted: the stop bytes the car got per trial (one is right; more is a stop written in a loop). */
  stopBytes?: number[];
  /** For a hazard after which a held input must not drive by itself: the drive bytes that reached the car
   *  before the input was let go or centred, over all trials (must be 0). */
  unwantedDriveBytes?: number;
  /** Said under the table. */
  note?: string;
}

export interface SafetyResult {
  trials: number;
  hazards: HazardResult[];
}

/** Nearest rank: the smallest sample with at least p% of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;

export function safetyBody(r: SafetyResult): string {
  const lines = [
    'Time from a fault to the stop byte (0x00, i-Racer) arriving on the wire, per hazard of',
    '[safety.md](safety.md). The real `webracer` CLI runs as a child process (through tsx) with `--link tcp:`',
    'to a byte recorder in the bench process (test/support/byte-recorder.ts), which stamps each byte with',
    '`performance.now()` as it reads it; the fault is stamped in the same process just before it is made',
    '(the `kill()`, the `ws` send or terminate, the last drive message before a silence, the drive byte',
    'for a timed command). So each figure includes the signal or message delivery, the server\'s reaction',
    'and one loopback TCP hop. Where the bound is a timer (watchdog, max hold) the figure is that timer plus',
    'its lateness. The TCP bridge row is the time until the link is marked lost: nothing reaches a car while',
    'its network is cut (each trial then checks that the reconnect\'s first byte is the stop). The closed log',
    'pipe row is the time from SIGTERM to the process\'s exit (the deadline is its bound), with the stop bytes',
    'the car got counted: one, not one per failed log write. The frozen page',
    'row is timed from the page\'s waking (SIGCONT to its renderer), and also counts every drive byte that',
    'reached the car after the stop while the mouse was still held, before it was let go (there must be none).',
    '`bench/safety.ts` says how each trial is set up.',
    '',
    '| hazard | what stops the car | bound | trials | p50 | p99 | max | within bound |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  for (const h of r.hazards) {
    if (h.samples.length === 0) {
      lines.push(`| ${h.hazard} | ${h.stopper} | ${h.boundMs} ms | 0 | — | — | — | not measured |`);
    } else {
      const max = Math.max(...h.samples);
      const over = h.samples.filter((s) => s > h.boundMs).length;
      lines.push(`| ${h.hazard} | ${h.stopper} | ${h.boundMs} ms | ${h.samples.length} | ${ms(percentile(h.samples, 50))} | `
        + `${ms(percentile(h.samples, 99))} | ${ms(max)} | ${withinBound(over, h.unwantedDriveBytes)}${stopBytesVerdict(h)} |`);
    }
    if (h.stopBytes?.length) notes.push(`${h.hazard}: stop bytes the car got per trial, once the pipe had closed: ${h.stopBytes.join(', ')}`);
    if (h.note) notes.push(`${h.hazard}: ${h.note}`);
    if (h.error) notes.push(`${h.hazard}: ${h.samples.length ? `stopped after ${h.samples.length} trial(s): ` : ''}${h.error}`);
  }
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

/** For a hazard whose stop bytes are counted: "; one stop byte each", or how many trials got another count. */
function stopBytesVerdict(h: HazardResult): string {
  if (!h.stopBytes?.length) return '';
  const wrong = h.stopBytes.filter((n) => n !== 1).length;
  return wrong === 0 ? '; one stop byte each' : `; NO: ${wrong} trial(s) not one stop byte`;
}

/** The last column: the bound kept, and for a hazard that counts them, no drive byte before re-centring. */
function withinBound(over: number, unwanted: number | undefined): string {
  const bound = over === 0 ? 'yes' : `NO: ${over} over`;
  if (unwanted === undefined) return bound;
  return unwanted === 0 ? `${bound}; no drive byte before re-centring` : `${bound}; NO: ${unwanted} drive byte(s) before re-centring`;
}

export async function safetySection(quick: boolean): Promise<{ title: string; body: string }> {
  const argv = [process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'safety.ts'), '--trials', quick ? '3' : '20'];
  const result = await runJsonChild<SafetyResult>(argv, 'safety', childLimit(quick, 30 * 60_000));
  for (const h of result.hazards) {
    const figure = h.samples.length ? `p50 ${ms(percentile(h.samples, 50))}, p99 ${ms(percentile(h.samples, 99))}` : 'not measured';
    console.log(`safety: ${h.hazard}: ${figure}${h.error ? ` (${h.error})` : ''}`);
  }
  return { title: 'Safety: fault to stop byte', body: safetyBody(result) };
}
