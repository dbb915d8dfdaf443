import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { childLimit, QUICK_CHILD_LIMIT_MS, runJsonChild } from '../../bench/child-json.js';

/** Whether a process with this pid is alive (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bench helpers run as children', () => {
  it('reads the JSON line a helper ends with', async () => {
    const r = await runJsonChild<{ ok: number }>([process.execPath, '-e', 'console.log("noise"); console.log(JSON.stringify({ ok: 7 }))'], 'echo', 10_000);
    assert.deepEqual(r, { ok: 7 });
  });

  it('a hung helper whose own child holds the output pipe is killed with its child at the limit, and the bench goes on', async () => {
    // The helper starts a grandchild that inherits stdout and sleeps, prints its pid, then hangs: killing
    // only the helper would leave the pipe open and the bench waiting on it for ever.
    const helper = `const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] });
      console.error('grandchild ' + g.pid);
      setInterval(() => {}, 1000);`;
    const err = await runJsonChild([process.execPath, '-e', helper], 'hung helper', 1500).then(() => null, (e: Error) => e);
    assert.ok(err, 'a helper killed at its limit fails');
    assert.match(err.message, /hung helper failed .*killed after 1500 ms/s);
    const pid = Number(/grandchild (\d+)/.exec(err.message)?.[1]);
    assert.ok(pid > 0, `the helper said its grandchild's pid: ${err.message}`);
    // SIGKILL to a group is delivered before kill() returns; the zombie is reaped by init shortly after.
    for (let i = 0; i < 50 && alive(pid) && !/Z/.test(stateOf(pid)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(!alive(pid) || /Z/.test(stateOf(pid)), `grandchild ${pid} still running`);
  });

  it('a quick run bounds every helper at five minutes, a full run keeps its own bound', () => {
    assert.equal(childLimit(true, 30 * 60_000), QUICK_CHILD_LIMIT_MS);
    assert.equal(childLimit(true, 60_000), 60_000);
    assert.equal(childLimit(false, 30 * 60_000), 30 * 60_000);
  });
});

function stateOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}
