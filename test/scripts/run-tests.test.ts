// scripts/run-tests.mjs, the runner behind `npm test`: a file that never ends (deaf to SIGTERM, with a child
// in a process group of its own) is killed at its limit with everything under it and reported by name with
// its output so far; a failing file fails the run; passing files pass it. Each run is bounded by the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli/process.js';

const RUNNER = join(ROOT, 'scripts', 'run-tests.mjs');
const FIXTURES = 'test/fixtures/run-tests';

interface Run { code: number | null; output: string; seconds: number }

function runRunner(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  // No timings file: the fixtures' order is the runner's default for unknown files.
  const child = spawn(process.execPath, [RUNNER, '--timings=/nonexistent/timings.json', ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 })));
}

/** Gone, or a zombie nobody has reaped yet (a container's init may not): either way it runs no more. */
function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The block a file's output was printed in: from its header to the next header or the summary. */
function blockOf(output: string, file: string): string {
  const start = output.indexOf(`━━ ${file}:`);
  assert.ok(start >= 0, `no block for ${file} in:\n${output}`);
  const end = output.indexOf('━━ ', start + 3);
  return output.slice(start, end < 0 ? undefined : end);
}

test('a file that never ends and ignores SIGTERM is killed at its limit, with its own child, and reported by name with its output', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webracer-test-hygiene-'));
  const pidFile = join(dir, 'child.pid');
  try {
    const limitS = 10;
    const run = await runRunner([`--limit=${limitS}`, `${FIXTURES}/never-ends.ts`], { NEVER_ENDS_PID_FILE: pidFile });
    assert.equal(run.code, 1, run.output);
    assert.ok(run.seconds >= limitS, `ended after ${run.seconds} s, before its limit`);
    assert.ok(run.seconds < limitS + 30, `ended ${run.seconds} s after it started: not at its limit`);
    const block = blockOf(run.output, `${FIXTURES}/never-ends.ts`);
    assert.match(block, /KILLED/);
    assert.match(block, /never-ends: blocking now/, 'its output so far');
    assert.match(block, new RegExp(`${FIXTURES}/never-ends.ts ran past its limit of ${limitS} s`));
    assert.match(run.output, new RegExp(`KILLED at its limit: ${FIXTURES}/never-ends.ts`));
    assert.match(run.output, /files: 0 passed, 1 failed \(of 1\)/);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(childPid > 0);
    assert.equal(isRunning(childPid), false, `its child ${childPid}, in a process group of its own, still runs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing file fails the run; each file\'s output is printed whole, under its name, and counted in the summary', { timeout: 120_000 }, async () => {
  const run = await runRunner(['--limit=120', `${FIXTURES}/passes.ts`, `${FIXTURES}/fails.ts`]);
  assert.equal(run.code, 1, run.output);
  const failing = blockOf(run.output, `${FIXTURES}/fails.ts`);
  assert.match(failing, /FAILED/);
  assert.match(failing, /is wrong on purpose/);
  assert.match(failing, /ℹ fail 1/);
  assert.match(blockOf(run.output, `${FIXTURES}/passes.ts`), /passed in/);
  assert.match(run.output, /files: 1 passed, 1 failed \(of 2\)/);
  assert.match(run.output, /tests: 2 passed, 1 failed/);
  assert.match(run.output, new RegExp(`FAILED: ${FIXTURES}/fails.ts`));
  assert.match(run.output, /slowest files:/);
});

test('passing files pass the run', { timeout: 120_000 }, async () => {
  const run = await runRunner(['--limit=120', `${FIXTURES}/passes.ts`, `${FIXTURES}/passes.ts`]);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /files: 2 passed, 0 failed \(of 2\)/);
});

test('a bad option is refused with a clear error', { timeout: 60_000 }, async () => {
  const run = await runRunner(['--jobs=none', `${FIXTURES}/passes.ts`]);
  assert.equal(run.code, 2);
  assert.match(run.output, /--jobs wants a positive number, not "none"/);
});
