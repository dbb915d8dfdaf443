// The flags of video and TLS (--tls, --data-dir, --ice-server, --max-viewers): accepted forms, checks,
// and the default data directory on each system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError, USAGE } from '../../src/cli/args.js';
import { defaultDataDir } from '../../src/control/data-dir.js';
import { parseIceServer } from '../../src/control/video/ice-servers.js';

function run(argv: string[]) {
  const cmd = parseArgs(argv, {});
  assert.equal(cmd.kind, 'run');
  return (cmd as Extract<typeof cmd, { kind: 'run' }>).options;
}

test('--tls self-signed, --data-dir, --ice-server (repeatable), --max-viewers', () => {
  const options = run(['--tls', 'self-signed', '--data-dir', '/tmp/webracer-data', '--max-viewers', '2',
    '--ice-server', 'stun:stun.example.net:3478', '--ice-server=turns:car:s%40cret:x@turn.example.net:5349?transport=tcp']);
  assert.equal(options.tls, 'self-signed');
  assert.equal(options.dataDir, '/tmp/webracer-data');
  assert.equal(options.maxViewers, 2);
  assert.deepEqual(options.iceServers, [
    { urls: 'stun:stun.example.net:3478' },
    { urls: 'turns:turn.example.net:5349?transport=tcp', username: 'car', credential: 's@cret:x' },
  ]);
  for (const flag of ['--tls', '--data-dir', '--ice-server', '--max-viewers']) assert.ok(USAGE.includes(flag), flag);
});

test('ICE server URLs: the forms browsers take, and a clear reason for the rest', () => {
  assert.deepEqual(parseIceServer('stun:192.0.2.7'), { urls: 'stun:192.0.2.7' });
  assert.deepEqual(parseIceServer('STUN:[2001:db8::1]:3478'), { urls: 'stun:[2001:db8::1]:3478' });
  assert.deepEqual(parseIceServer('turn:u:p@turn.example.net'), { urls: 'turn:turn.example.net', username: 'u', credential: 'p' });
  assert.deepEqual(parseIceServer('turns:turn.example.net:5349?transport=TCP'), { urls: 'turns:turn.example.net:5349?transport=tcp' }, 'none: minted per page');
  const cases: Array<[string, RegExp]> = [
    ['http://turn.example.net', /must start with stun:, turn: or turns:/],
    ['turn:user@turn.example.net', /needs a user name and a password/],
    ['stun:u:p@stun.example.net', /takes no credentials/],
    ['stun:stun.example.net?transport=udp', /takes no/],
    ['turn:u:p@turn.example.net?transport=sctp', /transport=udp or \?transport=tcp/],
    ['turn:u:p@turn.example.net:99999', /port 99999/],
    ['stun:[not-ipv6]:1', /not HOST or HOST:PORT/],
    ['stun:a b', /not HOST or HOST:PORT/],
    ['turn:u:%zz@turn.example.net', /broken %-escape/],
  ];
  for (const [url, reason] of cases) assert.throws(() => parseIceServer(url), reason, url);
  assert.throws(() => parseIceServer('ftp:user:hunter2@x'), (err: Error) => !err.message.includes('hunter2'), 'a password is never echoed');
});

test('bad values and combinations are usage errors that name the flag', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'file');
  await writeFile(file, 'x');
  await writeFile(join(dir, 'cert.pem'), 'c');
  await writeFile(join(dir, 'key.pem'), 'k');
  const cases: Array<[string[], RegExp]> = [
    [['--tls', 'on'], /--tls: must be self-signed/],
    [['--tls', 'self-signed', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')], /leave out --tls-cert/],
    [['--data-dir', file], /--data-dir: .* is a file/],
    [['--max-viewers', '0'], /--max-viewers: must be between 1 and 32/],
    [['--ice-server', 'turn:u@x.example'], /--ice-server: a TURN server needs a user name and a password/],
    [['--ice-server', 'turn:x.example'], /turn:x\.example has no USER:PASS: give it them, or give --turn-secret/],
    [['--turn-secret', 's', '--ice-server', 'turn:u:p@x.example'], /--turn-secret mints credentials for a turn: or turns: server given without USER:PASS, and there is none/],
    [['--turn-secret', ''], /--turn-secret: needs a non-empty value/],
  ];
  for (const [argv, reason] of cases) assert.throws(() => parseArgs(argv, {}), (err: Error) => err instanceof UsageError && reason.test(err.message), argv.join(' '));
});

test('--config takes ice-server as a list, like the repeated flag', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify({ 'ice-server': ['stun:stun.example.net'], 'max-viewers': 3, tls: 'self-signed', 'data-dir': dir }));
  const options = run(['--config', path]);
  assert.deepEqual(options.iceServers, [{ urls: 'stun:stun.example.net' }]);
  assert.equal(options.maxViewers, 3);
  assert.equal(options.tls, 'self-signed');
  assert.deepEqual(run(['--config', path, '--ice-server', 'stun:other.example']).iceServers, [{ urls: 'stun:other.example' }], 'flags replace the list');
});

test('the default data directory follows each system\'s convention', () => {
  assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/a'), '/xdg/webracer');
  assert.equal(defaultDataDir({}, 'linux', '/home/a'), '/home/a/.config/webracer');
  assert.equal(defaultDataDir({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/a'), '/home/a/.config/webracer');
  assert.equal(defaultDataDir({}, 'darwin', '/Users/a'), '/Users/a/Library/Application Support/webracer');
  assert.equal(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'), 'C:\\Users\\a\\AppData\\Roaming\\webracer');
});

test('--turn-secret (or WEBRACER_TURN_SECRET) with a TURN server given without credentials', () => {
  const argv = ['--ice-server', 'stun:stun.example.net', '--ice-server', 'turn:turn.example.net:3478', '--ice-server', 'turns:u:p@relay.example.net'];
  assert.equal(run([...argv, '--turn-secret', 'shared']).turnSecret, 'shared');
  const fromEnv = parseArgs(argv, { WEBRACER_TURN_SECRET: 'from-env' });
  assert.ok(fromEnv.kind === 'run');
  assert.equal(fromEnv.options.turnSecret, 'from-env');
  assert.ok(USAGE.includes('--turn-secret'));
});
