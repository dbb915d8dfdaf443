/** A raw TCP client for tests that must send what a well-behaved client never would. */
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeRequest(path = '/', extra: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  return `GET ${path} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves once the received bytes satisfy `done` (or rejects when the socket closes first). */
  until(done: (bytes: Buffer) => boolean): Promise<Buffer>;
  /** Resolves when the server closed the connection. */
  ended: Promise<void>;
}

export async function rawConnect(t: TestContext, port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  socket.on('error', () => {});
  let buffer = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (const w of waiters.splice(0)) w();
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  return {
    socket,
    received: () => buffer,
    ended,
    until(done) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (done(buffer)) resolve(buffer);
          else if (socket.destroyed || socket.readableEnded) reject(new Error(`closed before condition; got ${JSON.stringify(buffer.toString('latin1'))}`));
          else waiters.push(check);
        };
        socket.once('close', check);
        check();
      });
    },
  };
}

/** Splits a response into status code, lower-cased headers and the bytes after the head. */
export function parseResponse(bytes: Buffer): { status: number; headers: Record<string, string>; rest: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(lines[0].split(' ')[1]), headers, rest: bytes.subarray(end + 4) };
}

export const headComplete = (bytes: Buffer): boolean => bytes.includes('\r\n\r\n');
