/** The echo server as a child process: prints its URL, echoes text as text and binary as binary, stops on SIGTERM. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect, nextMessage } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function startEcho(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/websocket/echo-server.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code} before printing its URL`)));
  });
}

test('echo server: prints ws://HOST:PORT, echoes messages with their type, exits on SIGTERM', async (t) => {
  const child = startEcho(['--port', '0', '--host', '127.0.0.1']);
  t.after(() => child.kill('SIGKILL'));
  const url = await firstLine(child);
  assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
  const peer = await connect(t, url);
  peer.send('text ✓');
  assert.deepEqual(await nextMessage(peer), { data: Buffer.from('text ✓'), isBinary: false });
  peer.send(Buffer.from([1, 2, 3]));
  assert.deepEqual(await nextMessage(peer), { data: Buffer.from([1, 2, 3]), isBinary: true });
  const big = Buffer.alloc(1 << 20, 0xab);
  peer.send(big);
  assert.ok((await nextMessage(peer)).data.equals(big));
  const closed = once(peer, 'close');
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  assert.equal((await closed)[0], 1001);
  assert.deepEqual(await exited, [0, null]);
});

test('echo server: a bad --port is a clear error', async (t) => {
  const child = startEcho(['--port', 'seventy']);
  t.after(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.match(err, /--port must be 0\.\.65535/);
});
