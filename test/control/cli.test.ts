// The `webracer` command as a user runs it: a child process, its output and its exit code.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exposureWarning, isLoopback } from '../../src/cli/exposure.js';
import { open, WAIT_MS } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'src/cli/main.ts';

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

function cli(t: TestContext, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  return { child, out, done };
}

test('a bad flag prints the usage to stderr and exits 2', { timeout: 60_000 }, async (t) => {
  for (const args of [['--bogus'], ['--port', 'x'], ['--link', 'bluetooth:car'], ['--codec']]) {
    const run = await cli(t, args).done;
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, /^webracer: .+\n\nUsage: webracer/, args.join(' '));
    assert.equal(run.stdout, '');
  }
});

test('--help prints the usage and exits 0', { timeout: 60_000 }, async (t) => {
  const run = await cli(t, ['--help']).done;
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^Usage: webracer/);
  assert.match(run.stdout, /--ws-port/);
  assert.match(run.stdout, /--max-hold-ms/);
});

test('starts, prints the URL, and on SIGTERM stops the car, closes clients with 1001, exits 0', { timeout: 60_000 },
  async (t) => {
    const token = 'never-print-me-7';
    const { child, out, done } = cli(t, ['--port', '0', '--host', '127.0.0.1'], { WEBRACER_TOKEN: token });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out.stdout} ${out.stderr}`)), WAIT_MS);
      child.stdout.on('data', () => {
        const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out.stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      child.on('exit', () => reject(new Error(`exited early: ${out.stderr}`)));
    });
    const page = await fetch(url);
    await page.text();
    assert.ok([200, 404].includes(page.status)); // 404 only when the page is not built yet

    const client = await open(t, `${url.replace('http', 'ws')}ws`);
    await client.next((m) => m.type === 'welcome', 'welcome');
    client.send({ type: 'auth', token });
    await client.expect('role', (m) => m.role === 'driver');
    client.sendText('{"duration":10,"command":"up"}');
    await client.state({ byte: 0x16 });

    const mark = client.mark();
    child.kill('SIGTERM');
    const closed = await client.closed;
    assert.equal(closed.code, 1001);
    const stop = client.inbox.slice(mark).find((m) => m.type === 'state' && m.byte === 0);
    assert.ok(stop, 'the car was stopped before the clients were closed');
    const run = await done;
    assert.equal(run.code, 0);
    assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), 'the token is never printed');
    assert.doesNotMatch(run.stderr, /warning/, 'loopback with a token: nothing to warn about');
  });

/** Starts the CLI, waits for its URL, stops it with SIGTERM; resolves with what it printed. */
async function startAndStop(t: TestContext, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { child, out, done } = cli(t, ['--port', '0', ...args], { WEBRACER_TOKEN: '', ...env });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out.stdout} ${out.stderr}`)), WAIT_MS);
    child.stdout.on('data', () => {
      if (!/Press Ctrl\+C/.test(out.stdout)) return;
      clearTimeout(timer);
      resolve();
    });
  });
  child.kill('SIGTERM');
  return done;
}

test('listening beyond loopback without a token prints one warning line that says how to set a token',
  { timeout: 60_000 }, async (t) => {
    const exposed = await startAndStop(t, ['--host', '0.0.0.0']);
    const warnings = exposed.stderr.split('\n').filter((line) => /warning/.test(line));
    assert.equal(warnings.length, 1, exposed.stderr);
    assert.match(warnings[0], /anyone on the network can drive/);
    assert.match(warnings[0], /WEBRACER_TOKEN=/);
    assert.equal(exposed.code, 0);

    const withToken = await startAndStop(t, ['--host', '0.0.0.0'], { WEBRACER_TOKEN: 'a-token-1' });
    assert.doesNotMatch(withToken.stderr, /warning/);
    const loopback = await startAndStop(t, ['--host', '127.0.0.1']);
    assert.doesNotMatch(loopback.stderr, /warning/);
  });

test('the warning: only beyond loopback, only without a token', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST.',
    'car.localhost']) {
    assert.equal(isLoopback(host), true, host);
    assert.equal(exposureWarning({ host }), null, host);
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.5', 'fe80::1', '::ffff:10.0.0.1', 'raspberrypi.local',
    'localhost.example.com', '128.0.0.1']) {
    assert.equal(isLoopback(host), false, host);
    assert.match(exposureWarning({ host }) ?? '', /anyone on the network can drive/, host);
    assert.equal(exposureWarning({ host, token: 't' }), null, `${host} with a token`);
  }
  assert.match(exposureWarning({ host: '0.0.0.0' }) ?? '', /every network interface/);
  assert.match(exposureWarning({ host: '192.168.1.20' }) ?? '', /listening on 192\.168\.1\.20/);
});
