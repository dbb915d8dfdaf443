import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, TOKEN_ENV, UsageError, USAGE } from '../../src/cli/args.js';

function run(argv: string[], env: Record<string, string> = {}) {
  const cmd = parseArgs(argv, env);
  assert.equal(cmd.kind, 'run');
  return (cmd as Extract<typeof cmd, { kind: 'run' }>).options;
}

test('defaults: port 8000 on every interface, the simulator, the i-Racer codec, the safety limits', () => {
  assert.deepEqual(run([]), {
    port: 8000, host: '0.0.0.0', link: 'sim', codec: 'iracer', watchdogMs: 500,
    maxHoldMs: 2000, linkTimeoutMs: 1000, maxClientsPerAddress: 16,
  });
});

test('every flag, in both --flag value and --flag=value forms', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-args-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'cert.pem'), 'c');
  await writeFile(join(dir, 'key.pem'), 'k');
  const options = run([
    '--port', '9000', '--host=127.0.0.1', '--link', 'serial:/dev/rfcomm0@9600', '--codec=rc-app',
    '--ws-port', '9876', '--watchdog-ms', '750', '--max-hold-ms', '1500', '--link-timeout-ms=250',
    '--max-clients-per-address', '4', '--token=abc', '--tls-cert', join(dir, 'cert.pem'),
    '--tls-key', join(dir, 'key.pem'), '--allow-origin', 'https://car.example.com,http://10.0.0.5:8080',
    '--allow-origin=HTTPS://Other.example:443', '--static-dir', dir,
  ]);
  assert.deepEqual(options, {
    port: 9000, host: '127.0.0.1', link: 'serial:/dev/rfcomm0@9600', codec: 'rc-app', wsPort: 9876,
    watchdogMs: 750, maxHoldMs: 1500, linkTimeoutMs: 250, maxClientsPerAddress: 4, token: 'abc', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem'),
    allowOrigins: ['https://car.example.com', 'http://10.0.0.5:8080', 'https://other.example'], staticDir: dir,
  });
});

test('the token comes from the environment; --token wins', () => {
  assert.equal(run([], { [TOKEN_ENV]: 'from-env' }).token, 'from-env');
  assert.equal(run(['--token', 'flag'], { [TOKEN_ENV]: 'from-env' }).token, 'flag');
  assert.equal(run([], { [TOKEN_ENV]: '' }).token, undefined);
});

test('help and list-devices', () => {
  assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
  assert.deepEqual(parseArgs(['--port', '1', '-h']), { kind: 'help' });
  assert.deepEqual(parseArgs(['--list-devices']), { kind: 'list-devices' });
  for (const flag of ['--port', '--host', '--link', '--codec', '--ws-port', '--watchdog-ms', '--max-hold-ms',
    '--link-timeout-ms', '--max-clients-per-address', '--token', '--tls-cert', '--tls-key', '--allow-origin', '--static-dir', '--list-devices', '--help']) {
    assert.ok(USAGE.includes(flag), flag);
  }
});

test('each bad flag or value is a UsageError that names it', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /--bogus/],
    [['stray'], /argument 1 is not an option \(options start with --\)/],
    [['-p', '80'], /-p/],
    [['--port'], /--port.*value/],
    [['--port', 'eighty'], /--port/],
    [['--port', '-1'], /--port/],
    [['--port', '65536'], /--port/],
    [['--port', '80.5'], /--port/],
    [['--port', '1', '--port', '2'], /more than once/],
    [['--ws-port', '0'], /--ws-port/],
    [['--ws-port', '8000'], /same as --port/],
    [['--host', 'a b'], /--host/],
    [['--host', ''], /--host/],
    [['--link', 'bluetooth'], /--link/],
    [['--link', 'tcp:host'], /--link/],
    [['--link', 'serial:'], /--link/],
    [['--codec', 'lego'], /--codec/],
    [['--watchdog-ms', '0'], /--watchdog-ms/],
    [['--watchdog-ms', '1e3'], /--watchdog-ms/],
    [['--max-hold-ms', '99'], /--max-hold-ms: must be between 100 and 10000/],
    [['--max-hold-ms', '10001'], /--max-hold-ms/],
    [['--max-hold-ms', '2s'], /--max-hold-ms/],
    [['--link-timeout-ms', '99'], /--link-timeout-ms: must be between 100 and 60000/],
    [['--link-timeout-ms', '60001'], /--link-timeout-ms/],
    [['--max-clients-per-address', '0'], /--max-clients-per-address/],
    [['--max-clients-per-address', '-3'], /--max-clients-per-address/],
    [['--token='], /--token/],
    [['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], /--tls-cert/],
    [['--tls-cert', '/etc/hostname'], /go together/],
    [['--allow-origin', 'car.example.com'], /--allow-origin/],
    [['--allow-origin', 'https://car.example.com/path'], /--allow-origin/],
    [['--static-dir', '/nonexistent/dir'], /--static-dir/],
    [['--list-devices', '--bogus'], /--bogus/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message),
      argv.join(' '));
  }
});

