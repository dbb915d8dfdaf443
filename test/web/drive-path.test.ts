// The page's drive path with fake time and a stand-in RTCPeerConnection: drive input rides the channel
// while the server's beats arrive and the WebSocket once they stop (and back when they return); stops and
// releases go both ways; the push right after a stop goes on the WebSocket behind it; every drive input
// carries a rising seq whichever way it goes.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DrivePath, QUIET_MS, type PathKind } from '../../web/drive-path.js';
import type { ClientMessage } from '../../web/messages.js';

/** The parts of a data channel and a peer connection the page touches, and nothing else. */
class FakeChannel {
  readyState = 'connecting';
  readonly sent: Array<Record<string, unknown>> = [];
  onmessage: (() => void) | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  send(text: string): void { this.sent.push(JSON.parse(text) as Record<string, unknown>); }
  close(): void { this.readyState = 'closed'; }
  open(): void { this.readyState = 'open'; this.onopen?.(); }
  beat(): void { this.onmessage?.(); }
}

class FakePeer {
  static last: FakePeer | null = null;
  iceGatheringState = 'complete';
  connectionState = 'new';
  localDescription = { type: 'answer', sdp: 'v=0' };
  ondatachannel: ((e: { channel: FakeChannel }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  onicecandidate: (() => void) | null = null;
  constructor() { FakePeer.last = this; }
  async setRemoteDescription(): Promise<void> {}
  async setLocalDescription(): Promise<void> {}
  addEventListener(): void {}
  removeEventListener(): void {}
  async getStats(): Promise<Map<string, unknown>> { return new Map(); }
  close(): void {}
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

  beforeEach(async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    (globalThis as Record<string, unknown>).RTCPeerConnection = FakePeer;
    now = 0;
    socket = [];
    shown = [];
    path = new DrivePath({
      socketSend: (m) => { socket.push(m as unknown as Record<string, unknown>); return true; },
      changed: (p) => shown.push(p),
      now: () => now,
    });
    path.start();
    assert.deepEqual(socket.shift(), { type: 'channel', open: true });
    path.signal({ type: 'channel', description: { type: 'offer', sdp: 'v=0' }, iceServers: [] });
    for (let i = 0; i < 10 && !FakePeer.last?.ondatachannel; i++) await Promise.resolve();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    channel = new FakeChannel();
    FakePeer.last!.ondatachannel!({ channel });
    channel.open();
    channel.beat();
  });

  afterEach(() => {
    path.reset();
    mock.timers.reset();
    delete (globalThis as Record<string, unknown>).RTCPeerConnection;
  });

  it('drive path: drives ride the channel while beats arrive, the WebSocket once they stop, and the channel again when they return', () => {
    assert.equal(path.path, 'direct');
    drive(0); // the first drive (nothing stopped since connecting: owed arming) goes on the WebSocket
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
    assert.deepEqual(socket.filter((m) => m.type === 'drive').map((m) => m.seq), [1, 4]);
    channel.beat();
    assert.equal(path.path, 'direct');
    drive(1);
    assert.deepEqual(channel.sent.map((m) => m.seq), [2, 3, 5], 'back on the channel, the count unbroken');
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

  it('drive path: a channel the server closes leaves input on the WebSocket', async () => {
    path.signal({ type: 'channel', closed: 'ended' });
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    await Promise.resolve();
    assert.equal(path.path, 'websocket');
    drive(0);
    drive(1);
    assert.equal(channel.sent.length, 0);
    assert.equal(socket.filter((m) => m.type === 'drive').length, 2);
  });
});
