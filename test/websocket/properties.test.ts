/**
 * Property tests of the core: (1) framing is independent of how TCP splits the bytes, and
 * (2) no byte sequence makes the core throw; bad input ends in a close with a valid code.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import fc from 'fast-check';
import { isValidCloseCode } from '../../src/websocket/close.js';
import { encodeFrame, Opcode } from '../../src/websocket/frame.js';
import { Connection, type ProtocolEvent } from '../../src/websocket/protocol.js';
import { readFrames } from './frames.js';

const maskArb = fc.uint8Array({ minLength: 4, maxLength: 4 });

/** A control frame that may appear between fragments. */
const controlArb = fc.record({
  opcode: fc.constantFrom(Opcode.Ping, Opcode.Pong),
  payload: fc.uint8Array({ maxLength: 125 }),
  mask: maskArb,
});

/** A data message split into fragments, with control frames interleaved. */
const messageArb = fc
  .record({
    binary: fc.boolean(),
    text: fc.string({ unit: 'binary', maxLength: 300 }),
    bytes: fc.uint8Array({ maxLength: 300 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    controls: fc.array(fc.option(controlArb, { nil: undefined }), { maxLength: 4 }),
    masks: fc.array(maskArb, { minLength: 5, maxLength: 5 }),
  })
  .map(({ binary, text, bytes, cuts, controls, masks }) => {
    const payload = binary ? Buffer.from(bytes) : Buffer.from(text, 'utf8');
    const points = [...new Set(cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b);
    const bounds = [0, ...points, payload.length];
    const frames: Buffer[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const opcode = i === 0 ? (binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation;
      const fin = i + 2 === bounds.length;
      frames.push(encodeFrame({ opcode, fin, payload: payload.subarray(bounds[i], bounds[i + 1]), mask: masks[i] }));
      const control = controls[i];
      if (control && !fin) frames.push(encodeFrame(control));
    }
    return frames;
  });

const streamArb = fc
  .tuple(fc.array(messageArb, { maxLength: 6 }), fc.option(fc.tuple(fc.constantFrom(1000, 1001, 3000, 4999), maskArb), { nil: undefined }))
  .map(([messages, close]) => {
    const frames = messages.flat();
    if (close) frames.push(encodeFrame({ opcode: Opcode.Close, payload: Buffer.from([close[0] >> 8, close[0] & 0xff]), mask: close[1] }));
    return Buffer.concat(frames);
  });

/** Events with their payloads copied, so runs can be compared. */
function normalize(events: ProtocolEvent[]): unknown[] {
  return events.map((e) => (e.type === 'error' ? { type: 'error', code: e.error.closeCode } : { ...e, ...('data' in e ? { data: Buffer.from(e.data) } : {}), ...('reason' in e ? { reason: Buffer.from(e.reason) } : {}) }));
}

function runChunks(stream: Buffer, cuts: number[]): { events: unknown[]; output: Buffer } {
  const conn = new Connection();
  const events: ProtocolEvent[] = [];
  let prev = 0;
  for (const p of [...cuts, stream.length]) {
    for (const event of conn.receive(Buffer.from(stream.subarray(prev, p)))) {
      conn.respond(event);
      events.push(event);
    }
    prev = p;
  }
  return { events: normalize(events), output: Buffer.concat(conn.takeOutput()) };
}

test('property 1: valid frames split at arbitrary byte boundaries give the same events and output', () => {
  fc.assert(
    fc.property(streamArb, fc.array(fc.nat(), { maxLength: 20 }), (stream, rawCuts) => {
      const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const whole = runChunks(stream, []);
      const split = runChunks(stream, cuts);
      assert.deepEqual(split.events, whole.events);
      assert.deepEqual(split.output, whole.output);
      assert.ok(whole.events.every((e) => (e as { type: string }).type !== 'error'), 'valid frames never fail');
    }),
    { numRuns: 500 },
  );
});

test('property 1b: byte-by-byte delivery equals whole delivery', () => {
  fc.assert(
    fc.property(streamArb, (stream) => {
      const everyByte = Array.from({ length: stream.length }, (_, i) => i);
      assert.deepEqual(runChunks(stream, everyByte), runChunks(stream, []));
    }),
    { numRuns: 100 },
  );
});

/** After random input, whatever was sent parses as frames, and a failure sent exactly one valid close. */
function checkRandom(chunks: Uint8Array[]): void {
  const conn = new Connection({ maxPayload: 4096 });
  const events: ProtocolEvent[] = [];
  for (const chunk of chunks) {
    for (const event of conn.receive(chunk)) {
      conn.respond(event);
      events.push(event);
    }
  }
  const sent = readFrames(conn.takeOutput());
  const closes = sent.filter((f) => f.opcode === Opcode.Close);
  assert.ok(closes.length <= 1);
  const errors = events.filter((e) => e.type === 'error');
  assert.ok(errors.length <= 1);
  if (errors.length === 1) {
    const code = (errors[0] as { error: { closeCode: number } }).error.closeCode;
    assert.ok([1002, 1007, 1009].includes(code), `unexpected code ${code}`);
    assert.equal(closes.length, 1);
    assert.equal(closes[0].payload.readUInt16BE(0), code);
    assert.ok(isValidCloseCode(code));
  }
}

test('property 2: random bytes never throw out of the core', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (chunks) => checkRandom(chunks)),
    { numRuns: 3000 },
  );
});

test('property 2b: valid frames followed by random bytes, masked or not, never throw', () => {
  fc.assert(
    fc.property(streamArb, fc.uint8Array({ maxLength: 64 }), fc.boolean(), (stream, noise, setMaskBit) => {
      const tail = Buffer.from(noise);
      if (setMaskBit && tail.length > 1) tail[1] |= 0x80; // most noise is unmasked; reach the deeper rules too
      checkRandom([stream, tail]);
    }),
    { numRuns: 1000 },
  );
});
