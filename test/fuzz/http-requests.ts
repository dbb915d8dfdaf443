/**
 * The HTTP side of the fuzzer: every route (src/control/http-routes.ts, the recordings routes, the lobby's
 * live feed, static files, the WebSocket upgrade paths) with hostile paths, methods, versions and headers
 * (Host, Range, Authorization, huge and many headers, bodies), written byte for byte on a raw socket so
 * nothing in between tidies them up. Placeholders filled in at send time: {{host}} (127.0.0.1:PORT),
 * {{recording}} (the name of a recording in the folder now, often the newest), {{token}} (the drive token;
 * only a token holder's requests carry it).
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import { rep } from './placeholders.js';

export interface HttpPlan {
  /** A token holder (127.0.0.1) or an attacker (another loopback address, never the token). */
  from: 'holder' | 'attacker';
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
  body?: string;
  /** This many more headers (`X-Many-N: v`). */
  manyHeaders?: number;
  /** Close as soon as the answer starts instead of reading it all (a page that goes away). */
  cut?: boolean;
}

export interface HttpAnswer {
  /** null: the connection ended with no status line. */
  status: number | null;
  head: string;
  body: Buffer;
  timedOut: boolean;
}

/** Hosts that name neither this machine nor an address: DNS rebinding (the WebSocket's allow-list refuses them). */
export const FOREIGN_HOSTS = ['evil.example', 'evil.example:{{port}}', 'attacker.test:80'];

export const ROUTES = [
  '/', '/index.html', '/lobby.html', '/camera', '/camera/', '/car/red', '/car/green/', '/car/RED', '/car/nope', '/car/%zz',
  '/car/red/camera', '/car/nope/camera', '/api/cars', '/api/cars/live', '/api/join', '/api/recordings', '/api/recordings/',
  '/api/recordings/{{recording}}', '/api/recordings/{{recording}}/track', '/api/recordings/{{recording}}?download',
  '/api/recordings/nope.jsonl', '/recordings', '/recordings/', '/app.js', '/sw.js', '/manifest.webmanifest',
  '/favicon.svg', '/ws', '/ws?car=red', '/?car=nope', '/link-out.txt', '/api/ghosts', '/api/ghosts/ghost-1', '/api/ghosts/%zz',
  '/car/ghost-1', '/ws?car=ghost-1',
];
const HOSTILE_PATHS = [
  '/../outside.txt', '/%2e%2e/outside.txt', '/%2e%2e%2foutside.txt', '/..%2foutside.txt', '/%252e%252e/outside.txt',
  '/.%00./outside.txt', '/%c0%ae%c0%ae/outside.txt', '/..\\outside.txt', '//etc/passwd', '/%00', '/.git/config',
  '/api/recordings/..%2f..%2foutside.txt', '/api/recordings/%2e%2e', '/api/recordings/{{recording}}/../../outside.txt',
  '/api/recordings/%ED%A0%80', '/car/%ED%A0%80', '/car/%F0%9F%9A%97', 'http://evil.example/', '*', '',
  `/${rep(8000, 'a')}`, `/api/cars?${rep(20_000, 'q')}`, '/index.html#frag', '/api/cars/live/../join',
];
const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT', 'PROPFIND', 'get', rep(300, 'X')];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/9', 'FOO'];

const header = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['Range', 'bytes=0-0'], ['Range', 'bytes=5-'], ['Range', 'bytes=-5'], ['Range', 'bytes=999999999999-'],
    ['Range', 'bytes=0-0,1-1,2-2,3-3'], ['Range', 'pages=1'], ['If-None-Match', '*'], ['If-Modified-Since', 'yesterday'],
    ['Accept-Encoding', 'gzip, deflate, br'], ['Authorization', 'Bearer {{token}}'], ['Authorization', 'Bearer wrong-{{m}}'],
    ['Authorization', 'Basic dXNlcjpwYXNz'], ['Authorization', `Bearer ${rep(600, 't')}`], ['Origin', 'http://evil.example'],
    ['Origin', 'null'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Protocol', 'webracer, webracer.token.d3Jvbmc'],
    ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=8'], ['Expect', '100-continue'],
    ['Transfer-Encoding', 'chunked'], ['Content-Length', '5'], ['Content-Length', '-1'], ['X-Forwarded-For', '1.2.3.4'],
    ['Cookie', 'a=b'], ['Host', 'second.example'], ['X-Fuzz', '{{m}}\u00e9'], ['Accept', 'text/event-stream'],
  ),
  fc.integer({ min: 1_000, max: 20_000 }).map((n): [string, string] => ['X-Huge', rep(n, 'h')]),
);

