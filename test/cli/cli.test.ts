// The command as a user meets it: --version, and start-up errors that name what is wrong (exit 2, with
// the usage) for a bad --charmap file and for bad values of the new flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, WEBRACER } from './process.js';

test('--version prints the package version', { timeout: 60_000 }, async (t) => {
  const result = await run(t, [...WEBRACER, '--version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
});

test('a bad --charmap file, or bad values for the new flags: exit 2, the flag and the field named', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webracer-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const charmap = join(dir, 'clone.json');
  writeFileSync(charmap, JSON.stringify({ horn: { on: 'F', off: 'f' } }));
  const cases: Array<[string[], RegExp]> = [
    [['--codec', 'rc-app', '--charmap', charmap], /^webracer: --charmap: .*clone\.json: "horn\.on": 'F' is also "forward"/],
    [['--codec', 'rc-app', '--charmap', join(dir, 'none.json')], /^webracer: --charmap: .*none\.json: no such file/],
    [['--charmap', join(dir, 'ok.json')], /^webracer: --charmap is for the rc-app codec/],
    // Every new flag's bad values are checked in-process (flags.test.ts); one here, through the real CLI.
    [['--heartbeat-ms', '5'], /^webracer: --heartbeat-ms: must be 0 \(off\) or between 1000 and 3600000, got 5/],
  ];
  writeFileSync(join(dir, 'ok.json'), '{}');
  for (const [args, pattern] of cases) {
    const result = await run(t, [...WEBRACER, ...args]);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, pattern, args.join(' '));
    assert.match(result.stderr, /\n\nUsage: webracer/);
    assert.equal(result.stdout, '');
  }
});
