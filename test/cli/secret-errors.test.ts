// No error message echoes a credential (docs/security.md, configuration): every option that takes text,
// on the command line and in a config file, given hostile values that carry a password the way URLs do
// (turn:USER:PASS@HOST, https://USER:PASS@HOST, ...) and in the broken forms a hand-typed one takes.
// Whatever is refused, the refusal holds no four characters in a row of the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { OPTIONS } from '../../src/cli/flags.js';
import { parseServiceArgs } from '../../src/cli/service.js';
import { withoutUserinfo } from '../../src/control/redact.js';

/** Passwords as people have them: with characters URLs give a meaning to, and one like a host name. */
const SECRETS = ['Pw9?zQ@x7Kv', 'k3yZ.9-abcd', 'sEcr/3t#Lm:2'];

/**
 * Values that hold `s` where a password goes, well-formed and broken. A password with an '@' in it and no
 * host after it reads as USER@HOST (`turn:alice:pw@rd` names the host `rd`): no parser can tell, so those
 * forms are left out for such a password.
 */
function hostile(s: string): string[] {
  const withHost = [
    `turn:alice:${s}@turn.example.com`, `turn:alice:${s}@turn.example.com:99999`, `turn:alice:${s}@bad host`,
    `turn:alice:${s}@`, `turns://alice:${s}@turn.example.com`, `stun:alice:${s}@stun.example.com`,
    `turn:alice:${s}@turn.example.com?transport=sctp`, `turn:alice:%zz${s}@turn.example.com`, `turn::${s}@turn.example.com`,
    `turn:${s}@turn.example.com`, `https://alice:${s}@car.example.com`, `https://${s}@car.example.com/path`,
    `http://alice:${s}@[::1`, `tcp:alice:${s}@10.0.0.7:2000`, `tcp:alice:${s}@10.0.0.7`, `alice:${s}@car.example.com`,
    `red=tcp:alice:${s}@10.0.0.7:2000`, `red=turn:alice:${s}@h,codec=x`, `ftp://alice:${s}@files.example.com`,
  ];
  return s.includes('@') ? withHost : [...withHost, ...hostless(s)];
}

/**
 * A TURN URL that lost its host, and the bare password: a mistake made with the options that take URLs
 * or secrets, and the only ones where a value without an '@' can be a password.
 */
const hostless = (s: string) => [`turn:alice:${s}`, `turn:alice:${s}?transport=udp`, s];
const TAKES_URLS_OR_SECRETS = new Set(['ice-server', 'allow-origin', 'link', 'car', 'token', 'turn-secret']);

/** Whether a value is one to try on this option (see hostless). */
function worthTrying(option: string, value: string, secret: string): boolean {
  return TAKES_URLS_OR_SECRETS.has(option) || !hostless(secret).includes(value);
}

/** Every run of four characters of the secret. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(i, i + 4));
}

function refusalOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (err) {
    assert.ok(err instanceof UsageError || (err as Error).name === 'ValueError', `${(err as Error).stack}`);
    return (err as Error).message;
  }
}

function assertNoSecret(message: string | null, secret: string, what: string): void {
  if (message === null) return;
  for (const piece of pieces(secret)) assert.ok(!message.includes(piece), `${what}\n  refused with: ${message}\n  which holds '${piece}'`);
}

test('no refusal of any option quotes a password, from a flag or from a config file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-surface-checks-redact-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'webracer.json');
  const textOptions = OPTIONS.filter((o) => o.json === 'string' || o.json === 'car');
  assert.ok(textOptions.some((o) => o.name === 'ice-server') && textOptions.some((o) => o.name === 'turn-secret'));
  let refusals = 0;
  for (const secret of SECRETS) {
    for (const value of hostile(secret)) {
      for (const option of textOptions) {
        if (!worthTrying(option.name, value, secret)) continue;
        const fromFlag = refusalOf(() => parseArgs([`--${option.name}=${value}`], {}));
        assertNoSecret(fromFlag, secret, `--${option.name}=${value}`);
        const json = option.json === 'car' ? { cars: [{ name: 'red', link: value }] }
          : { [option.name]: option.repeatable ? [value] : value };
        await writeFile(file, JSON.stringify(json));
        const fromFile = refusalOf(() => parseArgs(['--config', file], {}));
        assertNoSecret(fromFile, secret, JSON.stringify(json));
        refusals += Number(fromFlag !== null) + Number(fromFile !== null);
      }
      assertNoSecret(refusalOf(() => parseArgs([value], {})), secret, `a stray argument ${value}`);
      assertNoSecret(refusalOf(() => parseArgs(['--token=', value], {})), secret, `--token= ${value} (a space too many)`);
      await writeFile(file, JSON.stringify({ cars: [{ name: value, link: 'sim' }] }));
      assertNoSecret(refusalOf(() => parseArgs(['--config', file], {})), secret, `a car named ${value}`);
      assertNoSecret(refusalOf(() => parseArgs([`--${value}`], {})), secret, `an unknown option --${value}`);
      assertNoSecret(refusalOf(() => parseArgs(['replay', 'f.jsonl', '--link', value], {})), secret, `replay --link ${value}`);
      assertNoSecret(refusalOf(() => parseServiceArgs(['--print', value], {})), secret, `service --print ${value}`);
    }
  }
  assert.ok(refusals > 500, `${refusals} refusals looked at`);
});

test('the secrets as a whole: a token or TURN secret that is refused is not quoted, nor is a non-text one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-surface-checks-redact-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'webracer.json');
  for (const name of ['token', 'turn-secret']) {
    const long = `Zq8${'x'.repeat(600)}`;
    assertNoSecret(refusalOf(() => parseArgs([`--${name}=${long}`, '--ice-server', 'turn:h'], {})), long.slice(0, 8), name);
    for (const [value, secret] of [[40123987, '40123987'], [{ key: 'Zq8xWv' }, 'Zq8xWv'], [['Zq8xWv'], 'Zq8xWv']] as const) {
      await writeFile(file, JSON.stringify({ [name]: value }));
      assertNoSecret(refusalOf(() => parseArgs(['--config', file], {})), secret, `${name}: ${JSON.stringify(value)}`);
    }
  }
});

test('the issue\'s case: a TURN password with a ? in it is taken whole, and a refused URL shows no userinfo', () => {
  const cmd = parseArgs(['--ice-server', 'turn:user:pa?ss@turn.example.com'], {});
  assert.equal(cmd.kind, 'run');
  assert.deepEqual((cmd as Extract<typeof cmd, { kind: 'run' }>).options.iceServers,
    [{ urls: 'turn:turn.example.com', username: 'user', credential: 'pa?ss' }]);
  assert.equal(withoutUserinfo('turn:user:pa?ss@host'), 'turn:***@host');
  assert.equal(withoutUserinfo('https://a:b@c@car.example.com/x'), 'https://***@car.example.com/x');
  assert.equal(withoutUserinfo('serial:/dev/ttyUSB0'), 'serial:/dev/ttyUSB0', 'nothing to hide');
  assert.throws(() => parseArgs(['--link', 'tcp:alice:pw@10.0.0.7:2000'], {}), /a tcp: link takes no user name or password/);
});
