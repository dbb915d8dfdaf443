/**
 * What a fuzzed client sends: every message of the protocol (src/control/protocol/message-schemas.ts; the prose is
 * docs/protocol.md), valid about half the time so the fuzzer gets deep (watch, admitted, signal; a race
 * counting down), otherwise mutated: a field added (unknown names, prototype keys), one replaced by a
 * hostile value, one removed, a key repeated, the type or command renamed, the whole thing wrapped; and
 * frames that are not a message at all (not JSON, not an object, binary, invalid UTF-8, over 16 KiB).
 */
import fc from 'fast-check';
import { ACCESSORIES, MAX_RACE_LAPS, MAX_SDP_CHARS, NAMED_PEERS, SEED_COMMANDS, typedMessageTypes } from './protocol-names.js';
import { rep } from './placeholders.js';
import {
  MARK, MAX_NESTING, PROTOTYPE_KEYS, hostileNode, markedString, numberNode, obj, raw, render, str, type JsonNode,
} from './json-text.js';

export type Frame =
  /** A text frame; its placeholders ({{m}}, {{peerN}}) are filled in when sent. */
  | { kind: 'text'; text: string }
  /** The same text sent `count` times at once (the rate limit, the error budget, a stop after a burst). */
  | { kind: 'burst'; text: string; count: number }
  | { kind: 'binary'; hex: string }
  /** Bytes that are not UTF-8, in a text frame (the WebSocket layer closes with 1007). */
  | { kind: 'bad-utf8'; hex: string }
  /** Nothing for a while (timers: a hold's end, the idle takeover, a race's countdown, rate buckets refilling). */
  | { kind: 'pause'; ms: number };

/** The cars of every fuzz target (target.ts): two simulated, one real (a TCP byte recorder). */
export const CARS = ['red', 'blue', 'green'] as const;
export type CarName = (typeof CARS)[number];

/** A signal's `to`: one of the case's clients, or a named peer (the SFU, push-to-talk's `talk`). */
const peer = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }).map((n) => `{{peer${n}}}`) },
  { weight: 1, arbitrary: fc.constantFrom(...NAMED_PEERS) },
);
const axis = fc.oneof({ weight: 4, arbitrary: fc.double({ min: -1, max: 1, noNaN: true }).map((d) => raw(String(d))) }, { weight: 1, arbitrary: numberNode() });
const bare = (type: string): fc.Arbitrary<JsonNode> => fc.constant(obj([['type', str(type)]]));

function sdp(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(`v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=${MARK}\r\n`),
    fc.integer({ min: 0, max: MAX_SDP_CHARS + 100 }).map((n) => `v=0 ${MARK} ${rep(n, 'a')}`),
  );
}

/** One WebRTC signalling step: a description (an SDP offer or answer) or a candidate (null: the end). */
function rtcStep(): fc.Arbitrary<[string, JsonNode]> {
  const description = fc.tuple(fc.constantFrom('offer', 'answer'), sdp())
    .map(([type, text]): [string, JsonNode] => ['description', obj([['type', str(type)], ['sdp', str(text)]])]);
  const candidate = fc.oneof(
    fc.constant<[string, JsonNode]>(['candidate', raw('null')]),
    fc.tuple(markedString(), fc.integer({ min: 0, max: 64 })).map(([c, i]): [string, JsonNode] =>
      ['candidate', obj([['candidate', str(`candidate:1 1 udp 1 127.0.0.1 9 typ host ${c}`.slice(0, 1024))], ['sdpMid', str('0')], ['sdpMLineIndex', raw(String(i))]])]),
  );
  return fc.oneof(description, candidate);
}

function signal(): fc.Arbitrary<JsonNode> {
  return fc.tuple(peer, rtcStep()).map(([to, step]) => obj([['type', str('signal')], ['to', str(to)], step]));
}

/** The drive channel's signalling: open or close it (a real native peer on the server), an answer, a candidate. */
function channel(): fc.Arbitrary<JsonNode> {
  const open = fc.boolean().map((on): [string, JsonNode] => ['open', raw(String(on))]);
  return fc.oneof(open, rtcStep()).map((step) => obj([['type', str('channel')], step]));
}

/** Drive input's seq (docs/protocol.md "Drive channel"), on some drive messages. */
const seq = fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: undefined });

/** One valid message of each typed kind. */
function typed(): Record<string, fc.Arbitrary<JsonNode>> {
  return {
    drive: fc.tuple(axis, axis, seq).map(([x, y, n]) => obj([['type', str('drive')], ['x', x], ['y', y], ...(n === undefined ? [] : [['seq', raw(String(n))] as [string, JsonNode]])])),
    channel: channel(),
    ping: fc.oneof(fc.integer().map((n) => raw(String(n))), fc.string({ maxLength: 64 }).map(str))
      .map((id) => obj([['type', str('ping')], ['id', id]])),
    auth: markedString().map((token) => obj([['type', str('auth')], ['token', str(token.slice(0, 512))]])),
    resume: markedString().map((token) => obj([['type', str('resume')], ['token', str(token.slice(0, 64))]])),
    accessory: fc.tuple(fc.constantFrom(...ACCESSORIES, 'all'), fc.boolean())
      .map(([name, on]) => obj([['type', str('accessory')], ['name', str(name)], ['on', raw(String(name !== 'all' && on))]])),
    signal: signal(),
    'race-start': fc.integer({ min: 1, max: MAX_RACE_LAPS }).map((n) => obj([['type', str('race-start')], ['laps', raw(String(n))]])),
    'lap-mark': fc.constantFrom('red', 'blue', 'green', 'GREEN', 'nope').map((car) => obj([['type', str('lap-mark')], ['car', str(car)]])),
    name: fc.constantFrom('Ada', 'fz {{m}}', 'é車\ud83d\ude97').map((n) => obj([['type', str('name')], ['name', str(n)]])),
    ...Object.fromEntries(['stop', 'claim', 'release', 'camera-on', 'camera-off', 'watch', 'unwatch', 'race-end', 'race-best-lap'].map((t) => [t, bare(t)])),
  };
}

