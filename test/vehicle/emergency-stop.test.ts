// Driver.emergencyStop() in a process that exits right after it: the last byte the car gets is the stop,
// over TCP and over a serial port (socat pty pair + emulator), with and without a write still under way.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../src/vehicle/emulator.js';
import { startPtyPair } from '../support/socat.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'emergency-child.ts');
const WAIT_MS = 30_000;

/** Runs the child on `spec` until it drives, tells it to stop, and resolves with its exit code. */
async function stopInChild(t: TestContext, spec: string, mode: 'idle' | 'in-flight', hasForward: () => Promise<void>): Promise<number | null> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, spec, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never drove: ${out}`)), WAIT_MS);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('driving')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await hasForward();
  const exited = once(proc, 'exit');
  proc.stdin!.write('stop\n');
  const [code] = await exited;
  return code as number | null;
}

async function recorder(t: TestContext) {
  const received: number[] = [];
  let closed!: () => void;
  const peerClosed = new Promise<void>((r) => (closed = r));
  const server = net.createServer((s) => {
    s.on('data', (d) => received.push(...d));
    s.on('close', () => closed());
  });
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const until = async (n: number) => {
    const deadline = Date.now() + WAIT_MS;
    while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  return { spec: `tcp:127.0.0.1:${port}`, received, peerClosed, until };
}

describe('Driver.emergencyStop in a process on its way out', { timeout: 120_000 }, () => {
  for (const mode of ['idle', 'in-flight'] as const) {
    it(`tcp, ${mode}: the stop is in the kernel when it returns, so exiting at once leaves the car stopped`, async (t) => {
      const car = await recorder(t);
      const code = await stopInChild(t, car.spec, mode, () => car.until(2));
      assert.equal(code, 10, 'reported synchronous');
      await car.peerClosed;
      if (mode === 'idle') assert.deepEqual(car.received, [0x00, 0x16, 0x00]);
      // In flight, 0x57 is either under way (written before the stop) or still in the link's slot, waiting for
      // the bridge to acknowledge what came before it (tcp.ts), where the stop replaces it.
      else assert.ok(['0,22,87,0', '0,22,0'].includes(car.received.join()), `the car got [${car.received.join(', ')}]`);
    });
  }

  for (const mode of ['idle', 'in-flight'] as const) {
    it(`serial, ${mode}: the last byte the car gets is the stop`, async (t) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'webracer-pty-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const pair = await startPtyPair(dir);
      t.after(() => pair.stop());
      const emu = startEmulator(pair.b);
      t.after(() => emu.close());
      await emu.opened;
      const code = await stopInChild(t, `serial:${pair.a}`, mode, async () => void (await emu.waitForBytes(2, WAIT_MS)));
      // Idle: written straight to the descriptor before exit(). In flight: the port's own write may still
      // be on the thread pool, so the stop is also queued behind it, and the child waits for close().
      assert.equal(code, mode === 'idle' ? 10 : 11);
      const expected = mode === 'idle' ? 3 : 4;
      const bytes = await emu.waitForBytes(expected, WAIT_MS);
      await new Promise((r) => setTimeout(r, 100)); // anything still in the pty shows up now
      assert.equal(emu.bytes.at(-1), 0x00, `last byte of ${JSON.stringify(emu.bytes)}`);
      assert.deepEqual(bytes.slice(0, 2), [0x00, 0x16]);
    });
  }
});
