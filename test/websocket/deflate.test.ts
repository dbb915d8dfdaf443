import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ProtocolError } from '../../src/websocket/errors.js';
import { DeflateExtension, type DeflateParams } from '../../src/websocket/deflate-extension.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

function ext(params: Partial<DeflateParams> = {}, threshold = 0): DeflateExtension {
  return new DeflateExtension(
    { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15, ...params },
    { threshold, level: -1, memLevel: 8 },
  );
}

/** Text with repeats at every distance, so a wrong window shows up as a decoding error. */
function text(seed: number, length: number): Buffer {
  const words = ['steer', 'left', 'right', 'forward', 'speed', 'car', 'web', 'racer', 'zlib', 'window'];
  let x = seed;
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = `${words[x % words.length]}${(x >>> 8) % 97} `;
    parts.push(w);
    size += w.length;
  }
  return Buffer.from(parts.join('').slice(0, length));
}

/** A peer's long-lived zlib stream, fed one message at a time with a sync flush (what a
 *  browser or ws does), so its LZ77 window carries over between messages. */
class Peer {
  private out: Buffer[] = [];
  constructor(private readonly stream: zlib.Inflate | zlib.Deflate) {
    stream.on('data', (chunk: Buffer) => this.out.push(chunk));
  }
  /** zlib checks distances only against what it holds, and within one call it holds all the
   *  output so far; 64-byte output chunks (the minimum) make every longer reference go through
   *  the window, so a distance beyond 2^windowBits fails as it would in a memory-tight client. */
  static inflater(windowBits = 15): Peer {
    return new Peer(zlib.createInflateRaw({ windowBits, chunkSize: 64 }));
  }
  static deflater(windowBits = 15): Peer {
    return new Peer(zlib.createDeflateRaw({ windowBits }));
  }
  /** Runs one message through the stream and returns what came out. */
  async message(data: Uint8Array): Promise<Buffer> {
    this.stream.write(data);
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.stream.off('error', reject);
        resolve();
      });
    });
    const out = Buffer.concat(this.out);
    this.out = [];
    return out;
  }
  /** Our compressed message -> plaintext, the way a client decodes it. */
  inflate(compressed: Uint8Array): Promise<Buffer> {
    return this.message(Buffer.concat([compressed, TAIL]));
  }
  /** Plaintext -> a compressed message body as a client sends it (tail removed). */
  async deflate(plain: Uint8Array): Promise<Buffer> {
    const out = await this.message(plain);
    assert.deepEqual(out.subarray(-4), TAIL);
    return out.subarray(0, -4);
  }
  close(): void {
    this.stream.close();
  }
}

function expectCode(fn: () => unknown, code: number): void {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.closeCode === code);
}

test('our output is plain raw DEFLATE: zlib inflates it after the tail is put back', () => {
  const data = text(1, 5000);
  const out = ext().compress(data);
  assert.ok(out !== null && out.length < data.length / 2);
  assert.notDeepEqual(Buffer.from(out.subarray(-4)), TAIL, 'the sync-flush tail is stripped (RFC 7692 7.2.1)');
  assert.deepEqual(zlib.inflateRawSync(Buffer.concat([out, TAIL]), SYNC), data);
});

test('a zlib raw deflate stream with Z_SYNC_FLUSH, tail stripped, decodes with us', () => {
  const data = text(2, 5000);
  const body = zlib.deflateRawSync(data, SYNC).subarray(0, -4);
  assert.deepEqual(Buffer.from(ext().decompress([body], 1 << 20)), data);
});

test('context takeover, server to client: a client keeping its window decodes every message', async (t) => {
  const peer = Peer.inflater();
  t.after(() => peer.close());
  const e = ext();
  const sizes: number[] = [];
  for (let i = 0; i < 8; i++) {
    const msg = text(i % 3, 3000); // messages 3.. repeat earlier ones: back-references across messages
    const out = e.compress(msg);
    assert.ok(out !== null);
    sizes.push(out.length);
    assert.deepEqual(await peer.inflate(out), msg, `message ${i}`);
  }
  assert.ok(sizes[3] < sizes[0] / 10, `a repeated message costs a few bytes (${sizes.join(',')})`);
  // The test has teeth: the repeated message cannot be decoded without the earlier ones.
  const lone = e.compress(text(0, 3000));
  assert.ok(lone !== null);
  assert.throws(() => zlib.inflateRawSync(Buffer.concat([lone, TAIL]), SYNC), /distance too far back/);
});