const host = fc.oneof(
  { weight: 6, arbitrary: fc.constant('{{host}}') },
  { weight: 2, arbitrary: fc.constantFrom(...FOREIGN_HOSTS) },
  { weight: 1, arbitrary: fc.constantFrom('localhost:{{port}}', '[::1]:{{port}}', '', '127.0.0.1', rep(5000, 'x'), '127.0.0.1:{{port}}\u00e9') },
);

export function httpRequest(): fc.Arbitrary<HttpPlan> {
  return fc.record({
    from: fc.constantFrom('holder', 'attacker'),
    method: fc.constantFrom(...METHODS),
    target: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ROUTES) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_PATHS) }),
    version: fc.constantFrom(...VERSIONS),
    host: fc.option(host, { freq: 12, nil: undefined }),
    extra: fc.array(header, { maxLength: 4 }),
    many: fc.integer({ min: 0, max: 30 }).map((n) => (n === 30 ? 2_000 : 0)),
    body: fc.option(fc.constantFrom('hello', '{"command":"up"}', '0\r\n\r\n'), { freq: 5, nil: undefined }),
    cut: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  }).map(({ host: h, extra, many, body, cut, ...rest }) => {
    const headers: Array<[string, string]> = h === undefined ? [] : [['Host', h]];
    headers.push(...extra);
    const plan: HttpPlan = { ...rest, headers };
    if (many > 0) plan.manyHeaders = many;
    if (body !== undefined) plan.body = body;
    if (cut) plan.cut = true;
    return plan;
  });
}

export interface SendOptions {
  port: number;
  localAddress: string;
  fill: (text: string) => string;
  timeoutMs: number;
}

export function requestText(plan: HttpPlan, fill: (text: string) => string): string {
  const lines = [`${fill(plan.method)} ${fill(plan.target)} ${plan.version}`, ...plan.headers.map(([k, v]) => `${k}: ${fill(v)}`), 'Connection: close'];
  for (let i = 0; i < (plan.manyHeaders ?? 0); i++) lines.push(`X-Many-${i}: v`);
  return `${lines.join('\r\n')}\r\n\r\n${plan.body ?? ''}`;
}

/** Sends one request on its own connection and reads the answer (an event stream: until its first event). */
export function sendRequest(plan: HttpPlan, opts: SendOptions): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: opts.port, localAddress: opts.localAddress });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks), timedOut));
    };
    const timer = setTimeout(() => finish(true), opts.timeoutMs);
    socket.on('connect', () => socket.write(requestText(plan, opts.fill)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      const text = received.subarray(interimLength(received)).toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (plan.cut && headEnd >= 0) return finish(false);
      // A live feed never ends: its first whole event is the answer. A 101 is the end of HTTP.
      if (headEnd >= 0 && (/^HTTP\/1\.1 101/.test(text) || (/text\/event-stream/i.test(text.slice(0, headEnd)) && text.indexOf('\n\n', headEnd + 4) >= 0))) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** The length of the interim answers (1xx but 101: Node's own `100 Continue` to an `Expect`) before the
 *  final one, which is the answer (RFC 9110 section 15.2). */
const INTERIM = /^HTTP\/1\.[01] 1(?!01)\d\d [^]*?\r\n\r\n/;

function interimLength(bytes: Buffer): number {
  const text = bytes.toString('latin1');
  let at = 0;
  for (let m = INTERIM.exec(text); m !== null; m = INTERIM.exec(text.slice(at))) at += m[0].length;
  return at;
}

function parseAnswer(whole: Buffer, timedOut: boolean): HttpAnswer {
  const bytes = whole.subarray(interimLength(whole));
  const text = bytes.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
  return { status: match ? Number(match[1]) : null, head, body: headEnd >= 0 ? bytes.subarray(headEnd + 4) : Buffer.alloc(0), timedOut };
}
