/** Shared test helpers: servers on 127.0.0.1:0, ws clients, and event waits (no sleeps). */
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import WS from 'ws';
import { WebSocketServer, type ServerOptions } from '../../src/websocket/index.js';

/** Starts a standalone server on an ephemeral port, closed when the test ends. */
export async function startServer(t: TestContext, options: Omit<ServerOptions, 'port'> = {}): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  t.after(() => {
    // Peers that ignore the closing handshake would hold the test for closeTimeoutMs.
    for (const ws of wss.clients) ws.terminate();
    return new Promise<void>((resolve) => wss.close(resolve));
  });
  await once(wss, 'listening');
  const address = wss.address();
  if (!address) throw new Error('no address');
  return { wss, url: `ws://127.0.0.1:${address.port}` };
}

/** Opens a ws client, terminated when the test ends. */
export async function connect(t: TestContext, url: string, options?: WS.ClientOptions, protocols?: string[]): Promise<WS> {
  const client = new WS(url, protocols, options);
  t.after(() => client.terminate());
  await once(client, 'open');
  return client;
}

/** Resolves with the next message of a ws client. */
export function nextMessage(client: WS): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => client.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

/** Resolves with a ws client's close code and reason. */
export function closed(client: WS): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

/** An echo handler for servers under test. */
export function echoAll(wss: WebSocketServer): void {
  wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })));
}
