import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'signal-child.ts');

describe('stopOnSignals', { timeout: 60_000 }, () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} leaves the car stopped: the last byte it receives is a stop`, async (t) => {
      const received: number[] = [];
      let peerClosed!: () => void;
      const closed = new Promise<void>((r) => (peerClosed = r));
      const server = net.createServer((s) => {
        s.on('data', (d) => received.push(...d));
        s.on('close', () => peerClosed());
      });
      t.after(() => new Promise<void>((r) => server.close(() => r())));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as net.AddressInfo).port;
      const proc = spawn(process.execPath, ['--import', 'tsx', child, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
      t.after(() => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child never drove: ${out}`)), 30_000);
        proc.stdout!.on('data', (d: Buffer) => {
          out += d;
          if (out.includes('driving')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const exited = once(proc, 'exit');
      proc.kill(signal);
      const [exitCode] = await exited;
      await closed;
      assert.equal(exitCode, code);
      assert.deepEqual(received, [0x00, 0x16, 0x00]);
    });
  }
});
