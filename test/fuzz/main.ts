/**
 * `npm run fuzz -- [--minutes N | --seconds N] [--target token|open|both] [--seed S [--path P]]`: the protocol
 * fuzzer for as long as you like, printing progress and, at the end, what it covered and found.
 * `--family ITEM`: only the cases around a bug it once found ("18.1": issue 18 item 1; focuses.ts).
 * `npm run fuzz -- --target token --replay FILE`: runs one case (a reproducer's JSON lines) once and says
 * what it broke. Exits 1 when an invariant broke.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fuzz, progress, type FuzzResult } from './engine.js';
import { failures, reproducer } from './report.js';
import { focusOn } from './focuses.js';
import { fromLines, rolesFor, scenario } from './scenario.js';
import { FuzzSession } from './session.js';
import { FuzzTarget, type TargetKind } from './target.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' }, seconds: { type: 'string' }, target: { type: 'string', default: 'both' },
    seed: { type: 'string' }, path: { type: 'string' }, replay: { type: 'string' }, 'shrink-seconds': { type: 'string', default: '60' },
    'keep-going': { type: 'boolean', default: false }, family: { type: 'string' },
  },
});

async function main(): Promise<number> {
  const kinds: TargetKind[] = values.target === 'both' ? ['token', 'open'] : [values.target as TargetKind];
  if (!kinds.every((k) => k === 'token' || k === 'open')) throw new Error('--target is token, open or both');
  if (values.replay !== undefined) return replay(kinds[0], values.replay);
  const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? 1) * 60;
  const results = await Promise.all(kinds.map((kind) => runOn(kind, seconds)));
  return results.some((r) => r) ? 1 : 0;
}

async function runOn(kind: TargetKind, seconds: number): Promise<boolean> {
  const target = await FuzzTarget.start(kind);
  process.once('SIGINT', () => void target.close().then(() => process.exit(130)));
  try {
    const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
    log(`${kind}: fuzzing for ${seconds} s; the server: webracer ${target.args.join(' ')}`);
    const item = values.family;
    const arbitrary = item === undefined ? scenario({ roles: rolesFor(kind) }) : focusOn(item).family(rolesFor(kind));
    const result = await fuzz({
      target, roles: rolesFor(kind), arbitrary, seconds, noTour: item !== undefined,
      shrinkSeconds: Number(values['shrink-seconds']), seed: values.seed === undefined ? undefined : Number(values.seed), log,
      keepGoing: values['keep-going'],
    });
    return report(result, target, log);
  } finally {
    await target.close();
  }
}

function report(result: FuzzResult, target: FuzzTarget, log: (line: string) => void): boolean {
  log(`${progress(result.session)} (seed ${result.seed})`);
  const { unsent, neverValid } = result.session.coverage.gaps();
  if (unsent.length > 0) log(`${target.kind}: role x message never sent: ${unsent.join(', ')}`);
  if (neverValid.length > 0) log(`${target.kind}: role x message never valid: ${neverValid.join(', ')}`);
  log(`${target.kind}: HTTP: ${[...result.session.coverage.http.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const found = failures(result, target);
  if (found) console.log(`\n${found}\n`);
  return found !== '';
}

async function replay(kind: TargetKind, file: string): Promise<number> {
  const s = fromLines(readFileSync(file === '-' ? 0 : file, 'utf8').split('\n'));
  const target = await FuzzTarget.start(kind);
  try {
    const session = new FuzzSession(target, rolesFor(kind));
    const own = await session.run(s);
    const all = [...own, ...session.late.map((f) => f.violation)];
    console.log(all.length === 0 ? 'the case broke nothing' : reproducer('the case broke:', all, s, target));
    return all.length === 0 ? 0 : 1;
  } finally {
    await target.close();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(2);
});
