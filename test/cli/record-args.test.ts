// --record and its limits, and `webracer replay`'s own options: checked at the command line, each mistake
// a UsageError that names it (and, for replay, carries replay's own usage).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { REPLAY_USAGE } from '../../src/cli/replay-args.js';

const CLONE = new URL('../fixtures/charmaps/clone.json', import.meta.url).pathname;

test('--record DIR with its limits', () => {
  const run = parseArgs(['--record', '/tmp/some-recordings', '--record-file-mb', '8', '--record-total-mb', '100']);
  assert.equal(run.kind, 'run');
  if (run.kind !== 'run') return;
  assert.equal(run.options.record, '/tmp/some-recordings');
  assert.equal(run.options.recordFileMb, 8);
  assert.equal(run.options.recordTotalMb, 100);
  const cases: Array<[string[], RegExp]> = [
    [['--record', '/etc/hostname'], /--record: '\/etc\/hostname' is not a folder/],
    [['--record', ''], /--record/],
    [['--record-file-mb', '8'], /go with --record DIR/],
    [['--record', '/tmp/r', '--record-file-mb', '0'], /--record-file-mb: must be between 1 and 4096/],
    [['--record', '/tmp/r', '--record-file-mb', '600'], /--record-file-mb must not be larger than --record-total-mb/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
  }
});

test('webracer replay FILE [options]', () => {
  assert.deepEqual(parseArgs(['replay', 'a.jsonl']), {
    kind: 'replay', options: { file: 'a.jsonl', speed: 1, fromMs: 0, dryRun: false },
  });
  assert.deepEqual(parseArgs(['replay', '--link', 'tcp:127.0.0.1:2000', 'a.jsonl', '--codec=rc-app', '--speed', '0.5', '--from', '12.5', '--dry-run']), {
    kind: 'replay',
    options: { file: 'a.jsonl', link: 'tcp:127.0.0.1:2000', codec: 'rc-app', speed: 0.5, fromMs: 12_500, dryRun: true },
  });
  const withCharmap = parseArgs(['replay', 'a.jsonl', '--charmap', CLONE, '--link-timeout-ms', '250']);
  assert.ok(withCharmap.kind === 'replay');
  assert.equal(withCharmap.options.linkTimeoutMs, 250);
  assert.equal(withCharmap.options.charmap?.directions.stop, 0x23, 'the file\'s stop character');
  assert.deepEqual(parseArgs(['replay', '--help']), { kind: 'replay-help' });
  const cases: Array<[string[], RegExp]> = [
    [['replay'], /which recording\?/],
    [['replay', 'a', 'b'], /argument 3 is a second FILE: one only \('a' came first\)/],
    [['replay', 'a', '--port', '8000'], /unknown option '--port'/],
    [['replay', 'a', '--link', 'bluetooth'], /--link/],
    [['replay', 'a', '--codec', 'lego'], /--codec/],
    [['replay', 'a', '--speed', '0'], /--speed: must be between 0.1 and 10/],
    [['replay', 'a', '--speed', 'fast'], /--speed: must be a number/],
    [['replay', 'a', '--from', '-1'], /--from/],
    [['replay', 'a', '--dry-run=yes'], /takes no value/],
    [['replay', 'a', '--speed', '2', '--speed', '3'], /more than once/],
    [['replay', 'a', '--charmap', '/nonexistent/clone.json'], /--charmap: \/nonexistent\/clone\.json: no such file/],
    [['replay', 'a', '--codec', 'iracer', '--charmap', CLONE], /--charmap is for the rc-app codec, not iracer/],
    [['replay', 'a', '--link-timeout-ms', '50'], /--link-timeout-ms: must be between 100 and 60000/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message)
      && err.usage === REPLAY_USAGE, argv.join(' '));
  }
});
