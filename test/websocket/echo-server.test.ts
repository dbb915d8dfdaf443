/** The echo server as a child process: prints its URL, echoes text as text and binary as binary, stops on SIGTERM. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WS from 'ws';
import { test } from 'node:test';
import { startEcho, firstLine } from './echo-process.js';
import { connect, nextMessage } from './helpers.js';

test('echo server: prints ws://HOST:PORT, echoes messages with their type, exits on SIGTERM', async (t) => {
  const child = startEcho(t, ['--port', '0', '--host', '127.0.0.1']);
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
  const child = startEcho(t, ['--port', 'seventy']);
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.match(err, /--port must be 0\.\.65535/);
});

test('echo server --deflate: negotiates permessage-deflate and echoes compressed messages', async (t) => {
  const child = startEcho(t, ['--port', '0', '--deflate']);
  const url = await firstLine(child);
  let answered: string | undefined;
  const peer = new WS(url, { perMessageDeflate: { threshold: 0 } });
  t.after(() => peer.terminate());
  peer.once('upgrade', (res) => (answered = res.headers['sec-websocket-extensions']));
  await once(peer, 'open');
  assert.equal(answered, 'permessage-deflate');
  const text = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ i, cmd: 'forward' })));
  peer.send(text);
  assert.deepEqual(await nextMessage(peer), { data: Buffer.from(text), isBinary: false });
  const socket = (peer as unknown as { _socket: import('node:net').Socket })._socket;
  assert.ok(socket.bytesRead < text.length / 2, `the echo came back compressed (${socket.bytesRead} bytes read)`);
  // Without --deflate the same offer is declined.
  const plain = startEcho(t, ['--port', '0']);
  const other = new WS(await firstLine(plain), { perMessageDeflate: true });
  t.after(() => other.terminate());
  let none: string | undefined = 'unset';
  other.once('upgrade', (res) => (none = res.headers['sec-websocket-extensions']));
  await once(other, 'open');
  assert.equal(none, undefined);
});