test('the safety limits accept both ends of their ranges', () => {
  for (const [flag, key, low, high] of [
    ['--max-hold-ms', 'maxHoldMs', 100, 10_000],
    ['--link-timeout-ms', 'linkTimeoutMs', 100, 60_000],
    ['--max-clients-per-address', 'maxClientsPerAddress', 1, 1_000],
  ] as const) {
    assert.equal(run([flag, String(low)])[key], low, flag);
    assert.equal(run([flag, String(high)])[key], high, flag);
  }
});

test('several cars: --car NAME=LINK[,codec=C][,baud=N], repeatable, and --seed-car among them', () => {
  const options = run(['--car', 'red=serial:/dev/rfcomm0', '--car', 'blue=serial:/dev/ttyUSB0,codec=rc-app,baud=115200',
    '--car=green=tcp:10.0.0.7:2000', '--seed-car', 'blue']);
  assert.deepEqual(options.cars, [
    { name: 'red', link: 'serial:/dev/rfcomm0', codec: 'iracer' },
    { name: 'blue', link: 'serial:/dev/ttyUSB0@115200', codec: 'rc-app' },
    { name: 'green', link: 'tcp:10.0.0.7:2000', codec: 'iracer' },
  ]);
  assert.equal(options.seedCar, 'blue');
  const cases: Array<[string[], RegExp]> = [
    [['--car', 'red'], /--car: must be NAME=LINK/],
    [['--car', 'a b=sim'], /--car: a car name must be 1-32 letters, digits, '-' or '_': it has " " in it/],
    [['--car', 'red=sim,speed=3'], /--car: 'speed=3' is not codec=NAME or baud=N/],
    [['--car', 'red=sim,baud=9600'], /baud is for serial links only/],
    [['--car', 'red=serial:/dev/x@9600,baud=9600'], /baud rate is given twice/],
    [['--car', 'red=serial:/dev/x,codec=lego'], /--car: must be one of iracer, rc-app/],
    [['--car', 'red=sim', '--link', 'sim'], /leave out --link and --codec/],
    [['--car', 'red=sim', '--seed-car', 'blue'], /--seed-car 'blue' is not one of the cars \(red\)/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
  }
});

test('--config FILE: every option by its flag name, cars as objects; flags win; a bad file names the field', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'webracer.json');
  await writeFile(file, JSON.stringify({
    port: 9100, 'max-hold-ms': 1500, 'allow-origin': ['https://car.example.com'],
    cars: [{ name: 'red', link: 'serial:/dev/rfcomm0' }, { name: 'blue', link: 'serial:/dev/rfcomm1', codec: 'rc-app', baud: 19200 }],
  }));
  const options = run(['--config', file, '--port', '9200', '--allow-origin', 'https://other.example']);
  assert.equal(options.port, 9200, 'a flag wins over the file');
  assert.equal(options.maxHoldMs, 1500);
  assert.deepEqual(options.allowOrigins, ['https://other.example'], 'a repeated flag replaces the file\'s list');
  assert.deepEqual(options.cars, [
    { name: 'red', link: 'serial:/dev/rfcomm0', codec: 'iracer' },
    { name: 'blue', link: 'serial:/dev/rfcomm1@19200', codec: 'rc-app' },
  ]);
  const bad = async (json: unknown, pattern: RegExp) => {
    await writeFile(file, typeof json === 'string' ? json : JSON.stringify(json));
    assert.throws(() => parseArgs(['--config', file]),
      (err: unknown) => err instanceof UsageError && err.message.startsWith(`--config ${file}: `) && pattern.test(err.message),
      JSON.stringify(json));
  };
  await bad('{"port": 80', /JSON/);
  await bad([], /the file must be object/);
  await bad({ prot: 80 }, /unknown field "prot"/);
  await bad({ port: '80' }, /"port" must be integer/);
  await bad({ 'max-hold-ms': 50 }, /"max-hold-ms": must be between 100 and 10000, got 50/);
  await bad({ cars: [{ name: 'red', link: 'sim' }, { name: 'blue', link: 'sim', codec: 'lego' }] }, /"cars.1.codec" must be one of iracer, rc-app/);
  await bad({ cars: [{ name: 'red' }] }, /"cars.0" needs a field "link"/);
  await bad({ cars: [{ name: 'red', link: 'bluetooth:x' }] }, /"cars\[0\]": 'bluetooth:' is not a kind of link/);
  assert.throws(() => parseArgs(['--config', join(dir, 'missing.json')]), /no such file/);
});
