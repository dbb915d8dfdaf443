/**
 * A recording's `limits` become the replay's Driver's: its watchdog, its longest hold, its refresh, its
 * speed ceiling (optional: a car without one, or an older file, has none). A
 * replay takes them only within the ranges the server itself takes them in, checked by the server's own
 * option table (src/cli/flags.ts), so no file can give a replayed car a longer leash than a live server
 * could: a watchdog of weeks, a hold without end, a refresh that floods the car's link.
 */
import { OPTIONS, type RunOptions } from '../cli/flags.js';
import type { RecordingHeader } from './format.js';

/** Each limit, and the server option that sets it. */
const LIMIT_OPTIONS: ReadonlyArray<[keyof RecordingHeader['limits'], string]> = [
  ['watchdogMs', 'watchdog-ms'], ['maxHoldMs', 'max-hold-ms'], ['refreshMs', 'link-refresh-ms'], ['maxSpeed', 'max-speed'],
];
const OPTIONAL: ReadonlySet<string> = new Set(['maxSpeed']);

/** What is wrong with a header's limits (`limits.watchdogMs is ...`), or null when a server runs with them. */
export function limitsProblem(limits: unknown): string | null {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return 'limits are missing';
  for (const [field, flag] of LIMIT_OPTIONS) {
    const value = (limits as Record<string, unknown>)[field];
    if (value === undefined && OPTIONAL.has(field)) continue;
    if (typeof value !== 'number') return `limits.${field} is missing`;
    const option = OPTIONS.find((o) => o.name === flag)!;
    try {
      option.set({} as RunOptions, value);
    } catch (err) {
      return `limits.${field} is ${value}, which no server runs with (--${flag} ${(err as Error).message})`;
    }
  }
  return null;
}
