// `webracer service --print`: the unit parses (systemd-analyze verify where the machine has it, else a
// check of our own), and its ExecStart, run as systemd would run it (its words, its working directory),
// starts the server from the unit's config file; SIGTERM stops it within the unit's TimeoutStopSec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quote } from '../../src/cli/service.js';
import { ROOT, run, start, WEBRACER } from './process.js';

type Unit = Map<string, Map<string, string[]>>;

/** Sections, keys and values (a key may repeat); comments and blank lines skipped. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || /^[#;]/.test(line)) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1], section);
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    assert.ok(section && pair, `line ${i + 1} is neither a section nor Key=value: ${line}`);
    section.set(pair[1], [...(section.get(pair[1]) ?? []), pair[2]]);
  }
  return unit;
}

/** ExecStart's words as systemd reads them: whitespace-separated, "double quotes", \\ escapes, %% and $$. */
function execWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) {
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
    words.push(raw.replaceAll('%%', '%').replaceAll('$$', '$'));
  }
  return words;
}

/** The keys our unit may use, per section: a typo in one is a failure, as systemd would only warn. */
const KNOWN_KEYS: Record<string, string[]> = {
  Unit: ['Description', 'After', 'Wants', 'Documentation'],
  Service: ['Type', 'User', 'SupplementaryGroups', 'WorkingDirectory', 'EnvironmentFile', 'ExecStart', 'KillSignal', 'KillMode',
    'TimeoutStopSec', 'SuccessExitStatus', 'Restart', 'RestartSec', 'RestartPreventExitStatus', 'NoNewPrivileges', 'PrivateTmp',
    'ProtectSystem'],
  Install: ['WantedBy'],
};

function ownCheck(unit: Unit): void {
  assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
  for (const [name, section] of unit) {
    for (const key of section.keys()) assert.ok(KNOWN_KEYS[name].includes(key), `[${name}] ${key}`);
  }
  const service = unit.get('Service')!;
  assert.match(service.get('TimeoutStopSec')![0], /^\d+$/);
  assert.match(service.get('RestartSec')![0], /^\d+$/);
  assert.ok(['on-failure'].includes(service.get('Restart')![0]));
  for (const flag of ['NoNewPrivileges', 'PrivateTmp']) assert.equal(service.get(flag)![0], 'yes');
}

function systemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

test('the printed unit parses, and its ExecStart runs the server from the config file; SIGTERM stops it in time',
  { timeout: 120_000 }, async (t) => {
    // A folder with a space and a % in its name: ExecStart's quoting must carry both through.
    const dir = join(mkdtempSync(join(tmpdir(), 'webracer-service-')), 'my car 100%');
    mkdirSync(dir, { recursive: true });
    t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ port: 0, host: '127.0.0.1', 'no-qr': true, 'log-format': 'json' }));

    const printed = await run(t, [...WEBRACER, 'service', '--print', '--config', config, '--user', 'pi']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stderr, '', 'a valid config file: no warning');
    const text = printed.stdout;
    const unit = parseUnit(text);
    const service = unit.get('Service')!;
    assert.equal(service.get('User')![0], 'pi');
    assert.equal(service.get('KillSignal')![0], 'SIGTERM');
    const stopSeconds = Number(service.get('TimeoutStopSec')![0]);
    assert.ok(stopSeconds > 2, 'systemd waits longer than the shutdown deadline (2 s) before SIGKILL');
    assert.equal(unit.get('Install')!.get('WantedBy')![0], 'multi-user.target');
    ownCheck(unit);

    if (systemdAnalyze()) {
      const unitFile = join(dir, '..', 'webracer.service');
      writeFileSync(unitFile, text);
      const verify = spawnSync('systemd-analyze', ['verify', '--man=no', unitFile], { encoding: 'utf8' });
      assert.equal(verify.status, 0, verify.stderr);
      // verify only warns about unknown keys and bad values: none may concern our unit.
      assert.ok(!/webracer\.service/.test(verify.stderr), verify.stderr);
    } else {
      t.diagnostic('systemd-analyze is not on this machine: only our own check of the unit ran');
    }

    const words = execWords(service.get('ExecStart')![0]);
    assert.equal(words.at(-1), config, 'the config path survives the quoting');
    accessSync(words[0], constants.X_OK);
    const server = start(t, words, { cwd: service.get('WorkingDirectory')![0] });
    const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal((await fetch(url)).status, 200);
    const signalledAt = performance.now();
    server.kill('SIGTERM');
    const exit = await server.exited;
    assert.ok(exit.code === 0, `exit ${exit.code}: ${exit.stderr}`);
    assert.ok(performance.now() - signalledAt < stopSeconds * 1000, 'stopped before systemd would kill it');
    assert.match(exit.stdout, /"event":"shutdown","message":"SIGTERM: car stopped/);
  });

test('a config file with a mistake: the unit is printed all the same, with a warning naming the field', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webracer-service-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ prot: 8000 }));
  const printed = await run(t, [...WEBRACER, 'service', '--print', '--config', config]);
  assert.equal(printed.code, 0);
  assert.match(printed.stdout, /^ExecStart=/m);
  assert.match(printed.stderr, /warning: .*config\.json: the file has an unknown field "prot"/);
});

test('ExecStart words: plain ones as they are, others quoted with systemd escapes', () => {
  assert.equal(quote('/usr/bin/node'), '/usr/bin/node');
  assert.equal(quote('/home/pi/my car/c.json'), '"/home/pi/my car/c.json"');
  assert.equal(quote('100%'), '100%%');
  assert.equal(quote('$HOME'), '"$$HOME"');
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  for (const word of ['/home/pi/my car/c.json', '100%', '$HOME', 'a"b\\c', 'tab\there']) {
    assert.deepEqual(execWords(quote(word)), [word], word);
  }
});

test('docs/raspberry-pi.md shows the unit as it is printed (the paths aside)', { timeout: 60_000 }, async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'raspberry-pi.md'), 'utf8');
  const shown = /```ini\n(\[Unit\]\nDescription=webracer[\s\S]*?)```/.exec(doc);
  assert.ok(shown, 'the doc shows the unit');
  const printed = await run(t, [...WEBRACER, 'service', '--print', '--user', 'pi']);
  const paths = new Set(['WorkingDirectory', 'ExecStart']);
  const strip = (unit: Unit) => [...unit].map(([name, section]) => [name, [...section].map(([k, v]) => [k, paths.has(k) ? '' : v])]);
  assert.deepEqual(strip(parseUnit(shown[1])), strip(parseUnit(printed.stdout)));
});
