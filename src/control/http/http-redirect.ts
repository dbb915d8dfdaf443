/**
 * One port, both schemes: with TLS on, a browser that still opens the old http:// address (a bookmark,
 * a URL typed on a phone) is sent to https:// on the same port instead of getting a broken connection.
 * The first byte tells them apart: a TLS connection starts with a handshake record (22); anything else is
 * taken as plain HTTP, and its request gets a redirect and nothing else.
 *
 * Node's TLS server takes a connection through its 'connection' event (which its documentation allows
 * users to emit to inject one); we hold each new connection back until its first byte has arrived, and
 * then hand it to those listeners as they were, with the byte put back.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { misdirectedText } from './host-check.js';

const TLS_HANDSHAKE = 22;
/** A connection that sends nothing for this long is closed (the HTTP server would time it out too). */
const FIRST_BYTE_MS = 10_000;

export interface PlainHttpRedirect {
  /** Closes the connections still waiting for their first byte, or for their redirect. */
  close(): void;
}

/** Puts the redirect in front of a TLS server's connections; `hostAllowed` is the server's Host check (host-check.ts). */
export function redirectPlainHttp(tlsServer: HttpServer, hostAllowed: (host: string) => boolean = () => true): PlainHttpRedirect {
  const tlsListeners = tlsServer.listeners('connection') as Array<(socket: Socket) => void>;
  const waiting = new Set<Socket>();
  tlsServer.removeAllListeners('connection');
  tlsServer.on('connection', (socket: Socket) => {
    waiting.add(socket);
    socket.setTimeout(FIRST_BYTE_MS, () => socket.destroy());
    socket.on('error', onEarlyError);
    socket.once('close', () => waiting.delete(socket));
    const onReadable = (): void => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return; // not yet (or the end): 'readable' comes again, or 'close'
      socket.off('readable', onReadable);
      socket.off('error', onEarlyError);
      socket.setTimeout(0);
      socket.unshift(first); // the TLS socket reads what is buffered before what comes next
      if (first[0] === TLS_HANDSHAKE) {
        waiting.delete(socket);
        for (const listener of tlsListeners) listener.call(tlsServer, socket);
      } else {
        answerPlain(socket, hostAllowed);
      }
    };
    socket.on('readable', onReadable);
  });
  return {
    close: () => {
      for (const socket of waiting) socket.destroy();
    },
  };
}

function onEarlyError(): void {
  // A connection that failed before its first byte: nothing to answer, and 'close' follows.
}

/** Longest request head read for a redirect. */
const MAX_HEAD_BYTES = 8 * 1024;

/**
 * Reads a plain HTTP request's head and answers it with a redirect to the same place over https, then
 * closes. Only the request line and Host are looked at; nothing else of the request is used.
 */
function answerPlain(socket: Socket, hostAllowed: (host: string) => boolean): void {
  let head = '';
  socket.setTimeout(FIRST_BYTE_MS, () => socket.destroy());
  socket.on('error', onEarlyError);
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    head += chunk;
    const end = head.indexOf('\r\n\r\n');
    if (end < 0 && head.length <= MAX_HEAD_BYTES) return;
    socket.removeAllListeners('data');
    socket.end(redirectFor(end < 0 ? '' : head.slice(0, end), hostAllowed));
    socket.setTimeout(FIRST_BYTE_MS, () => socket.destroy()); // a peer that never reads the answer
  });
  socket.resume(); // the first byte's wait left the socket paused
}

/**
 * The answer to a plain HTTP request head: 307 to https:// on the same host and path; 400 for a head it
 * cannot read; 421 for a Host the server does not answer to (a rebinding name gets no redirect either).
 */
export function redirectFor(head: string, hostAllowed: (host: string) => boolean = () => true): string {
  const [requestLine, ...headerLines] = head.split('\r\n');
  const target = /^[A-Z]+ (\/[^\s]*) HTTP\/1\.[01]$/.exec(requestLine ?? '')?.[1];
  const host = headerLines.find((line) => /^host:/i.test(line))?.slice(5).trim() ?? '';
  // Only a Host we would put in a URL ourselves, and a path: anything else gets no redirect.
  if (target === undefined || !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(host)) {
    return plainText('400 Bad Request', [], 'this port speaks https://\n');
  }
  if (!hostAllowed(host)) return plainText('421 Misdirected Request', [], misdirectedText(host));
  const location = `https://${host}${target}`;
  // Temporary: the same address may serve plain http again once TLS is turned off.
  return plainText('307 Temporary Redirect', [`Location: ${location}`, 'Cache-Control: no-store'], `this port speaks https: ${location}\n`);
}

function plainText(status: string, headers: string[], body: string): string {
  return [`HTTP/1.1 ${status}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', ...headers,
    `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}
