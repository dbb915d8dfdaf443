/**
 * The standing defence (docs/security.md, issue 18 item 11): a structure-aware fuzzer of the control
 * protocol and every HTTP route, against the real `webracer` command with three cars (one a TCP byte
 * recorder) and recording on, with a token and without. A bounded run here (FUZZ_SECONDS, default 20,
 * both servers at once), then the fuzzer focused on the inputs around each bug it once found (focuses.ts,
 * FUZZ_FOCUS_SECONDS each); `npm run fuzz -- --minutes N` runs it long. A failure prints its reproducer.
 *
 * Each server is a lane: the tests start together and each waits for its server's lane, so the token
 * server's focuses run while the open server's do, and neither server ever has two runs at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, progress, type FuzzResult } from './engine.js';
import { FOCUSES, type Focus } from './focuses.js';
import { failures } from './report.js';
import { rolesFor, scenario } from './scenario.js';
import { FuzzTarget, type TargetKind } from './target.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const FOCUS_SECONDS = Number(process.env.FUZZ_FOCUS_SECONDS ?? 5);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const KINDS = ['token', 'open'] as const;

const targets = new Map<TargetKind, FuzzTarget>();
const lanes = new Map<TargetKind, Promise<void>>(KINDS.map((kind) => [kind, Promise.resolve()]));

/** Runs `work` once every run queued before it on these servers is over. */
function inLane<T>(kinds: readonly TargetKind[], work: () => Promise<T>): Promise<T> {
  const ready = Promise.all(kinds.map((kind) => lanes.get(kind)));
  const done = ready.then(work);
  for (const kind of kinds) lanes.set(kind, done.then(() => {}, () => {}));
  return done;
}

before(async () => {
  for (const target of await Promise.all(KINDS.map((kind) => FuzzTarget.start(kind)))) targets.set(target.kind, target);
});
after(async () => {
  await Promise.all([...targets.values()].map((t) => t.close()));
});

function run(kind: TargetKind): Promise<FuzzResult> {
  const roles = rolesFor(kind);
  return fuzz({ target: targets.get(kind)!, roles, arbitrary: scenario({ roles }), seconds: SECONDS, shrinkSeconds: 20, seed: SEED });
}

/** The fuzzer on one focus's family of inputs (focuses.ts), on its server: it finds nothing. */
async function focused(focus: Focus): Promise<string> {
  const target = targets.get(focus.target)!;
  const roles = rolesFor(focus.target);
  const result = await fuzz({ target, roles, arbitrary: focus.family(roles), seconds: FOCUS_SECONDS, shrinkSeconds: 20, noTour: true, seed: SEED });
  assert.equal(failures(result, target), '', `issue ${focus.item} is back (FUZZ_SEED=${result.seed})`);
  return `${progress(result.session)} (FUZZ_SEED=${result.seed})`;
}

describe('the protocol fuzzer', { concurrency: true }, () => {
  test('the protocol fuzzer: every role sends every message, mutated, and every HTTP route is asked, with and without a token; no invariant breaks', (t) => inLane(KINDS, async () => {
    const results = await Promise.all(KINDS.map(async (kind) => [kind, await run(kind)] as const));
    for (const [kind, result] of results) {
      t.diagnostic(`${progress(result.session)} (FUZZ_SEED=${result.seed}; tour ${result.seconds.tour.toFixed(1)} s, random cases ${result.seconds.random.toFixed(1)} s)`);
      assert.equal(failures(result, targets.get(kind)!), '', `the ${kind} server broke an invariant (FUZZ_SEED=${result.seed})`);
      const { unsent, neverValid } = result.session.coverage.gaps();
      assert.deepEqual([...unsent, ...neverValid], [], `${kind}: role x message pairs never sent valid`);
    }
  }));

  for (const focus of FOCUSES) {
    test(`issue ${focus.item.replace('.', ' item ')}, guarded by the fuzzer: ${focus.title}`, (t) => inLane([focus.target], async () => {
      t.diagnostic(await focused(focus));
    }));
  }
});