test('context takeover, client to server: we decode a client that keeps its window', async (t) => {
  const peer = Peer.deflater();
  t.after(() => peer.close());
  const e = ext();
  const fresh = ext();
  for (let i = 0; i < 12; i++) {
    const msg = text(i % 3, 3000);
    const body = await peer.deflate(msg);
    assert.deepEqual(Buffer.from(e.decompress([body], 1 << 20)), msg, `message ${i}`);
    if (i === 3) expectCode(() => fresh.decompress([body], 1 << 20), 1007); // needs the earlier context
  }
  assert.equal(e.retainedBytes, 32768); // 12 x 3000 bytes seen, the last 32 KiB kept
});

test('server_no_context_takeover: each message stands alone and no window is kept', () => {
  const e = ext({ serverNoContextTakeover: true });
  for (let i = 0; i < 4; i++) {
    const msg = text(0, 3000);
    const out = e.compress(msg);
    assert.ok(out !== null);
    assert.deepEqual(zlib.inflateRawSync(Buffer.concat([out, TAIL]), SYNC), msg); // a fresh inflater each time
  }
  assert.equal(e.retainedBytes, 0);
});

test('client_no_context_takeover: a client resetting per message decodes, and we keep no window', () => {
  const e = ext({ clientNoContextTakeover: true });
  for (let i = 0; i < 4; i++) {
    const msg = text(i, 3000);
    const body = zlib.deflateRawSync(msg, SYNC).subarray(0, -4);
    assert.deepEqual(Buffer.from(e.decompress([body], 1 << 20)), msg);
  }
  assert.equal(e.retainedBytes, 0);
});

test('server_max_window_bits 8..15: a peer with exactly that window decodes everything', async (t) => {
  for (let bits = 8; bits <= 15; bits++) {
    const peer = Peer.inflater(bits);
    t.after(() => peer.close());
    const e = ext({ serverMaxWindowBits: bits });
    for (let i = 0; i < 6; i++) {
      const msg = text(i % 2, 2000 + 700 * i);
      const out = e.compress(msg);
      assert.ok(out !== null);
      assert.deepEqual(await peer.inflate(out), msg, `bits ${bits}, message ${i}`);
    }
    assert.ok(e.retainedBytes <= 1 << bits);
  }
});

test('the window test has teeth: 15-bit output breaks a peer with an 8-bit window', async (t) => {
  const peer = Peer.inflater(8);
  t.after(() => peer.close());
  const out = ext({ serverMaxWindowBits: 15 }).compress(Buffer.concat([text(5, 2000), text(5, 2000)]));
  assert.ok(out !== null);
  await assert.rejects(peer.inflate(out), /distance too far back/);
  const ok = Peer.inflater(8);
  t.after(() => ok.close());
  const fine = ext({ serverMaxWindowBits: 8 }).compress(Buffer.concat([text(5, 2000), text(5, 2000)]));
  assert.deepEqual(await ok.inflate(fine!), Buffer.concat([text(5, 2000), text(5, 2000)]));
});

test('client_max_window_bits 8..15: we decode a client using that window over many messages', async (t) => {
  for (let bits = 8; bits <= 15; bits++) {
    const peer = Peer.deflater(bits);
    t.after(() => peer.close());
    const e = ext({ clientMaxWindowBits: bits });
    for (let i = 0; i < 6; i++) {
      const msg = text(i % 2, 1500 + 500 * i);
      assert.deepEqual(Buffer.from(e.decompress([await peer.deflate(msg)], 1 << 20)), msg, `bits ${bits}`);
    }
    assert.equal(e.retainedBytes, 1 << bits); // 16.5 KB seen: the window is full
  }
});

