// Interop at the extension level with the ws package's own permessage-deflate, acting as the
// client: its offer goes through our negotiation, it must accept our response, and messages
// must round-trip both ways over many messages with whatever context takeover was agreed.
// (Full-socket interop with the ws client and Chromium belongs to the integration step.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wsModule from 'ws';
import { negotiateDeflate, type DeflateOptions } from '../../src/websocket/permessage-deflate.js';

type Callback = (err: Error | null, data: Buffer) => void;
interface WsPerMessageDeflate {
  offer(): Record<string, unknown>;
  accept(configurations: unknown[]): Record<string, unknown>;
  compress(data: Buffer, fin: boolean, cb: Callback): void;
  decompress(data: Buffer, fin: boolean, cb: Callback): void;
  cleanup(): void;
}
// Exported by ws's ESM entry, but not declared in @types/ws.
const ws = wsModule as unknown as {
  PerMessageDeflate: new (options: Record<string, unknown>) => WsPerMessageDeflate;
  extension: { format(ext: Record<string, unknown[]>): string; parse(header: string): Record<string, unknown[]> };
};

const call = (fn: (cb: Callback) => void): Promise<Buffer> =>
  new Promise((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data))));

function message(i: number): Buffer {
  const car = { seq: i % 4, x: (i % 4) / 4, y: 1 - (i % 4) / 8, command: 'forward', speed: 3, note: 'steering update' };
  return Buffer.from(JSON.stringify(Array.from({ length: 40 }, (_, k) => ({ ...car, k: k % 7 }))));
}

const CASES: Array<{ client: Record<string, unknown>; server: DeflateOptions; response: string }> = [
  { client: {}, server: {}, response: 'permessage-deflate' },
  {
    client: { serverNoContextTakeover: true, clientNoContextTakeover: true },
    server: {},
    response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
  },
  {
    client: { serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
    server: {},
    response: 'permessage-deflate; server_max_window_bits=10; client_max_window_bits=9',
  },
  { client: {}, server: { serverMaxWindowBits: 9, clientMaxWindowBits: 9 }, response: 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=9' },
  { client: { serverMaxWindowBits: 8 }, server: {}, response: 'permessage-deflate; server_max_window_bits=8' },
  { client: {}, server: { serverNoContextTakeover: true, clientNoContextTakeover: true }, response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover' },
];

for (const { client: clientOptions, server: serverOptions, response } of CASES) {
  test(`ws client ${JSON.stringify(clientOptions)} with server ${JSON.stringify(serverOptions)}`, async (t) => {
    const client = new ws.PerMessageDeflate({ ...clientOptions, isServer: false, maxPayload: 0 });
    t.after(() => client.cleanup());
    const offer = ws.extension.format({ 'permessage-deflate': [client.offer()] });
    const r = negotiateDeflate(offer, { ...serverOptions, threshold: 0 });
    assert.ok(r?.kind === 'accept', `declined ${offer}`);
    t.after(() => r.extension.dispose());
    assert.equal(r.response, response);
    client.accept(ws.extension.parse(r.response)['permessage-deflate']); // throws if ws disagrees

    const sizes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const down = message(i);
      const compressed = r.extension.compress(down);
      assert.ok(compressed !== null);
      sizes.push(compressed.length);
      assert.deepEqual(await call((cb) => client.decompress(Buffer.from(compressed), true, cb)), down, `to client ${i}`);

      const up = message(i + 1);
      const body = await call((cb) => client.compress(up, true, cb));
      assert.deepEqual(Buffer.from(r.extension.decompress([body], 1 << 20)), up, `from client ${i}`);
    }
    if (!r.params.serverNoContextTakeover) {
      assert.ok(sizes[5] < sizes[0], `context takeover shrinks repeats (${sizes.join(',')})`);
    }
  });
}
