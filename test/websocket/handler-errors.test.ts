// Exceptions thrown by application handlers stay with their connection: it is closed with 1011 (no
// detail sent), the server reports the error as 'listenerError', and every other connection goes on.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { WebSocket } from '../../src/websocket/index.js';
import { closed, connect, echoAll, nextMessage, startServer } from './helpers.js';

type Reported = { message: string; ws: WebSocket | null; event: string };

function reports(wss: { on(e: 'listenerError', l: (err: Error, ws: WebSocket | null, event: string) => void): unknown }): Reported[] {
  const out: Reported[] = [];
  wss.on('listenerError', (err, ws, event) => out.push({ message: err.message, ws, event }));
  return out;
}

describe('application handlers that throw', () => {
  it("a 'message' handler: 1011 for that client only, reported with the socket and the event", async (t) => {
    const { wss, url } = await startServer(t);
    const reported = reports(wss);
    wss.on('connection', (ws) => ws.on('message', (data: Buffer) => {
      if (data.toString() === 'boom') throw new Error('handler bug with a secret');
      ws.send(data);
    }));
    const victim = await connect(t, url);
    const bystander = await connect(t, url);
    const victimClosed = closed(victim);
    victim.send('boom');
    assert.deepEqual(await victimClosed, { code: 1011, reason: '' }, 'no detail reaches the peer');
    assert.equal(reported.length, 1);
    assert.equal(reported[0].message, 'handler bug with a secret');
    assert.equal(reported[0].event, 'message');
    const failed = reported[0].ws!;
    if (failed.readyState !== failed.CLOSED) await once(failed, 'close');
    assert.equal(wss.clients.has(failed), false, 'the server forgot it');
    const echoed = nextMessage(bystander);
    bystander.send('still here');
    assert.equal((await echoed).data.toString(), 'still here');
  });

  it('later messages in the same read do not reach the failed handler', async (t) => {
    const { wss, url } = await startServer(t);
    const reported = reports(wss);
    let calls = 0;
    wss.on('connection', (ws) => ws.on('message', () => {
      calls++;
      throw new Error('always');
    }));
    const client = await connect(t, url);
    const done = closed(client);
    // Whether these arrive in one read or several, none after the first reaches the handler.
    client.send('a');
    client.send('b');
    client.send('c');
    assert.equal((await done).code, 1011);
    assert.equal(calls, 1);
    assert.equal(reported.length, 1);
  });

  it("a 'connection' handler: the client sees the upgrade, then 1011", async (t) => {
    const { wss, url } = await startServer(t);
    const reported = reports(wss);
    wss.on('connection', () => {
      throw new Error('setup failed');
    });
    const client = await connect(t, url);
    assert.deepEqual(await closed(client), { code: 1011, reason: '' });
    assert.deepEqual(reported.map((r) => r.event), ['connection']);
  });

  it("'ping' and 'pong' handlers", async (t) => {
    for (const kind of ['ping', 'pong'] as const) {
      const { wss, url } = await startServer(t);
      const reported = reports(wss);
      wss.on('connection', (ws) => ws.on(kind, () => {
        throw new Error(`${kind} handler`);
      }));
      const client = await connect(t, url);
      const done = closed(client);
      client[kind]('x');
      assert.equal((await done).code, 1011);
      assert.deepEqual(reported.map((r) => r.event), [kind]);
    }
  });

  it("a 'close' handler: reported, the other 'close' listeners still run, and the server forgets the connection", async (t) => {
    const { wss, url } = await startServer(t);
    const reported = reports(wss);
    let after!: Promise<unknown>;
    wss.on('connection', (ws) => {
      ws.on('close', () => {
        throw new Error('cleanup failed');
      });
      after = once(ws, 'close'); // registered after the one that throws
    });
    const client = await connect(t, url);
    client.close(1000);
    await after;
    assert.deepEqual(reported.map((r) => r.event), ['close']);
    assert.equal(wss.clients.size, 0);
  });

  it("an 'error' handler (the peer broke the protocol): reported; the connection closes with the protocol's code", async (t) => {
    const { wss, url } = await startServer(t, { maxPayload: 10 });
    const reported = reports(wss);
    wss.on('connection', (ws) => ws.on('error', () => {
      throw new Error('error handler failed');
    }));
    const client = await connect(t, url);
    const done = closed(client);
    client.send('far more than ten bytes');
    assert.equal((await done).code, 1009, 'the close the protocol chose, not 1011');
    assert.deepEqual(reported.map((r) => r.event), ['error']);
  });

  it('a send callback', async (t) => {
    const { wss, url } = await startServer(t);
    const reported = reports(wss);
    wss.on('connection', (ws) => ws.on('message', () => ws.send('reply', () => {
      throw new Error('callback failed');
    })));
    const client = await connect(t, url);
    const done = closed(client);
    const reply = nextMessage(client);
    client.send('hi');
    assert.equal((await reply).data.toString(), 'reply');
    assert.equal((await done).code, 1011);
    assert.deepEqual(reported.map((r) => r.event), ['send callback']);
  });

  it("with nobody listening for 'listenerError', a process warning says what threw", async (t) => {
    const { wss, url } = await startServer(t);
    wss.on('connection', () => {
      throw new TypeError('nobody hears this');
    });
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const client = await connect(t, url);
    assert.equal((await closed(client)).code, 1011);
    const warning = await warned;
    assert.match(warning.message, /a WebSocket 'connection' handler threw: TypeError: nobody hears this/);
  });

  it("server-level listeners ('close', close callbacks) are contained too", async (t) => {
    const { wss, url } = await startServer(t);
    const reported = reports(wss);
    echoAll(wss);
    await connect(t, url);
    wss.on('close', () => {
      throw new Error('close listener');
    });
    let second = false;
    await new Promise<void>((resolve) => {
      wss.close(() => {
        throw new Error('close callback');
      });
      wss.close(() => {
        second = true;
        resolve();
      });
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(second, true, 'the other callbacks still ran');
    assert.deepEqual(reported.map((r) => r.event).sort(), ['close', 'close callback']);
  });
});
