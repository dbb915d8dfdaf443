/**
 * A finding as a person can act on it: which invariant broke and how, the target's configuration, the
 * case as JSON lines to paste into a file for `npm run fuzz -- --replay FILE`, and the seed and path that
 * generate it again.
 */
import type { FuzzResult } from './engine.js';
import { toLines, type Scenario } from './scenario.js';
import type { FuzzTarget } from './target.js';
import { describeViolation, type Violation } from './violations.js';

export function reproducer(title: string, violations: readonly Violation[], scenario: Scenario | null, target: FuzzTarget, rerun?: string): string {
  const lines = [
    `# ${title}`,
    ...violations.map((v) => `#   ${describeViolation(v).replace(/\n/g, '\n#   ')}`),
    `# the server: ${target.kind === 'token' ? 'WEBRACER_TOKEN set, ' : ''}webracer ${target.args.join(' ')}`,
    '# (green is a TCP byte recorder; its keeper, a token holder seated on it, never moves it; {{m}} is a marker, {{peerN}} client N\'s id)',
  ];
  if (rerun) lines.push(`# rerun: ${rerun}`);
  if (scenario) lines.push(`# paste the lines below into a file and run: npm run fuzz -- --target ${target.kind} --replay FILE`, ...toLines(scenario));
  else lines.push('# (no single case: this one is about the whole run)');
  return lines.join('\n');
}

/** Everything a run found, or '' when it found nothing. */
export function failures(result: FuzzResult, target: FuzzTarget): string {
  const parts: string[] = [];
  const { failure, seed } = result;
  if (failure) {
    const how = failure.shrunk ? 'shrunk to' : 'not shrunk';
    parts.push(reproducer(`the protocol fuzzer broke an invariant (${how} ${failure.scenario.steps.length} frames, ${failure.scenario.clients.length} clients)`,
      failure.violations, failure.scenario, target, failure.path.startsWith('the tour') ? failure.path : `npm run fuzz -- --target ${target.kind} --seed ${seed} --path ${failure.path}`));
  }
  const seen = new Set<string>();
  for (const late of result.late) {
    const kind = `${late.violation.invariant} ${late.violation.detail.replace(/\d+/g, 'N').replace(/client N \([^)]*\)/g, '').slice(0, 80)}`;
    if (seen.has(kind)) continue; // one of each kind is enough to read
    seen.add(kind);
    parts.push(reproducer('the protocol fuzzer broke an invariant (not shrunk)', [late.violation], late.scenario, target));
  }
  return parts.join('\n\n');
}
