/**
 * The opening handshake, server side (RFC 6455 section 4.2), as pure functions: a request's
 * method, version and headers in; either a 101 answer or a 4xx with a one-line reason out.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/** The part of an http.IncomingMessage the handshake looks at. */
export interface HandshakeRequest {
  readonly method?: string;
  readonly httpVersion: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type HandshakeResult =
  | { readonly ok: true; readonly accept: string; readonly protocols: readonly string[] }
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly headers?: Readonly<Record<string, string>> };

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
// base64 of exactly 16 bytes: 22 significant characters and "==" (section 4.2.1, item 5).
const KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
// A token as defined by RFC 7230 section 3.2.6 (subprotocol names, section 4.1).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Section 4.2.2, item 5.4: the value proving the server read the key. */
export function acceptValue(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

function header(req: HandshakeRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Splits a comma-separated header into its lower-cased tokens (section 4.2.1 compares case-insensitively). */
function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0);
}

/** Validates an upgrade request (section 4.2.1). */
export function validateRequest(req: HandshakeRequest): HandshakeResult {
  if (req.method !== 'GET') return reject(405, 'method must be GET', { Allow: 'GET' });
  const [major, minor] = req.httpVersion.split('.').map(Number);
  if (!(major > 1 || (major === 1 && minor >= 1))) return reject(400, 'HTTP/1.1 or later is required');
  if (!header(req, 'host')) return reject(400, 'missing Host header');
  if (!tokens(header(req, 'upgrade')).includes('websocket')) return reject(400, 'Upgrade header must be websocket');
  if (!tokens(header(req, 'connection')).includes('upgrade')) return reject(400, 'Connection header must include Upgrade');
  const version = header(req, 'sec-websocket-version');
  if (version?.trim() !== '13') {
    // Section 4.4: tell the client which version we speak.
    return reject(426, 'unsupported Sec-WebSocket-Version', { 'Sec-WebSocket-Version': '13' });
  }
  const key = header(req, 'sec-websocket-key')?.trim();
  if (key === undefined || !KEY.test(key)) return reject(400, 'Sec-WebSocket-Key must be base64 of 16 bytes');
  const offered = header(req, 'sec-websocket-protocol');
  const protocols = offered === undefined ? [] : offered.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (protocols.some((p) => !TOKEN.test(p))) return reject(400, 'invalid Sec-WebSocket-Protocol');
  return { ok: true, accept: acceptValue(key), protocols };
}

function reject(status: number, reason: string, headers?: Record<string, string>): HandshakeResult {
  return { ok: false, status, reason, headers };
}

/** The 101 response (section 4.2.2, item 5). */
export function acceptResponse(accept: string, protocol?: string, extensions?: string): string {
  let out = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n`;
  if (protocol) out += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions) out += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  return out + '\r\n';
}

/** A refusal: status line, a one-line plain-text reason as the body, and the connection closes. */
export function rejectResponse(status: number, reason: string, headers: Readonly<Record<string, string>> = {}): string {
  const line = reason.replace(/[\r\n]+/g, ' ');
  const body = Buffer.byteLength(line, 'utf8');
  let out = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body}\r\n`;
  for (const [name, value] of Object.entries(headers)) out += `${name}: ${value}\r\n`;
  return out + '\r\n' + line;
}
