// --sfu janus:URL: checked at the command line and in a config file, each mistake a UsageError naming it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';

test('--sfu janus:URL gives the server Janus\'s HTTP API; anything else is refused with what it takes', () => {
  const run = parseArgs(['--sfu', 'janus:http://127.0.0.1:8088/janus/']);
  assert.ok(run.kind === 'run');
  assert.equal(run.options.sfu, 'http://127.0.0.1:8088/janus');
  assert.ok(parseArgs([]).kind === 'run' && (parseArgs([]) as { options: { sfu?: string } }).options.sfu === undefined, 'off by default: peer to peer');
  const cases: Array<[string, RegExp]> = [
    ['http://127.0.0.1:8088/janus', /--sfu: must be janus:URL/],
    ['janus:', /is not a URL/],
    ['janus:ws://127.0.0.1:8188', /http:\/\/ or https:\/\//],
    ['janus:http://user:pw@127.0.0.1:8088/janus', /no query, fragment or credentials/],
  ];
  for (const [value, pattern] of cases) {
    assert.throws(() => parseArgs(['--sfu', value]), (err: unknown) => err instanceof UsageError && pattern.test(err.message), value);
  }
});

test('"sfu" in a config file, as on the command line', () => {
  const dir = mkdtempSync('/tmp/webracer-sfu-config-');
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ sfu: 'janus:http://10.0.0.5:8088/janus' }));
    const run = parseArgs(['--config', file]);
    assert.ok(run.kind === 'run');
    assert.equal(run.options.sfu, 'http://10.0.0.5:8088/janus');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
