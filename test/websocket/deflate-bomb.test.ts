// Decompression bombs (issue 6): the inflated size counts against maxBytes while inflating, so a
// few KiB that would inflate to megabytes end in ProtocolError 1009 with memory staying flat.
// A file of its own so the RSS readings come from a process doing nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { ProtocolError } from '../../src/websocket/errors.js';
import { DeflateExtension } from '../../src/websocket/deflate-extension.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MiB = 1 << 20;

/** `total` zero bytes as one permessage-deflate message, built from a small reused buffer so the
 *  test itself never holds the plaintext. */
async function bomb(total: number): Promise<Buffer> {
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const zeros = Buffer.alloc(64 * 1024);
  for (let n = 0; n < total; n += zeros.length) deflate.write(zeros);
  await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
  deflate.close();
  return Buffer.concat(out).subarray(0, -4);
}

function codec(): DeflateExtension {
  return new DeflateExtension(
    { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 },
    { threshold: 1024, level: -1, memLevel: 8 },
  );
}

function rssGrowth(run: () => void): number {
  gc();
  const before = process.memoryUsage.rss();
  run();
  return (process.memoryUsage.rss() - before) / MiB;
}

test('10 MiB of zeros in ~10 KiB against maxBytes 1 MiB: 1009, and RSS stays flat', async (t) => {
  const payload = await bomb(10 * MiB);
  assert.ok(payload.length < 16 * 1024, `bomb is ${payload.length} bytes`);

  let error: unknown;
  const one = rssGrowth(() => {
    try {
      codec().decompress([payload], MiB);
    } catch (err) {
      error = err;
    }
  });
  assert.ok(error instanceof ProtocolError && error.closeCode === 1009, String(error));
  assert.ok(one < 4, `one bomb grew RSS by ${one.toFixed(2)} MiB`);

  // Many in a row (with the collections a busy server would run) do not add up.
  const many = rssGrowth(() => {
    for (let i = 0; i < 30; i++) {
      assert.throws(() => codec().decompress([payload], MiB), (err: unknown) => err instanceof ProtocolError && err.closeCode === 1009);
      gc();
    }
  });
  assert.ok(many < 4, `30 bombs grew RSS by ${many.toFixed(2)} MiB`);

  // The measurement can see the difference: without the limit the same bytes cost 10+ MiB.
  let size = 0;
  const unbounded = rssGrowth(() => {
    size = codec().decompress([payload], 64 * MiB).length;
  });
  assert.equal(size, 10 * MiB);
  t.diagnostic(`bomb ${payload.length} B; RSS growth MiB: one ${one.toFixed(2)}, 30 ${many.toFixed(2)}, unbounded ${unbounded.toFixed(2)}`);
  assert.ok(unbounded >= 8, `an unbounded inflate grew RSS by only ${unbounded.toFixed(2)} MiB`);
});
