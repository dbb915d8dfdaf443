// The `webracer` command as a user runs it: a child process, its output and its exit code.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
  });
