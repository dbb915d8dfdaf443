// docs/control.md's flag table lists every option of the table in flags.ts, and the commands besides, so
// a new row in flags.ts without its documentation fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE } from '../../src/cli/args.js';
import { OPTIONS } from '../../src/cli/flags.js';
import { ROOT } from './process.js';

test('docs/control.md has a row for every flag, and the usage names each', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'control.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Flags'), doc.indexOf('\n## ', doc.indexOf('## Flags') + 1));
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  const documented = new Set(rows.flatMap((row) => [...row.split(' | ')[0].matchAll(/`(--[a-z-]+|service --print|replay FILE)/g)].map((m) => m[1])));
  for (const flag of [...OPTIONS.map((o) => `--${o.name}`), '--config', '--list-devices', '--version', '--help', 'service --print', 'replay FILE']) {
    assert.ok(documented.has(flag), `docs/control.md's flag table has ${flag}`);
    assert.ok(USAGE.includes(flag), `the usage has ${flag}`);
  }
});
