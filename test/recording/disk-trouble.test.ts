// A disk that fills up or turns read-only in the middle of a session costs the recording, never the drive:
// one log line, and the car keeps obeying its driver. Real mechanisms, not a fake file system: a tiny
// tmpfs (ENOSPC), and the immutable attribute (chattr +i), which stops even root's writes through a file
// already open (EPERM). Both need root on Linux (and chattr a file system that has the attribute); the
// tests say so and skip elsewhere.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { ControlServer } from '../../src/control/server.js';
import { connect, wsUrl, type Client } from '../control/helpers.js';
import { recordingServer, tempDir } from './helpers.js';

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A tmpfs of `kib` KiB mounted on a fresh folder (unmounted after the test), or null when we may not. */
function tinyDisk(t: TestContext, kib: number): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'webracer-tmpfs-'));
  const mounted = tryRun('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
  t.after(() => {
    if (mounted) tryRun('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return mounted ? dir : null;
}

/** A folder whose files can be made immutable, or null. */
function immutableCapable(t: TestContext): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = tempDir(t);
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  if (!tryRun('chattr', ['+i', probe])) return null;
  tryRun('chattr', ['-i', probe]);
  return dir;
}

/** Drives for `ms`, alternating between two sticks: every message must change what the car does. */
async function keepsDriving(driver: Client, ms: number): Promise<number> {
  let changes = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const forward = driver.latestState().direction !== 'forward';
    driver.send({ type: 'drive', x: 0, y: forward ? 1 : -1 });
    await driver.state({ direction: forward ? 'forward' : 'backward' });
    changes++;
  }
  return changes;
}

/** The driver gives up the seat and a new client takes it: a new session (and a new file to make). */
async function nextDriver(t: TestContext, server: ControlServer, driver: Client): Promise<Client> {
  driver.send({ type: 'release' });
  await driver.state({ driver: null });
  const next = await connect(t, wsUrl(server));
  if (next.welcome.role !== 'driver') throw new Error('the new client did not get the free seat');
  next.arm(); // a new driver shows the stick at neutral first (docs/protocol.md "Arming")
  return next;
}

const troubleLines = (logs: string[]): string[] => logs.filter((l) => l.startsWith('recording: cannot write'));

describe('disk trouble while recording', () => {
  it('a full disk (a 64 KiB tmpfs): reported once, and the car keeps obeying', async (t) => {
    const dir = tinyDisk(t, 64);
    if (dir === null) return t.skip('needs root on Linux to mount a tmpfs');
    const { server, logs } = await recordingServer(t, { driveRatePerSecond: 10_000 }, { dir });
    const driver = await connect(t, wsUrl(server));
    driver.arm();
    // Each drive is three or four lines (message, demand, write, pose): 64 KiB is some hundreds of them.
    for (let round = 0; troubleLines(logs).length === 0 && round < 40; round++) await keepsDriving(driver, 100);
    assert.equal(troubleLines(logs).length, 1, logs.join('\n'));
    assert.match(troubleLines(logs)[0], /\(ENOSPC\); driving goes on, unrecorded/);
    assert.ok(await keepsDriving(driver, 300) > 5, 'the car still does what its driver says');
    // The next session cannot write either: no second report.
    assert.ok(await keepsDriving(await nextDriver(t, server, driver), 300) > 5);
    assert.equal(troubleLines(logs).length, 1, logs.join('\n'));
  });

  it('a recording made read-only mid-session (chattr +i, which stops root too): reported once, the car keeps obeying',
    async (t) => {
      const dir = immutableCapable(t);
      if (dir === null) return t.skip('needs root on Linux and a file system with the immutable attribute');
      const { server, logs } = await recordingServer(t, { driveRatePerSecond: 10_000 }, { dir });
      const driver = await connect(t, wsUrl(server));
      driver.arm();
      await keepsDriving(driver, 200);
      const [file] = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
      assert.ok(file, 'the session has its file');
      t.after(() => void tryRun('chattr', ['-i', join(dir, file), dir]));
      execFileSync('chattr', ['+i', join(dir, file), dir]);
      assert.ok(await keepsDriving(driver, 500) > 5, 'the car still does what its driver says');
      await new Promise((r) => setTimeout(r, 250)); // past the writer's gathering interval
      assert.equal(troubleLines(logs).length, 1, logs.join('\n'));
      assert.match(troubleLines(logs)[0], /\(EPERM\); driving goes on/);
      assert.ok(await keepsDriving(await nextDriver(t, server, driver), 300) > 5);
      assert.equal(troubleLines(logs).length, 1, 'a new session cannot make its file either, and says nothing more');
      tryRun('chattr', ['-i', join(dir, file), dir]);
      await server.close();
    });
});
