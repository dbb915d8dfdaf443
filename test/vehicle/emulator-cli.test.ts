// `npm run emulator -- PATH`: the command users without a car run, on one end of a socat pty pair.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { startPtyPair } from '../support/socat.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/vehicle/emulator-main.ts');

function run(args: string[]) {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  proc.stderr.on('data', (d: Buffer) => (out += d));
  const until = (re: RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} in output:\n${out}`)), timeoutMs);
      const check = (): void => {
        if (!re.test(out)) return;
        clearTimeout(timer);
        resolve();
      };
      proc.stdout.on('data', check);
      proc.stderr.on('data', check);
      check();
    });
  return { proc, until, output: () => out };
}

describe('emulator CLI', { timeout: 60_000 }, () => {
  it('prints every byte it receives, decoded', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'webracer-emu-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pair = await startPtyPair(dir);
    t.after(() => pair.stop());
    const cli = run([pair.b]);
    t.after(() => {
      if (cli.proc.exitCode === null && cli.proc.signalCode === null) cli.proc.kill('SIGKILL');
    });
    await cli.until(/emulating an iracer car on .* at 9600 8N1/);
    const port = new SerialPort({ path: pair.a, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    t.after(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
    port.write(Buffer.from([0x16, 0x5b, 0xa0, 0x00]));
    await cli.until(/0x00  stop/);
    const lines = cli.output().split('\n').filter((l) => /\s0x[0-9a-f]{2}/.test(l)).map((l) => l.replace(/^\S+\s+/, ''));
    assert.deepEqual(lines, ['0x16  forward speed 6', "0x5b '['  forward-left speed 11", '0xa0  no effect', '0x00  stop']);
    const exited = once(cli.proc, 'exit');
    cli.proc.kill('SIGINT');
    assert.deepEqual(await exited, [0, null]);
  });

  it('explains its usage on bad arguments', async () => {
    const cli = run(['--codec', 'morse', '/dev/null']);
    const [code] = await once(cli.proc, 'exit');
    assert.equal(code, 2);
    assert.match(cli.output(), /usage: npm run emulator -- PATH/);
  });
});
