/**
 * The fuzz loop on fast-check: cases from an arbitrary, run against a target (session.ts) until the time
 * is up, stopping at the first case with a violation; then that case is shrunk,
 * replaying it by its seed and path (keeping only shrinks that break the same invariant), into the
 * reproducer report.ts prints.
 */
import fc from 'fast-check';
import type { Scenario, Role } from './scenario.js';
import { FuzzSession, type Finding } from './session.js';
import type { FuzzTarget } from './target.js';
import { tour } from './tour.js';
import type { Violation } from './violations.js';

export interface FuzzOptions {
  target: FuzzTarget;
  roles: readonly Role[];
  arbitrary: fc.Arbitrary<Scenario>;
  seconds: number;
  shrinkSeconds: number;
  seed?: number;
  /** Progress, every progressMs. */
  log?: (line: string) => void;
  progressMs?: number;
  /** Leaves out the tour (tour.ts) that every run starts with otherwise. */
  noTour?: boolean;
  /** Goes on after a finding (each kept with its case, unshrunk) instead of stopping to shrink it. */
  keepGoing?: boolean;
}

export interface Failure { scenario: Scenario; violations: Violation[]; path: string; shrunk: boolean }

export interface FuzzResult {
  seed: number;
  /** How long the tour and the random cases took. */
  seconds: { tour: number; random: number };
  failure: Failure | null;
  late: Finding[];
  session: FuzzSession;
}

class CaseFailure extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => v.detail).join('\n'));
  }
}
/** The run's time is up: it ends before its next case. (fast-check's own time limit would abandon the case
 *  under way, still running against the server while the next run starts.) */
class TimeUp extends Error {}

/** Random cases run at least this long after the tour, however long the tour took. */
const MIN_RANDOM_SECONDS = 5;

export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const session = new FuzzSession(opts.target, opts.roles);
  const seed = opts.seed ?? (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
  const timer = opts.log ? setInterval(() => opts.log!(progress(session)), opts.progressMs ?? 10_000) : null;
  try {
    const started = performance.now();
    const toured = await runTour(session, opts);
    const tourSeconds = (performance.now() - started) / 1000;
    if (toured) return { seed, seconds: { tour: tourSeconds, random: 0 }, failure: toured, late: session.late, session };
    const deadline = performance.now() + 1000 * Math.max(MIN_RANDOM_SECONDS, opts.seconds - tourSeconds);
    const found = await fc.check(fc.asyncProperty(opts.arbitrary, async (s) => {
      if (performance.now() > deadline && session.coverage.cases > 0) throw new TimeUp();
      const own = await session.run(s);
      if (own.length > 0 && opts.keepGoing) for (const v of own) session.late.push({ violation: v, scenario: s });
      else if (own.length > 0) throw new CaseFailure(own);
    }), { seed, numRuns: 1_000_000_000, endOnFailure: true });
    let failure: Failure | null = null;
    if (found.failed && found.errorInstance instanceof CaseFailure) {
      failure = await shrink(session, opts, seed, found.counterexamplePath!, found.counterexample![0], found.errorInstance.violations);
    } else if (found.failed && !(found.errorInstance instanceof TimeUp)) {
      throw found.errorInstance; // the fuzzer's own bug
    }
    return { seed, seconds: { tour: tourSeconds, random: (performance.now() - started) / 1000 - tourSeconds }, failure, late: session.late, session };
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Replays the failing case by its path and shrinks it; a shrink counts only if it breaks the same invariant. */
async function shrink(session: FuzzSession, opts: FuzzOptions, seed: number, path: string, original: Scenario,
  violations: Violation[]): Promise<Failure> {
  const invariant = violations[0].invariant;
  let best: Failure = { scenario: original, violations, path, shrunk: false };
  if (opts.shrinkSeconds <= 0) return best;
  const deadline = performance.now() + opts.shrinkSeconds * 1000;
  const again = await fc.check(fc.asyncProperty(opts.arbitrary, async (s) => {
    if (performance.now() > deadline) return; // time is up: no shrink tried from now on counts
    const same = (await session.run(s)).filter((v) => v.invariant === invariant);
    if (same.length > 0) throw new CaseFailure(same);
  }), { seed, path, numRuns: 1 });
  if (again.failed && again.errorInstance instanceof CaseFailure) {
    best = { scenario: again.counterexample![0], violations: again.errorInstance.violations, path: again.counterexamplePath!, shrunk: true };
  }
  return best;
}

/** The tour's cases, whatever the time (so every run covers them all); the first that breaks something ends it. */
async function runTour(session: FuzzSession, opts: FuzzOptions): Promise<Failure | null> {
  if (opts.noTour) return null;
  for (const s of tour(opts.roles)) {
    const own = await session.run(s);
    if (own.length > 0 && opts.keepGoing) for (const v of own) session.late.push({ violation: v, scenario: s });
    else if (own.length > 0) return { scenario: s, violations: own, path: 'the tour (tour.ts)', shrunk: false };
  }
  return null;
}

export function progress(session: FuzzSession): string {
  const s = session.last;
  const resources = s ? `; server ${s.fds} fds (${s.sockets} sockets), ${Math.round(s.rssKb / 1024)} MiB` : '';
  return `${session.target.kind}: ${session.coverage.summary()}${resources}${session.restarts ? `; ${session.restarts} restarts` : ''}`;
}
