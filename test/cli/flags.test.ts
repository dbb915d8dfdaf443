// The options added for everyday use (limits, logging, the QR switch, --version, service): each one from
// a flag and from a config file, each bad value a usage error that names it, and every option of the
// table reachable from a config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError, USAGE } from '../../src/cli/args.js';
import { CONFIG_SCHEMA } from '../../src/cli/config-file.js';
import { OPTIONS, type RunOptions } from '../../src/cli/flags.js';

function options(argv: string[]): RunOptions {
  const cmd = parseArgs(argv, {});
  assert.equal(cmd.kind, 'run');
  return (cmd as Extract<typeof cmd, { kind: 'run' }>).options;
}

const NEW_FLAGS: Array<[flag: string, good: string, key: keyof RunOptions, value: unknown, bad: string[]]> = [
  ['max-clients', '200', 'maxClients', 200, ['0', '10001', 'many']],
  ['drive-rate', '40', 'driveRatePerSecond', 40, ['39', '1001', '1.5']],
  ['idle-takeover-ms', '60000', 'idleTakeoverMs', 60_000, ['999', '3600001', '-1']],
  ['driver-silence-ms', '2000', 'driverSilenceMs', 2_000, ['999', '600001', '']],
  ['resume-window-ms', '0', 'resumeWindowMs', 0, ['600001', 'off']],
  ['heartbeat-ms', '0', 'heartbeatMs', 0, ['999', '1', '3600001']],
  ['log-level', 'debug', 'logLevel', 'debug', ['verbose', 'INFO', '']],
  ['log-format', 'json', 'logFormat', 'json', ['xml', '']],
];

test('the limits and log options: each from its flag, each bad value a usage error naming the flag', () => {
  for (const [flag, good, key, value, bads] of NEW_FLAGS) {
    assert.equal(options([`--${flag}`, good])[key], value, flag);
    assert.equal(options([`--${flag}=${good}`])[key], value, flag);
    for (const bad of bads) {
      assert.throws(() => parseArgs([`--${flag}=${bad}`], {}),
        (err: unknown) => err instanceof UsageError && err.message.startsWith(`--${flag}: `), `--${flag}=${bad}`);
    }
    assert.ok(USAGE.includes(`--${flag} `), `the usage lists --${flag}`);
  }
  assert.equal(options(['--heartbeat-ms', '1000']).heartbeatMs, 1000);
});

test('--no-qr is a switch: no value on the command line, true or false in a config file', async (t) => {
  assert.equal(options([]).qr, undefined);
  assert.equal(options(['--no-qr']).qr, false);
  assert.equal(options(['--no-qr', '--port', '1']).port, 1, 'the next flag is not taken as its value');
  assert.throws(() => parseArgs(['--no-qr=yes'], {}), /'--no-qr' takes no value/);
  assert.throws(() => parseArgs(['--no-qr', '--no-qr'], {}), /'--no-qr' given more than once/);
  const dir = await mkdtemp(join(tmpdir(), 'webracer-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.json');
  await writeFile(file, JSON.stringify({ 'no-qr': true, 'log-format': 'json', 'max-clients': 8, 'heartbeat-ms': 0 }));
  const fromFile = options(['--config', file]);
  assert.deepEqual([fromFile.qr, fromFile.logFormat, fromFile.maxClients, fromFile.heartbeatMs], [false, 'json', 8, 0]);
  await writeFile(file, JSON.stringify({ 'no-qr': false }));
  assert.equal(options(['--config', file]).qr, true);
  await writeFile(file, JSON.stringify({ 'no-qr': 'yes' }));
  assert.throws(() => parseArgs(['--config', file], {}), /"no-qr" must be boolean/);
  await writeFile(file, JSON.stringify({ 'drive-rate': 10 }));
  assert.throws(() => parseArgs(['--config', file], {}), /"drive-rate": must be between 40 and 1000, got 10/);
  await writeFile(file, JSON.stringify({ 'log-level': 'loud' }));
  assert.throws(() => parseArgs(['--config', file], {}), /"log-level": must be one of error, warn, info, debug, got 'loud'/);
});

test('a relative path in a config file is taken from the file\'s folder, not from where webracer runs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'clone.json'), JSON.stringify({ stop: '#' }));
  await writeFile(join(dir, 'cert.pem'), 'not read here');
  const file = join(dir, 'c.json');
  await writeFile(file, JSON.stringify({ codec: 'rc-app', charmap: 'clone.json', record: 'recordings', 'tls-cert': './cert.pem', 'tls-key': '/' + 'nonexistent/key.pem' }));
  assert.notEqual(process.cwd(), dir);
  assert.throws(() => parseArgs(['--config', file], {}), /"tls-key": no such file '\/nonexistent\/key\.pem'/, 'an absolute path stays as it is');
  await writeFile(file, JSON.stringify({ codec: 'rc-app', charmap: 'clone.json', record: 'recordings', 'tls-cert': './cert.pem', 'tls-key': 'cert.pem' }));
  const o = options(['--config', file]);
  assert.equal(o.charmap?.directions.stop, 0x23, 'the charmap beside the file');
  assert.equal(o.record, join(dir, 'recordings'));
  assert.equal(o.tlsCert, join(dir, 'cert.pem'));
  assert.equal(o.tlsKey, join(dir, 'cert.pem'));
  // On the command line, a relative path is still the shell's: from where webracer runs.
  assert.throws(() => parseArgs(['--charmap', 'clone.json', '--codec', 'rc-app'], {}), /--charmap: clone\.json: no such file/);
});

test('every option of the table is a key of the config file, typed as the table says', () => {
  const properties = CONFIG_SCHEMA.properties as Record<string, { type?: string; items?: { type?: string } }>;
  for (const option of OPTIONS) {
    const key = option.json === 'car' ? 'cars' : option.name;
    assert.ok(key in properties, `"${key}" may be in a config file`);
    if (option.json === 'car') continue;
    const schema = option.repeatable ? properties[key].items : properties[key];
    assert.equal(schema?.type, option.json, key);
  }
});

test('--version and service are commands of their own', () => {
  assert.deepEqual(parseArgs(['--version'], {}), { kind: 'version' });
  assert.deepEqual(parseArgs(['--port', '1', '--version'], {}), { kind: 'version' });
  const service = parseArgs(['service', '--print', '--config', 'relative.json', '--user', 'pi'], {});
  assert.deepEqual(service, {
    kind: 'service', config: join(process.cwd(), 'relative.json'), user: 'pi',
    configProblem: `${join(process.cwd(), 'relative.json')} does not exist yet: write it before starting the service (docs/raspberry-pi.md)`,
  });
  assert.equal((parseArgs(['service', '--print'], { SUDO_USER: 'pi' }) as { user: string }).user, 'pi');
  for (const [argv, pattern] of [
    [['service'], /service --print/],
    [['service', '--print', '--port', '1'], /unexpected '--port'/],
    [['service', '--print', '--user', 'bad user'], /not a user name/],
    [['service', '--print', '--config'], /'--config' needs a value/],
  ] as const) {
    assert.throws(() => parseArgs([...argv], {}), (err: unknown) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
  }
});
