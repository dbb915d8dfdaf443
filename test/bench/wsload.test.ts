// The load generator must make a wrong server fail the benchmark: wsload's -V check, through runWsload.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { buildWsload, field, runWsload } from '../../bench/wsload.js';

function echoServer(corrupt: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer, isBinary) => {
      const reply = Buffer.from(data);
      if (corrupt) reply[0] ^= 0x01; // same length and opcode: only a content check sees it
      ws.send(reply, { binary: isBinary });
    });
  });
  return new Promise((resolve) =>
    wss.on('listening', () =>
      resolve({
        url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => done());
        }),
      }),
    ),
  );
}

test('wsload builds out of tree and measures a correct echo server', { timeout: 120_000 }, async (t) => {
  const wsload = buildWsload();
  const server = await echoServer(false);
  t.after(() => server.close());
  const r = await runWsload(wsload, ['echo', server.url, '-c', '2', '-k', '2', '-s', '64', '-t', '-V', '-d', '0.3', '-w', '0'], { pin: [] });
  assert.equal(r.mode, 'echo');
  assert.equal(field(r, 'errors'), 0);
  assert.ok(field(r, 'msgs') > 0);
});

test('a server that corrupts replies makes the run fail', { timeout: 120_000 }, async (t) => {
  const wsload = buildWsload();
  const server = await echoServer(true);
  t.after(() => server.close());
  await assert.rejects(
    runWsload(wsload, ['echo', server.url, '-c', '2', '-k', '2', '-s', '64', '-t', '-V', '-d', '0.3', '-w', '0'], { pin: [] }),
    /failed \(errors seen\)/,
  );
});
