// End to end through a real pseudo-terminal pair: Driver -> serial link -> socat -> device emulator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createCodec, Driver, type LinkState } from '../../src/vehicle/index.js';
import { startEmulator, type Emulator } from '../../src/vehicle/emulator.js';
import { createSerialLink } from '../../src/vehicle/links/serial.js';
import { startPtyPair } from '../support/socat.js';
import { waitForLinkState } from '../support/link-state.js';

const WAIT_MS = 15_000; // generous: the machine is shared

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'webracer-pty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function emulatorOn(t: TestContext, p: string, codec: 'iracer' | 'rc-app' = 'iracer'): Emulator {
  const emu = startEmulator(p, { codec });
  t.after(() => emu.close());
  return emu;
}

describe('serial round trip (socat pty pair + emulator)', { timeout: 60_000 }, () => {
  it('delivers the exact bytes of a scripted drive, including the watchdog stop and the stop on close', async (t) => {
    const pair = await startPtyPair(tempDir(t));
    t.after(() => pair.stop());
    const emu = emulatorOn(t, pair.b);
    await emu.opened;
    const link = createSerialLink({ kind: 'serial', path: pair.a, baudRate: 9600 });
    const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: 200 });
    t.after(() => driver.close());
    await driver.start();
    await waitForLinkState(link, 'connected');
    await emu.waitForBytes(1, WAIT_MS); // the stop sent on connect

    driver.drive({ kind: 'command', name: 'forward', durationMs: 100 });
    await emu.waitForBytes(3, WAIT_MS); // 0x16, then the stop after 100 ms
    driver.drive({ kind: 'analog', x: 0.7, y: 0.7 });
    driver.drive({ kind: 'analog', x: 0.7, y: 0.7 }); // unchanged: not re-sent
    driver.drive({ kind: 'analog', x: 0, y: -0.5 });
    await emu.waitForBytes(6, WAIT_MS); // ... and nobody refreshes it: the watchdog stops the car
    assert.deepEqual(emu.motion, { direction: 'stop', speed: 0 });
    driver.drive({ kind: 'command', name: 'left', speed: 3 });
    driver.drive({ kind: 'raw', byte: 0x85 });
    await emu.waitForBytes(8, WAIT_MS);
    assert.deepEqual(emu.motion, { direction: 'backward-right', speed: 5 });
    await driver.close();
    const bytes = await emu.waitForBytes(9, WAIT_MS);
    assert.deepEqual(bytes, [0x00, 0x16, 0x00, 0x6f, 0x27, 0x00, 0x53, 0x85, 0x00]);
    assert.deepEqual(emu.motion, { direction: 'stop', speed: 0 });
  });

  it('carries the rc-app characters too', async (t) => {
    const pair = await startPtyPair(tempDir(t));
    t.after(() => pair.stop());
    const emu = emulatorOn(t, pair.b, 'rc-app');
    await emu.opened;
    const link = createSerialLink({ kind: 'serial', path: pair.a, baudRate: 9600 });
    const driver = new Driver({ link, codec: createCodec('rc-app'), watchdogMs: 200 });
    t.after(() => driver.close());
    await driver.start();
    await waitForLinkState(link, 'connected');
    driver.drive({ kind: 'analog', x: -1, y: -1 });
    await emu.waitForBytes(3, WAIT_MS);
    assert.deepEqual(emu.motion, { direction: 'backward-left', speed: 15 });
    await driver.close();
    assert.equal(String.fromCharCode(...(await emu.waitForBytes(4, WAIT_MS))), 'SqHS');
  });

  it('survives the device vanishing and coming back: no crash, reconnects, no stale command', async (t) => {
    const dir = tempDir(t);
    let pair = await startPtyPair(dir);
    t.after(() => pair.stop());
    const first = emulatorOn(t, pair.b);
    await first.opened;
    const link = createSerialLink({ kind: 'serial', path: pair.a, baudRate: 9600 }, { initialDelayMs: 50, maxDelayMs: 400 });
    const states: LinkState[] = [];
    link.on('state', (s: LinkState) => states.push(s));
    const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: 5_000 });
    t.after(() => driver.close());
    const dropped: unknown[] = [];
    driver.on('dropped', (d) => dropped.push(d));
    await driver.start();
    await waitForLinkState(link, 'connected');
    driver.drive({ kind: 'command', name: 'forward', durationMs: 5_000 });
    await first.waitForBytes(2, WAIT_MS);

    await pair.stop(); // the car's Bluetooth link goes away
    await waitForLinkState(link, 'reconnecting');
    assert.deepEqual(driver.drive({ kind: 'command', name: 'backward', durationMs: 5_000 }), { ok: false, reason: 'link_down' });
    assert.equal(dropped.length, 1);

    pair = await startPtyPair(dir); // ... and comes back (new /dev/pts numbers behind the same names)
    const second = emulatorOn(t, pair.b);
    await second.opened;
    await waitForLinkState(link, 'connected');
    await second.waitForBytes(1, WAIT_MS);
    driver.drive({ kind: 'command', name: 'right' });
    const bytes = await second.waitForBytes(2, WAIT_MS);
    // Only the resynchronising stop, then the new command: neither the dropped 'backward' nor the old
    // 'forward' is replayed.
    assert.deepEqual(bytes, [0x00, 0x67]);
    assert.deepEqual(states.slice(0, 4), ['connecting', 'connected', 'reconnecting', 'connected']);
  });
});
