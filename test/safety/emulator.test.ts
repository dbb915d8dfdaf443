// The serial path end to end: `webracer --link serial:` on one end of a socat pty pair, the i-Racer
// emulator (`npm run emulator`) on the other, as a user without a car runs them. A signal while the stick
// is held must leave the emulated car holding 0x00, the serial port's close (drain) included.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startPtyPair } from '../support/socat.js';
import { startWebracer, ROOT } from './webracer-process.js';
import { DEADLINE_MS, driverClient, holdStick, SLACK_MS, within } from './scene.js';

/** The emulator's byte lines: `2026-...Z  0x1f  forward speed 15`. */
const BYTE_LINE = /^\S+\s+0x([0-9a-f]{2})\b/gm;

/** `npm run emulator -- PATH` as a child; `bytes()` is what it printed it received, in order. */
async function startEmulator(t: TestContext, path: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/vehicle/emulator-main.ts', path], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let output = '';
  const waiters: Array<() => void> = [];
  const onData = (d: string): void => {
    output += d;
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const bytes = (): number[] => [...output.matchAll(BYTE_LINE)].map((m) => parseInt(m[1], 16));
  const until = (ok: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => within(new Promise<void>((resolve) => {
    const check = (): void => (ok() ? resolve() : void waiters.push(check));
    check();
  }), `the emulator: ${what}; it printed:\n${output}`, timeoutMs);
  await until(() => /emulating an iracer car/.test(output), 'start');
  return { bytes, until };
}

describe('over a serial pty, with the i-Racer emulator', { concurrency: true, timeout: 90_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} while the stick is held: the emulated car's last byte is 0x00, the process exits 0 in time`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'webracer-safety-pty-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const pair = await startPtyPair(dir, 15_000);
      t.after(() => pair.stop());
      const car = await startEmulator(t, pair.b);
      const server = await startWebracer(['--link', `serial:${pair.a}`], { after: (cleanup) => t.after(cleanup) });
      await car.until(() => car.bytes().at(-1) === 0x00, 'the stop a link sends on connecting');
      const driver = await driverClient(t, server);
      holdStick(t, driver);
      await car.until(() => car.bytes().at(-1) === 0x1f, 'the stick held forward');

      const driving = car.bytes().length;
      const at = server.signal(signal);
      const exit = await within(server.exited, 'the process to exit');
      await car.until(() => car.bytes().length > driving && car.bytes().at(-1) === 0x00, `the stop after ${signal}`);
      assert.ok(exit.at - at <= DEADLINE_MS + SLACK_MS, `exited ${(exit.at - at).toFixed(0)} ms after ${signal}`);
      assert.deepEqual([exit.code, exit.signal], [0, null], server.output());
      assert.deepEqual(car.bytes().slice(driving), [0x00], 'one stop, and nothing after it');
    });
  }
});
