// The page's connection with fake sockets and fake time: a server that accepts and then closes at once
// sees fewer and fewer attempts (the backoff starts afresh only after a connection stayed up), and a
// close that asks the client to stay away (1008, 1013) is waited out even when the page comes back into view.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { upgradeNameKey, upgradeResumeToken, upgradeToken } from '../../src/control/connection/auth.js';
import { Connection, STABLE_MS, offeredSubprotocols, socketUrl, type ConnectionState } from '../../web/connection.js';

/** Just what Connection uses of a browser WebSocket; the test opens and closes it as a server would. */
class FakeSocket {
  readyState = 0;
  bufferedAmount = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  readonly sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
    const message = JSON.parse(data) as { type: string; id?: number };
    // A live server answers every ping (unanswered ones would make the page reconnect).
    if (message.type === 'ping') this.onmessage?.({ data: JSON.stringify({ type: 'pong', id: message.id, serverTime: 0 }) });
  }
  close(): void { this.readyState = 3; }
  accept(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  serverCloses(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe('socketUrl', () => {
  it('is /ws on the page\'s host, wss: under https, and names the car of a /car/NAME page', () => {
    assert.equal(socketUrl({ protocol: 'http:', host: 'pi.local:8000', pathname: '/' }), 'ws://pi.local:8000/ws');
    assert.equal(socketUrl({ protocol: 'https:', host: 'car.example', pathname: '/index.html' }), 'wss://car.example/ws');
    assert.equal(socketUrl({ protocol: 'http:', host: 'h', pathname: '/car/red%20one/' }), 'ws://h/ws?car=red%20one');
    assert.equal(socketUrl({ protocol: 'http:', host: 'h', pathname: '/car/%E0%A4' }), 'ws://h/ws?car=%25E0%25A4', 'bad escapes go as they are');
  });

  it('comes to watch (role=watch) from a ?watch page, the lobby\'s Watch link', () => {
    assert.equal(socketUrl({ protocol: 'http:', host: 'h', pathname: '/car/blue', search: '?watch' }), 'ws://h/ws?car=blue&role=watch');
    assert.equal(socketUrl({ protocol: 'http:', host: 'h', pathname: '/', search: '?watch=1' }), 'ws://h/ws?role=watch');
    assert.equal(socketUrl({ protocol: 'http:', host: 'h', pathname: '/car/blue', search: '?watchful' }), 'ws://h/ws?car=blue');
  });
});

describe('offeredSubprotocols', () => {
  it('offers webracer, and a token as the server reads it back', () => {
    assert.deepEqual(offeredSubprotocols(null), ['webracer']);
    for (const token of ['open-sesame', 'ünïcödé + / = ?', 'x'.repeat(512)]) {
      const [plain, carrier] = offeredSubprotocols(token);
      assert.equal(plain, 'webracer');
      assert.match(carrier, /^webracer\.token\.[A-Za-z0-9_-]+$/, 'only characters a subprotocol may have');
      assert.equal(upgradeToken(`${plain}, ${carrier}`), token);
    }
  });

  it('offers a resume token beside them, as the server reads it back; never one that is no subprotocol', () => {
    const key = 'q6Xn0_kP-3aY9bZ1cD2eFg';
    assert.deepEqual(offeredSubprotocols(null, key), ['webracer', `webracer.resume.${key}`]);
    const offered = offeredSubprotocols('open-sesame', key);
    assert.equal(offered.length, 3);
    assert.equal(upgradeResumeToken(offered.join(', ')), key);
    assert.equal(upgradeToken(offered.join(', ')), 'open-sesame');
    assert.deepEqual(offeredSubprotocols(null, 'not a token, really'), ['webracer']);
    assert.deepEqual(offeredSubprotocols(null, null), ['webracer']);
  });

  it('offers a name key beside them, as the server reads it back; never one that is no subprotocol', () => {
    const nameKey = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
    const offered = offeredSubprotocols('open-sesame', 'q6Xn0_kP-3aY9bZ1cD2eFg', nameKey);
    assert.deepEqual(offered.slice(-1), [`webracer.name.${nameKey}`]);
    assert.equal(upgradeNameKey(offered.join(', ')), nameKey);
    assert.equal(upgradeResumeToken(offered.join(', ')), 'q6Xn0_kP-3aY9bZ1cD2eFg');
    assert.deepEqual(offeredSubprotocols(null, null, 'not a key, really'), ['webracer']);
  });
});

describe('Connection', () => {
  let sockets: FakeSocket[];
  let states: Array<{ state: ConnectionState; retryInMs?: number }>;
  let connection: Connection;
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 10) mock.timers.tick(10);
  };
  const latest = () => sockets[sockets.length - 1];
  const delays = () => states.filter((s) => s.retryInMs !== undefined).map((s) => s.retryInMs!);

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    sockets = [];
    states = [];
    connection = new Connection({
      url: 'ws://test/ws',
      random: () => 1, // the nominal delay, no jitter
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
    }, {
      state: (state, retryInMs) => states.push({ state, retryInMs }),
      message: () => {},
      latency: () => {},
    });
    connection.start();
  });
  afterEach(() => {
    connection.close();
    mock.timers.reset();
  });

  it('a server that accepts and closes at once is tried less and less often', () => {
    for (let elapsed = 0; elapsed < 60_000; elapsed += 10) {
      const socket = latest();
      if (socket.readyState === 0) {
        socket.accept();
        socket.serverCloses(1008);
      }
      mock.timers.tick(10);
    }
    assert.deepEqual(delays().slice(0, 6), [500, 1000, 2000, 4000, 8000, 15_000]);
    assert.ok(sockets.length <= 9, `${sockets.length} connections in a minute`);
  });

  it('starts the backoff afresh only after a connection stayed up for a while', () => {
    latest().accept();
    latest().serverCloses(1006);
    advance(500);
    latest().accept();
    advance(STABLE_MS - 100);
    latest().serverCloses(1006); // up, but not for long: the backoff goes on growing
    advance(1000);
    latest().accept();
    advance(STABLE_MS + 10);
    latest().serverCloses(1006); // up for long enough: a real connection
    assert.deepEqual(delays(), [500, 1000, 500]);
  });

  it('a 1008 or 1013 close is waited out even when the page comes back into view; others are not', () => {
    latest().accept();
    latest().serverCloses(1008);
    connection.retryNow();
    assert.equal(sockets.length, 1, 'the page coming back into view does not skip a 1008 backoff');
    advance(500);
    assert.equal(sockets.length, 2, 'the backoff itself retries');
    latest().serverCloses(1013);
    connection.retryNow();
    assert.equal(sockets.length, 2);
    advance(1000);
    latest().serverCloses(1006);
    connection.retryNow();
    assert.equal(sockets.length, 4, 'an ordinary drop is retried at once when the network comes back');
  });

  it('sends only while open, and pings at once', () => {
    assert.equal(connection.send({ type: 'stop' }), false, 'nothing is queued while connecting');
    latest().accept();
    assert.equal(connection.isOpen, true);
    assert.match(latest().sent[0], /"type":"ping"/);
    assert.equal(connection.send({ type: 'stop' }), true);
    assert.deepEqual(latest().sent.slice(1), ['{"type":"stop"}']);
  });
});
