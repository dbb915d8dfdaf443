// The page's drive path with fake time and a stand-in channel: drive input rides the channel while the
// server's beats arrive and the WebSocket once they stop (and back when they return); stops and releases
// go both ways; the push right after a stop goes on the WebSocket behind it; every drive input carries a
// rising seq whichever way it goes.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { COPY_AFTER_MS, COPY_LATE_MS, copiesWithin, DrivePath, QUIET_MS, RATE_HEADROOM, type PathKind } from '../../web/drive-path.js';
import type { ClientMessage } from '../../web/messages.js';
import { TokenBucket } from '../../src/control/connection/rate-limit.js';

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
      copyAfterMs: 0, // the paths alone; copies are the next describe's
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

describe('DrivePath copies', () => {
  let now = 0;
  let socket: Array<Record<string, unknown>>;
  let path: DrivePath;
  let channel: FakeChannel;
  /** Time passes a millisecond at a time; the server beats every 100 ms unless told not to. */
  const advance = (ms: number, beats = true) => {
    for (let i = 0; i < ms; i++) {
      now += 1;
      if (beats && now % 100 === 0) path.beat();
      mock.timers.tick(1);
    }
  };
  const drive = (y: number) => path.send({ type: 'drive', x: 0, y } as ClientMessage, true);
  const onChannel = () => channel.sent.map((m) => [m.type, m.y, m.seq]);

  beforeEach(() => {
    mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    now = 0;
    socket = [];
    path = new DrivePath({ socketSend: (m) => { socket.push(m as unknown as Record<string, unknown>); return true; }, changed: () => {}, now: () => now });
    path.fitRate(60);
    channel = new FakeChannel();
    path.use(channel);
    path.beat();
    drive(0); // the push owed after connecting goes on the WebSocket
  });

  afterEach(() => {
    path.reset();
    mock.timers.reset();
  });

  it('drive path: a new position on the channel goes again COPY_AFTER_MS later with a new seq, a refresh of the same position does not', () => {
    drive(0.5);
    advance(COPY_AFTER_MS - 1);
    assert.deepEqual(onChannel(), [['drive', 0.5, 2]]);
    advance(1);
    assert.deepEqual(onChannel(), [['drive', 0.5, 2], ['drive', 0.5, 3]], 'the copy, newer than the original');
    advance(50);
    drive(0.5); // the loop's refresh: the same position
    advance(50);
    assert.deepEqual(onChannel().map((m) => m[2]), [2, 3, 4], 'a refresh is not copied');
    assert.deepEqual(socket.map((m) => m.seq), [1], 'nothing more on the WebSocket');
  });

  it('drive path: a stop, a newer position or the channel going quiet cancels a copy not yet sent', () => {
    drive(0.5);
    path.send({ type: 'stop' });
    advance(COPY_AFTER_MS * 3);
    assert.deepEqual(onChannel(), [['drive', 0.5, 2], ['stop', undefined, 3]], 'no drive after the stop');
    drive(0.6); // the push after a stop: on the WebSocket, never copied on the channel
    advance(COPY_AFTER_MS * 3);
    drive(0.7);
    advance(5);
    drive(0.8);
    advance(COPY_AFTER_MS * 3);
    assert.deepEqual(onChannel().slice(2).map((m) => m[1]), [0.7, 0.8, 0.8], 'only the newest position went again');
    drive(0.9);
    path.use(null);
    advance(COPY_AFTER_MS * 3);
    assert.equal(onChannel().at(-1)![1], 0.9, 'no copy once the channel is gone');
    assert.ok(!socket.some((m) => m.type === 'drive' && m.y === 0.9 && m !== socket.at(-1)), 'and none on the WebSocket');
  });

  it('drive path: the server\'s own rate bucket (its default 60 a second, burst 60) takes every drive and copy of 20 s at 33 new positions a second', () => {
    const bucket = new TokenBucket(60, 60, () => now);
    let refused = 0;
    channel.send = (text) => { if (!bucket.take()) refused += 1; channel.sent.push(JSON.parse(text) as Record<string, unknown>); };
    for (let i = 0; i < 20_000 / 30; i++) {
      drive(i % 2 === 0 ? 0.5 : 0.6);
      advance(30);
    }
    assert.ok(channel.sent.length > 20_000 / 30 + 300, `copies went (${channel.sent.length} messages)`);
    assert.equal(refused, 0);
  });

  it('drive path: at the bench\'s 20 moves a second every new position is copied', () => {
    for (let i = 0; i < 100; i++) {
      drive(i % 2 === 0 ? 0.5 : 0.6);
      advance(50);
    }
    assert.equal(channel.sent.length, 200);
  });

  it('drive path: a copy whose timer runs late (the page stalled) is not sent', () => {
    drive(0.5);
    now += COPY_AFTER_MS + COPY_LATE_MS + 1; // the page's clock moved on while its timers did not run
    mock.timers.tick(COPY_AFTER_MS);
    assert.deepEqual(onChannel(), [['drive', 0.5, 2]]);
  });

  it('drive path: with copies, drive input stays RATE_HEADROOM under the server\'s rate in every second, however fast the stick moves', () => {
    assert.equal(copiesWithin(40), 0, 'at the least rate a server may be given (--drive-rate 40), no copies');
    const sentAt: number[] = [];
    const send = channel.send.bind(channel);
    channel.send = (text) => { sentAt.push(now); send(text); };
    for (let i = 0; i < 200; i++) { // 30 ms apart (the loop's least gap, web/drive.ts): 33 a second
      drive(i % 2 === 0 ? 0.5 : 0.6);
      advance(30);
    }
    const copies = channel.sent.length - 200;
    assert.ok(copies >= 100, `copies still go, about 20 a second beside 33 drives (${copies} in 6 s)`);
    for (const t of sentAt) {
      const inSecond = sentAt.filter((s) => s > t - 1000 && s <= t).length;
      assert.ok(inSecond <= 60 - RATE_HEADROOM, `${inSecond} drive messages in the second to ${t}`);
    }
  });
});