test('threshold: shorter messages go out uncompressed', () => {
  const e = ext({}, 1024);
  assert.equal(e.compress(text(1, 1023)), null);
  assert.notEqual(e.compress(text(1, 1024)), null);
});

test('an empty message: sent plain (0 bytes beats 0x00), and 0x00 or nothing decodes to empty', () => {
  // RFC 7692 7.2.3.6: a compressed empty message is the single byte 0x00 (or empty).
  assert.equal(ext().compress(new Uint8Array(0)), null);
  assert.equal(ext().decompress([Buffer.from([0x00])], 0).length, 0);
  assert.equal(ext().decompress([], 0).length, 0);
});

test('incompressible data goes out plain, and the window stays in step with the peer', async (t) => {
  const peer = Peer.inflater();
  t.after(() => peer.close());
  const e = ext({}, 100);
  const a = text(1, 3000);
  const noise = randomBytes(3000);
  const c = text(1, 3000);
  assert.deepEqual(await peer.inflate(e.compress(a)!), a);
  assert.equal(e.compress(noise), null); // sent with RSV1 clear: never seen by the peer's inflater
  assert.equal(e.compress(text(1, 50)), null); // below the threshold, same
  assert.deepEqual(await peer.inflate(e.compress(c)!), c);
});

test('property: a message split into frames anywhere decodes the same', () => {
  const data = text(9, 4000);
  const body = zlib.deflateRawSync(data, SYNC).subarray(0, -4);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: body.length }), { maxLength: 6 }), (cuts) => {
      const points = [0, ...cuts.sort((x, y) => x - y), body.length];
      const chunks = points.slice(1).map((end, i) => body.subarray(points[i], end));
      assert.deepEqual(Buffer.from(ext().decompress(chunks, 1 << 20)), data);
    }),
    { numRuns: 100 },
  );
});

test('corrupt compressed data is ProtocolError 1007', () => {
  expectCode(() => ext().decompress([Buffer.from([0xff, 0xff, 0xff, 0xff])], 1 << 20), 1007);
  const body = zlib.deflateRawSync(text(3, 2000), SYNC).subarray(0, -4);
  const flipped = Buffer.from(body);
  flipped[1] ^= 0xff;
  expectCode(() => ext().decompress([flipped], 1 << 20), 1007);
});

test('property: random bytes never escape as anything but ProtocolError 1007/1009', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        ext().decompress([bytes], 4096);
      } catch (err) {
        assert.ok(err instanceof ProtocolError && (err.closeCode === 1007 || err.closeCode === 1009), String(err));
      }
    }),
    { numRuns: 1000 },
  );
});

test('maxBytes: exactly the limit passes, one byte more is 1009', () => {
  const data = Buffer.alloc(5000, 0x61);
  const body = zlib.deflateRawSync(data, SYNC).subarray(0, -4);
  assert.equal(ext().decompress([body], 5000).length, 5000);
  expectCode(() => ext().decompress([body], 4999), 1009);
  expectCode(() => ext().decompress([body], 0), 1009);
  assert.throws(() => ext().decompress([body], Number.NaN), RangeError);
});

test('a peer that ends a message with a BFINAL block still decodes, and so does the next one', () => {
  // RFC 7692 7.2.3.3 lets a sender close each message with BFINAL=1 instead of a sync flush.
  const e = ext();
  const first = text(4, 2000);
  assert.deepEqual(Buffer.from(e.decompress([zlib.deflateRawSync(first)], 1 << 20)), first);
  const second = text(5, 2000);
  assert.deepEqual(Buffer.from(e.decompress([zlib.deflateRawSync(second, SYNC).subarray(0, -4)], 1 << 20)), second);
});

test('dispose frees the windows and refuses further use', () => {
  const e = ext();
  e.compress(text(1, 3000));
  e.decompress([zlib.deflateRawSync(text(2, 3000), SYNC).subarray(0, -4)], 1 << 20);
  assert.ok(e.retainedBytes > 0);
  e.dispose();
  assert.equal(e.retainedBytes, 0);
  assert.throws(() => e.compress(text(1, 3000)), /after dispose/);
  e.dispose(); // idempotent
});
