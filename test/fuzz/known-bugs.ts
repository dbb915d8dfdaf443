/**
 * Bugs the fuzzer finds that are known and being fixed on other branches (issue 18 and 17's items). A
 * violation one of them explains does not fail the bounded run (protocol.test.ts): its own `todo` test
 * shows it is still there. When a fix lands on main, delete its entry here and the `todo` from its test;
 * from then on the fuzzer guards the fix like everything else.
 */
import type { FrameLimits } from './client-frames.js';
import type { Violation } from './violations.js';

export interface KnownBug {
  item: string;
  title: string;
  matches(v: Violation): boolean;
}

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    item: '18.1',
    title: 'a seed command with an unknown field nested thousands deep crashes the recorder\'s flush, and the process',
    matches: (v) => v.invariant === 'up' && /Maximum call stack size exceeded/.test(String(v.facts.output)) && /recorder\.ts/.test(String(v.facts.output)),
  },
  {
    item: '18.2',
    title: 'GET of a recording that is still 0 bytes (or one cut short) leaks its file descriptor',
    // A recording, or the file a link among them points to (target.ts): read through /api/recordings only.
    matches: (v) => v.invariant === 'descriptors' && (v.facts.readers as string[] | undefined)?.some((f) => /\.jsonl$|\/outside\.txt$/.test(f)) === true,
  },
  {
    item: '18.3',
    title: 'a stop from a non-driver (refused or not) is recorded with every field it carried',
    matches: (v) => v.invariant === 'recordings' && v.facts.kind === 'message' && v.facts.stop === true,
  },
  {
    item: '18.4',
    title: 'a camera that reads slowly is terminated (1006) when viewers send it large signals',
    matches: (v) => v.invariant === 'closes' && v.facts.code === 1006 && v.facts.slow === true && v.facts.role === 'camera',
  },
  {
    item: '18.5',
    title: 'a link named like a recording in the recordings folder is followed and served',
    matches: (v) => v.invariant === 'outside' && String(v.facts.target).startsWith('/api/recordings/'),
  },
  {
    item: '18.6',
    title: 'no Host check on HTTP (DNS rebinding)',
    matches: (v) => v.invariant === 'host',
  },
  {
    item: '18.7',
    title: 'TURN credentials in every welcome',
    matches: (v) => v.invariant === 'welcome',
  },
  {
    item: '17.3',
    title: 'a stop after a burst is dropped by the rate limiter',
    matches: (v) => v.invariant === 'stop' && v.facts.rateLimited === true,
  },
];

/** 18.1: a seed command's unknown field nested past ~4,500 deep crashes the recorder's flush and the
 *  process. The bounded run stays below it (a crash would end every other check); its todo test goes past. */
export const BOUNDED_LIMITS: FrameLimits = { seedNesting: 3_000, nesting: 7_000 };
export const FULL_LIMITS: FrameLimits = { seedNesting: 7_000, nesting: 7_000 };

export function knownBugOf(v: Violation): KnownBug | undefined {
  return KNOWN_BUGS.find((k) => k.matches(v));
}
