/**
 * A seeded mutation fuzzer for the protocol core, bounded in time: valid client streams (text and
 * binary, fragmented, compressed with permessage-deflate or not, control frames in between, an
 * optional close) are mutated (bit flips, overwrites, insertions, deletions, duplicated or
 * dropped ranges, truncation), split at random points and fed to a Connection with and without
 * the deflate extension. Invariants: nothing throws; no event follows a close or an error; errors
 * carry 1002, 1007 or 1009 (1011 would be our bug) and the last frame sent is a close with that
 * code; everything sent parses as server frames; text is valid UTF-8; unmutated streams give
 * exactly the messages that were sent.
 *
 * CI runs it for FUZZ_SECONDS (default 3). Before a release, run it long:
 *   FUZZ_SECONDS=600 node --import tsx --test test/websocket/fuzz.test.ts
 * A failure prints its seed; FUZZ_SEED=<seed> replays that run.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { isUtf8 } from 'node:buffer';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { DeflateExtension } from '../../src/websocket/deflate-extension.js';
import { encodeFrame, Opcode } from '../../src/websocket/frame.js';
import { Connection, type ProtocolEvent } from '../../src/websocket/protocol.js';
import { readFrames } from './frames.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 3);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const MAX_PAYLOAD = 64 * 1024;

type Rand = () => number;

/** mulberry32: small, fast, and deterministic for a seed. */
function prng(seed: number): Rand {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const bytes = (rand: Rand, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(rand, 256)));
const mask = (rand: Rand): Uint8Array => bytes(rand, 4);

function text(rand: Rand, n: number): Buffer {
  const pieces = ['a', 'steer ', '{"x":1}', 'é', '€', '𝄞', '\u0000', 'ü'];
  let s = '';
  while (Buffer.byteLength(s) < n) s += pieces[int(rand, pieces.length)];
  return Buffer.from(s);
}

interface Sample {
  stream: Buffer;
  messages: Array<{ data: Buffer; binary: boolean }>;
  deflate: boolean;
}

/** A valid client stream and the messages it carries. */
function validStream(rand: Rand, deflate: boolean): Sample {
  const frames: Buffer[] = [];
  const messages: Sample['messages'] = [];
  const count = int(rand, 6);
  for (let m = 0; m < count; m++) {
    const binary = rand() < 0.5;
    const size = rand() < 0.8 ? int(rand, 200) : int(rand, 5000);
    const data = binary ? (rand() < 0.5 ? bytes(rand, size) : Buffer.alloc(size, int(rand, 256))) : text(rand, size);
    messages.push({ data, binary });
    const compressed = deflate && rand() < 0.7;
    const body = compressed ? zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4) : data;
    const pieces = 1 + int(rand, 4);
    for (let i = 0, off = 0; i < pieces; i++) {
      const end = i === pieces - 1 ? body.length : Math.min(body.length, off + int(rand, body.length - off + 1));
      const opcode = i === 0 ? (binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation;
      frames.push(encodeFrame({ opcode, fin: i === pieces - 1, rsv1: compressed && i === 0, payload: body.subarray(off, end), mask: mask(rand) }));
      off = end;
      if (rand() < 0.3) frames.push(encodeFrame({ opcode: rand() < 0.5 ? Opcode.Ping : Opcode.Pong, payload: bytes(rand, int(rand, 126)), mask: mask(rand) }));
    }
  }
  if (rand() < 0.5) frames.push(encodeFrame({ opcode: Opcode.Close, payload: Buffer.from([0x03, 0xe8]), mask: mask(rand) }));
  return { stream: Buffer.concat(frames), messages, deflate };
}

/** One random mutation of the stream. */
function mutate(rand: Rand, input: Buffer): Buffer {
  if (input.length === 0) return bytes(rand, int(rand, 64));
  const at = int(rand, input.length);
  const span = 1 + int(rand, Math.min(64, input.length - at));
  switch (int(rand, 7)) {
    case 0: {
      const out = Buffer.from(input);
      out[at] ^= 1 << int(rand, 8); // one bit
      return out;
    }
    case 1: {
      const out = Buffer.from(input);
      out[at] = [0x00, 0xff, 0x7e, 0x7f, 0x80, 0x88, 0x89, 0x8a, 0xc1, 0x41][int(rand, 10)]; // header-ish values
      return out;
    }
    case 2:
      return Buffer.concat([input.subarray(0, at), bytes(rand, span), input.subarray(at)]);
    case 3:
      return Buffer.concat([input.subarray(0, at), input.subarray(at + span)]);
    case 4:
      return Buffer.concat([input.subarray(0, at + span), input.subarray(at)]); // a range twice
    case 5:
      return input.subarray(0, at);
    default: {
      const out = Buffer.from(input);
      for (let i = 0; i < span; i++) out[(at + i) % out.length] = int(rand, 256);
      return out;
    }
  }
}