function seed(): fc.Arbitrary<JsonNode> {
  const duration = fc.option(fc.oneof(fc.double({ min: 0.001, max: 10, noNaN: true }).map((d) => raw(String(d))), fc.constant(raw('null'))), { nil: undefined });
  return fc.record({
    command: fc.constantFrom(...SEED_COMMANDS),
    duration,
    data: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    speed: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  }).map(({ command, duration: d, data, speed }) => {
    const entries: Array<[string, JsonNode]> = [['command', str(command)]];
    if (d !== undefined) entries.push(['duration', d]);
    if (data !== undefined || command === 'raw') entries.push(['data', raw(String(data ?? 0x16))]);
    if (speed !== undefined) entries.push(['speed', raw(String(speed))]);
    return obj(entries);
  });
}

/** A valid message: every typed kind and every seed command, about evenly. */
export function validMessage(): fc.Arbitrary<JsonNode> {
  const kinds = typed();
  if (Object.keys(kinds).length !== typedMessageTypes().length) throw new Error('client-frames.ts: a typed message has no generator');
  return fc.oneof(...Object.values(kinds), seed(), seed());
}

type Mutation = (message: Extract<JsonNode, { t: 'obj' }>) => fc.Arbitrary<JsonNode>;

function mutations(): Mutation[] {
  const value = hostileNode(MAX_NESTING);
  const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'type', 'command', 'token', '', 'x'), markedString().map((s) => s.slice(0, 60)));
  return [
    (m) => fc.tuple(key, value).map(([k, v]) => obj([...m.entries, [k, v]])),
    (m) => fc.tuple(fc.nat(), value).map(([i, v]) => obj(m.entries.map(([k, old], j) => [k, j === i % m.entries.length ? v : old]))),
    (m) => fc.nat().map((i) => obj(m.entries.filter((_, j) => j !== i % m.entries.length))),
    (m) => fc.tuple(fc.nat(), value).map(([i, v]) => obj([...m.entries, [m.entries[i % m.entries.length][0], v]])),
    (m) => fc.oneof(fc.constantFrom('STOP', ' stop', 'stop\u0000', 'Drive', 'fly', 'camera_on'), markedString())
      .map((name) => obj(m.entries.map(([k, v]): [string, JsonNode] => [k, k === 'type' || k === 'command' ? str(name) : v]))),
    (m) => fc.constantFrom<JsonNode>({ t: 'arr', items: [m] }, obj([['message', m]]), str(render(m))),
  ];
}

function mutated(): fc.Arbitrary<JsonNode> {
  const kinds = mutations();
  return fc.tuple(validMessage(), fc.nat({ max: kinds.length - 1 }))
    .chain(([message, k]) => (message.t === 'obj' ? kinds[k](message) : fc.constant(message)));
}

/** A frame that is no message: not JSON, not an object, binary, invalid UTF-8. */
function garbage(): fc.Arbitrary<Frame> {
  const bytes = fc.uint8Array({ minLength: 0, maxLength: 64 }).map((b) => Buffer.from(b).toString('hex'));
  return fc.oneof(
    fc.constantFrom('', 'null', '42', '"stop"', '[]', '{', '{"command":"up"', 'stop', '\ufeff{"type":"stop"}', '{"type":"stop"}garbage')
      .map((text): Frame => ({ kind: 'text', text })),
    bytes.map((hex): Frame => ({ kind: 'binary', hex })),
    fc.constantFrom('ff', 'c0af', 'eda080', '7bfffe7d', 'f4908080', 'e282').map((hex): Frame => ({ kind: 'bad-utf8', hex })),
  );
}

export function frame(): fc.Arbitrary<Frame> {
  const text = (node: JsonNode): Frame => ({ kind: 'text', text: render(node) });
  return fc.oneof(
    { weight: 20, arbitrary: validMessage().map(text) },
    { weight: 20, arbitrary: mutated().map(text) },
    { weight: 2, arbitrary: garbage() },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.oneof(validMessage(), mutated()), fc.integer({ min: 2, max: 130 }))
        .map(([node, count]): Frame => ({ kind: 'burst', text: render(node), count })),
    },
    { weight: 1, arbitrary: fc.integer({ min: 50, max: 1_200 }).map((ms): Frame => ({ kind: 'pause', ms })) },
  );
}
