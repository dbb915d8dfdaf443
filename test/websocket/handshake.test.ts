/** Section 4.2: the opening handshake as a pure function. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptResponse, acceptValue, rejectResponse, validateRequest, type HandshakeRequest } from '../../src/websocket/handshake.js';

const good = (): HandshakeRequest => ({
  method: 'GET',
  httpVersion: '1.1',
  headers: {
    host: 'server.example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
  },
});

function withHeaders(headers: Record<string, string | undefined>, extra: Partial<HandshakeRequest> = {}): HandshakeRequest {
  const req = good();
  return { ...req, ...extra, headers: { ...req.headers, ...headers } };
}

test('section 4.2.2: the sample key gives the sample accept value', () => {
  assert.equal(acceptValue('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  const result = validateRequest(good());
  assert.deepEqual(result, { ok: true, accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', protocols: [] });
});

test('header tokens are case-insensitive lists', () => {
  const result = validateRequest(withHeaders({ upgrade: 'WebSocket', connection: 'keep-alive, UPGRADE' }));
  assert.equal(result.ok, true);
});

test('bad requests get a 4xx and a one-line reason', () => {
  const cases: Array<[HandshakeRequest, number]> = [
    [withHeaders({}, { method: 'POST' }), 405],
    [withHeaders({}, { httpVersion: '1.0' }), 400],
    [withHeaders({ host: undefined }), 400],
    [withHeaders({ upgrade: 'h2c' }), 400],
    [withHeaders({ upgrade: undefined }), 400],
    [withHeaders({ connection: 'keep-alive' }), 400],
    [withHeaders({ 'sec-websocket-key': undefined }), 400],
    [withHeaders({ 'sec-websocket-key': 'c2hvcnQ=' }), 400], // 5 bytes
    [withHeaders({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZSE=' }), 400], // 17 bytes
    [withHeaders({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZR==' }), 400], // non-canonical padding bits
    [withHeaders({ 'sec-websocket-protocol': 'chat, bad proto' }), 400],
  ];
  for (const [req, status] of cases) {
    const result = validateRequest(req);
    assert.equal(result.ok, false, JSON.stringify(req));
    if (!result.ok) {
      assert.equal(result.status, status, result.reason);
      assert.ok(result.reason.length > 0 && !result.reason.includes('\n'));
    }
  }
});

test('section 4.4: other versions get 426 with Sec-WebSocket-Version: 13', () => {
  for (const version of ['8', '12', '14', undefined]) {
    const result = validateRequest(withHeaders({ 'sec-websocket-version': version }));
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.status, 426);
      assert.deepEqual(result.headers, { 'Sec-WebSocket-Version': '13' });
    }
  }
});

test('offered subprotocols are listed in order', () => {
  const result = validateRequest(withHeaders({ 'sec-websocket-protocol': 'chat, superchat' }));
  assert.ok(result.ok);
  if (result.ok) assert.deepEqual(result.protocols, ['chat', 'superchat']);
});

test('responses: 101 with accept/protocol, and a rejection with status line and reason body', () => {
  assert.equal(
    acceptResponse('abc=', 'chat'),
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: abc=\r\nSec-WebSocket-Protocol: chat\r\n\r\n',
  );
  const rejection = rejectResponse(426, 'unsupported\nversion', { 'Sec-WebSocket-Version': '13' });
  assert.match(rejection, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
  assert.match(rejection, /\r\nSec-WebSocket-Version: 13\r\n/);
  assert.match(rejection, /\r\nContent-Length: 19\r\n/);
  assert.match(rejection, /\r\n\r\nunsupported version$/);
});
