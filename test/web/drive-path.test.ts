// The page's drive path with fake time and a stand-in channel: drive input rides the channel while the
// server's beats arrive and the WebSocket once they stop (and back when they return); stops and releases
// go both ways; the push right after a stop goes on the WebSocket behind it; every drive input carries a
// rising seq whichever way it goes.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DrivePath, QUIET_MS, type PathKind } from '../../web/drive-path.js';
import type { ClientMessage } from '../../web/messages.js';

class FakeChannel {
  readyState = 'open';
  readonly sent: Array<Record<string, unknown>> = [];
  send(text: string): void { this.sent.push(JSON.parse(text) as Record<string, unknown>); }
}

describe('DrivePath', () => {
  let now = 0;
  let socket: Array<Record<string, unknown>>;
  let shown: PathKind[];
  let path: DrivePath;
  let channel: FakeChannel;
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      now += 1;
      mock.timers.tick(1);
    }
  };
  const drive = (y: number) => path.send({ type: 'drive', x: 0, y } as ClientMessage, true);
  const socketDrives = () => socket.filter((m) => m.type === 'drive').map((m) => m.seq);

  beforeEach(() => {
    mock.timers.enable({ apis: ['setInterval'] });
    now = 0;
    socket = [];
    shown = [];
    path = new DrivePath({
      socketSend: (m) => { socket.push(m as unknown as Record<string, unknown>); return true; },
      changed: (p) => shown.push(p),
      now: () => now,
    });
    channel = new FakeChannel();
    path.use(channel);
    path.beat();
  });

  afterEach(() => {
    path.reset();
    mock.timers.reset();
  });

  it('drive path: drives ride the channel while beats arrive, the WebSocket once they stop, and the channel again when they return', () => {
    assert.equal(path.path, 'direct');
    drive(0); // the first drive since connecting (arming owed) goes on the WebSocket
    drive(1);
    assert.deepEqual(channel.sent.map((m) => m.seq), [2]);
    advance(QUIET_MS - 10);
    drive(1);
    assert.equal(channel.sent.length, 2, 'a beat late is not yet quiet');
    advance(20); // no beat for QUIET_MS
    assert.equal(path.path, 'websocket');
    advance(100); // the status bar looks every 100 ms
    assert.deepEqual(shown, ['direct', 'websocket']);
    drive(1);
    assert.equal(channel.sent.length, 2);
    assert.deepEqual(socketDrives(), [1, 4]);
    path.beat();
    assert.equal(path.path, 'direct');
    drive(1);
    assert.deepEqual(channel.sent.map((m) => m.seq), [2, 3, 5], 'back on the channel, the count unbroken');
    path.relay(true);
    assert.deepEqual(shown, ['direct', 'websocket', 'direct', 'relayed']);
  });

  it('drive path: a stop or release goes both ways with one seq, and the push right after a stop rides the WebSocket behind it', () => {
    drive(0);
    drive(1);
    path.send({ type: 'stop' });
    assert.deepEqual(channel.sent.at(-1), { type: 'stop', seq: 3 });
    assert.deepEqual(socket.at(-1), { type: 'stop', seq: 3 });
    drive(1);
    assert.deepEqual(socket.at(-1), { type: 'drive', x: 0, y: 1, seq: 4 }, 'the push after the stop');
    drive(1);
    assert.deepEqual(channel.sent.at(-1), { type: 'drive', x: 0, y: 1, seq: 5 });
    path.send({ type: 'release' });
    assert.deepEqual([channel.sent.at(-1), socket.at(-1)], [{ type: 'release', seq: 6 }, { type: 'release', seq: 6 }]);
    path.send({ type: 'claim' });
    assert.deepEqual(socket.at(-1), { type: 'claim' }, 'everything else on the WebSocket, without seq');
  });

  it('drive path: without a channel (never opened, or closed) everything goes on the WebSocket', () => {
    path.use(null);
    assert.equal(path.path, 'websocket');
    drive(0);
    drive(1);
    path.send({ type: 'stop' });
    assert.equal(channel.sent.length, 0);
    assert.deepEqual(socket.map((m) => [m.type, m.seq]), [['drive', 1], ['drive', 2], ['stop', 3]]);
  });

  it('drive path: a connection that never had a channel sends its messages as they always were, without seq', () => {
    const plain: Array<Record<string, unknown>> = [];
    const fresh = new DrivePath({ socketSend: (m) => { plain.push(m as unknown as Record<string, unknown>); return true; }, changed: () => {}, now: () => now });
    fresh.send({ type: 'drive', x: 0, y: 1 } as ClientMessage);
    fresh.send({ type: 'stop' });
    assert.deepEqual(plain, [{ type: 'drive', x: 0, y: 1 }, { type: 'stop' }]);
  });
});
