// docs/safety.md and docs/security.md name, for every row, the test that proves it:
// `test/dir/file.test.ts` › "test name" (… stands for any text: "SIGTERM: …"). A test renamed or deleted
// would leave a row proven by nothing; this keeps every reference pointing at a test that exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process.js';

const ANY = '\u0000';

/** Every test file under test/, keyed by its base name (rows cite a file in full once, then by name). */
function testFiles(): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const dir of readdirSync(join(ROOT, 'test'), { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(ROOT, 'test', dir.name))) {
      if (file.endsWith('.test.ts')) byName.set(file, [...(byName.get(file) ?? []), `test/${dir.name}/${file}`]);
    }
  }
  return byName;
}

/** The names a test file declares (test, it, describe); an interpolation `${x}` stands for any text. */
export function declaredNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/\b(?:test|it|describe)(?:\.skip|\.only|\.todo)?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/gs)) {
    names.push(m[2].replace(/\$\{[^}]*\}/g, ANY).replace(/\\(.)/g, '$1'));
  }
  return names;
}

/** Whether two patterns in which ANY stands for any text have a string in common. */
export function overlap(a: string, b: string): boolean {
  const seen = new Set<number>();
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * (b.length + 1) + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    if (a[i] === ANY) stack.push([i + 1, j]);
    if (b[j] === ANY) stack.push([i, j + 1]);
    if (i < a.length && j < b.length) {
      if (a[i] === ANY && b[j] !== ANY) stack.push([i, j + 1]);
      else if (b[j] === ANY && a[i] !== ANY) stack.push([i + 1, j]);
      else if (a[i] === b[j]) stack.push([i + 1, j + 1]);
    }
  }
  return false;
}

/** The cited names after a `›`: "…" each, separated by ", ", " and ", " or " or "; ". */
export function citedNames(after: string): string[] {
  const names: string[] = [];
  const text = after.replace(/^\s*›\s*/, '');
  const re = /"(.+?)"(?=\s+(?:and|or)\s+"|,\s+"|;\s|\s*\(|\s*$|\s*\||\s*<|\.\s|\s*`)/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (text.slice(at, m.index).trim().replace(/^(,|;|and|or)$/, '') !== '') break;
    names.push(m[1]);
    at = m.index + m[0].length;
    const sep = /^\s*(?:,|;|and|or)?\s*/.exec(text.slice(at))![0];
    at += sep.length;
    re.lastIndex = at;
  }
  return names;
}

for (const doc of ['safety.md', 'security.md']) {
  test(`every test docs/${doc} cites exists, under the name it cites`, () => {
    const path = join(ROOT, 'docs', doc);
    if (!existsSync(path)) return;
    const files = testFiles();
    const problems: string[] = [];
    let cited = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const refs = [...line.matchAll(/`((?:test\/[\w-]+\/)?[\w.-]+\.test\.ts)`/g)];
      let lastFull: string[] = [];
      refs.forEach((ref, k) => {
        const name = ref[1];
        let candidates: string[];
        if (name.startsWith('test/')) {
          candidates = existsSync(join(ROOT, name)) ? [name] : [];
          lastFull = [...candidates, ...lastFull];
        } else {
          const inLine = lastFull.filter((full) => full.endsWith(`/${name}`));
          candidates = inLine.length > 0 ? inLine : (files.get(name) ?? []);
        }
        if (candidates.length === 0) return void problems.push(`${doc}: ${name} does not exist`);
        const end = k + 1 < refs.length ? refs[k + 1].index : line.length;
        const after = line.slice(ref.index + ref[0].length, end);
        if (!/^\s*›/.test(after)) return;
        const declared = candidates.flatMap((file) => declaredNames(readFileSync(join(ROOT, file), 'utf8')));
        for (const wanted of citedNames(after)) {
          cited += 1;
          const pattern = wanted.replace(/\s*…\s*/g, ANY);
          if (!declared.some((d) => overlap(d, pattern))) problems.push(`${doc}: ${candidates.join(' or ')} has no test named "${wanted}"`);
        }
      });
    }
    assert.deepEqual(problems, []);
    assert.ok(cited > 0 || doc === 'security.md', `docs/${doc} cites tests`);
  });
}