function codec(rand: Rand): DeflateExtension {
  const bits = 8 + int(rand, 8);
  return new DeflateExtension(
    { serverNoContextTakeover: rand() < 0.5, clientNoContextTakeover: rand() < 0.5, serverMaxWindowBits: bits, clientMaxWindowBits: 15 },
    { threshold: int(rand, 200), level: -1, memLevel: 8 },
  );
}

/** Feeds the stream in random pieces, echoing messages as an app would, and checks every invariant. */
function check(rand: Rand, stream: Buffer, deflate: boolean): ProtocolEvent[] {
  const conn = new Connection({ maxPayload: MAX_PAYLOAD, extension: deflate ? codec(rand) : undefined });
  const events: ProtocolEvent[] = [];
  const output: Uint8Array[] = [];
  let ended = false;
  for (let off = 0; off < stream.length; ) {
    const end = rand() < 0.3 ? stream.length : Math.min(stream.length, off + 1 + int(rand, 300));
    for (const event of conn.receive(Buffer.from(stream.subarray(off, end)))) {
      assert.ok(!ended, `event ${event.type} after the input ended`);
      events.push(event);
      if (event.type === 'message') {
        assert.ok(event.data.length <= MAX_PAYLOAD);
        if (!event.isBinary) assert.ok(isUtf8(event.data), 'text is valid UTF-8');
        if (!conn.closeSent) conn.send(Buffer.from(event.data), event.isBinary); // the echo goes through compress
      }
      if (event.type === 'close' || event.type === 'error') ended = true;
      conn.respond(event);
    }
    output.push(...conn.takeOutput());
    off = end;
  }
  conn.dispose();
  assert.equal(conn.inputDone, ended);
  const sent = readFrames(output); // throws on a malformed or truncated server frame
  const last = events.at(-1);
  if (last?.type === 'error') {
    assert.ok([1002, 1007, 1009].includes(last.error.closeCode), `error ${last.error.closeCode}: ${last.error.message}`);
    const close = sent.at(-1);
    assert.equal(close?.opcode, Opcode.Close);
    assert.equal(close?.payload.readUInt16BE(0), last.error.closeCode);
  }
  return events;
}

test(`fuzz the protocol core for ${SECONDS} s (seed ${SEED})`, { timeout: (SECONDS + 60) * 1000 }, (t) => {
  const rand = prng(SEED);
  const deadline = Date.now() + SECONDS * 1000;
  let runs = 0;
  let mutated = 0;
  const outcomes = new Map<string, number>();
  while (Date.now() < deadline) {
    const sample = validStream(rand, rand() < 0.5);
    const rounds = rand() < 0.2 ? 0 : 1 + int(rand, 3);
    let stream = sample.stream;
    for (let i = 0; i < rounds; i++) stream = mutate(rand, stream);
    let events: ProtocolEvent[];
    try {
      events = check(rand, stream, sample.deflate);
    } catch (err) {
      throw new Error(`fuzz run ${runs} failed (replay with FUZZ_SEED=${SEED}): ${(err as Error).stack}`);
    }
    if (rounds === 0) {
      const got = events.filter((e) => e.type === 'message').map((e) => (e.type === 'message' ? { data: Buffer.from(e.data), binary: e.isBinary } : null));
      assert.deepEqual(got, sample.messages, `valid stream, seed ${SEED}, run ${runs}`);
    } else {
      mutated++;
    }
    const last = events.at(-1);
    const key = last?.type === 'error' ? `error ${last.error.closeCode}` : (last?.type ?? 'nothing');
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    runs++;
  }
  t.diagnostic(`${runs} streams (${mutated} mutated), seed ${SEED}; last events: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok(runs > 0);
});
