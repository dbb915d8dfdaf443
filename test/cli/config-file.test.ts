// A config file's JSON (src/cli/strict-json.ts): a name given twice is refused with the name and its
// lines, and a syntax error says where without quoting the file (which may hold a password).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { parseStrictJson } from '../../src/cli/strict-json.js';

async function configFile(t: { after(fn: () => Promise<void>): void }): Promise<(text: string) => Promise<string>> {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-surface-checks-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'webracer.json');
  return async (text) => {
    await writeFile(file, text);
    return file;
  };
}

function refusal(argv: string[]): string {
  try {
    parseArgs(argv, {});
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

test('a config file that names an option twice is refused, naming the option and both lines', async (t) => {
  const write = await configFile(t);
  const file = await write('{\n  "port": 8000,\n  "max-clients": 8,\n  "port": 9000\n}\n');
  assert.equal(refusal(['--config', file]), `--config ${file}: "port" is given twice in one object (lines 2 and 4): keep one`);
  // Inside a car, and spelled differently in the text but the same name once read.
  const car = await write('{"cars": [{"name": "red",\n "link": "sim", "n\\u0061me": "blue"}]}');
  assert.match(refusal(['--config', car]), /"name" is given twice in one object \(lines 1 and 2\)/);
  // The same name in two different objects is no repetition.
  const two = await write('{"cars": [{"name": "red", "link": "sim"}, {"name": "blue", "link": "sim"}]}');
  const cmd = parseArgs(['--config', two], {});
  assert.equal(cmd.kind, 'run');
});

test('a config file that is not JSON: the line and column, and never the text around it', async (t) => {
  const write = await configFile(t);
  const secret = 'hunter2hunter2';
  for (const [text, where] of [
    [`{"token": ${secret}}`, /at line 1, column 11: expected a value/],
    [`{\n  "turn-secret": "${secret}"\n  "port": 80\n}`, /at line 3, column 3: expected , or \} after a value/],
    [`{"ice-server": ["turn:u:${secret}@host]}`, /at line 1, column 17: a string that is not closed/],
    [`{"token": "${secret}"} ${secret}`, /at line 1, column \d+: more after the end/],
    ['{"port": 80', /at line 1 \(the end of the file\): expected , or \}/],
  ] as const) {
    const message = refusal(['--config', await write(text)]);
    assert.match(message, /not valid JSON/, text);
    assert.match(message, where, text);
    assert.ok(!message.includes('hunter'), `${message}: no part of the file's text`);
  }
  assert.match(refusal(['--config', await write('  \n')]), /the file is empty/);
});

test('strict JSON reads what JSON.parse reads: the same values, a byte order mark allowed, depth bounded', () => {
  const texts = ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}', '[]', '"s"', '0', '{"__proto__": 1}'];
  for (const text of texts) assert.deepEqual(parseStrictJson(text), JSON.parse(text), text);
  assert.equal(Object.getPrototypeOf(parseStrictJson('{"__proto__": {"x": 1}}')), Object.prototype, '__proto__ is a field, not a prototype');
  assert.deepEqual(parseStrictJson('\uFEFF{"port": 1}'), { port: 1 });
  for (const text of ['{"a": 01}', '{"a": .5}', "{'a': 1}", '{"a": 1,}', '[1,]', '{"a" 1}', 'tru', '"\t"', '"\\x"', '{"a": NaN}']) {
    assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse refuses ${text}`);
    assert.throws(() => parseStrictJson(text), /not valid JSON at line 1/, text);
  }
  assert.throws(() => parseStrictJson('['.repeat(100_000)), /nested more than 64 deep/);
});
