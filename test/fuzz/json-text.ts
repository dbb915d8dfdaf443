/**
 * JSON texts as trees fast-check can generate and shrink, rendering to forms JSON.stringify never makes:
 * numbers as written (`-0`, `1e309`, `5e-324`), keys that repeat, strings escaped character by character,
 * lone surrogates (as `\ud800` escapes: the text stays valid UTF-8), nesting thousands deep. Strings may
 * hold placeholders the runner fills in at send time (placeholders.ts): `{{m}}` becomes a marker unique to
 * the message, so a recording can be searched for anything a client sent.
 */
import fc from 'fast-check';
import { rep } from './placeholders.js';

export type JsonNode =
  /** Text as is: a number as written, true, null, or nesting too deep to build as a tree. */
  | { t: 'raw'; text: string }
  /** A string; `escaped`: every character as \uXXXX (placeholders then stay as they are). */
  | { t: 'str'; value: string; escaped?: boolean }
  | { t: 'arr'; items: JsonNode[] }
  /** Keys may repeat (JSON.parse keeps the last). */
  | { t: 'obj'; entries: Array<[string, JsonNode]> };

export const MARK = '{{m}}';

/** How deep generated arrays and objects nest at most: 7,000 (14 KB of brackets) fits the 16 KiB frame,
 *  and is past where JSON.stringify overflows (~4,500), which took a recording server down (issue 18 item 1). */
export const MAX_NESTING = 7_000;

export function render(node: JsonNode): string {
  switch (node.t) {
    case 'raw':
      return node.text;
    case 'str':
      return node.escaped ? escapeAll(node.value) : JSON.stringify(node.value);
    case 'arr':
      return `[${node.items.map(render).join(',')}]`;
    case 'obj':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`).join(',')}}`;
  }
}

function escapeAll(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) out += `\\u${value.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `${out}"`;
}

export const raw = (text: string): JsonNode => ({ t: 'raw', text });
export const str = (value: string): JsonNode => ({ t: 'str', value });
export const obj = (entries: Array<[string, JsonNode]>): JsonNode => ({ t: 'obj', entries });

/** Numbers at and past every limit the protocol has, and forms a parser may get wrong. */
const EDGE_NUMBERS = [
  '0', '-0', '0.0', '-0.0', '1', '-1', '0.5', '0.15', '0.1499999999', '1.0000000000000002', '0.9999999999999999',
  '2', '-2', '10', '10.000001', '11', '15', '16', '50', '51', '64', '65', '255', '256', '-1e-7', '1e-7',
  '1e308', '-1e308', '1e309', '-1e309', '1e-400', '5e-324', '9007199254740993', '1E2', '1e+1',
  '123456789012345678901234567890', '0.1e1', '2000', '12000', '1e21',
];

/** Strings that look like numbers, NaN or Infinity, and names that are special to JavaScript objects. */
const SPECIAL_STRINGS = [
  'NaN', 'Infinity', '-Infinity', '-0', '1', '0x10', '1e3', '', ' ', 'null', 'true', 'undefined',
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then',
];

/** Unicode a careless handler mangles: lone and paired surrogates, controls, direction overrides, BOM,
 *  zero-width and combining characters, a non-character, the replacement character, a 4-byte emoji. */
const ODD_UNICODE = [
  '\ud800', '\udfff', '\udc00\ud800', '\ud83d\ude97', '\u0000', '\u0007', '\u001b[31m', '\n', '\r\n', '\t',
  '\u2028', '\u2029', '\u202e', '\u200b', '\u200d', '\ufeff', '\uffff', '\ufffd', 'e\u0301', '\u{10ffff}',
  'é', '車', '<script>', '%s%n', '${x}', '../', '\\', '"', "'",
];

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

export function numberNode(): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS).map(raw) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => raw(String(d))) },
    { weight: 1, arbitrary: fc.integer().map((n) => raw(String(n))) },
  );
}

/** A string carrying the message's marker, in many shapes and sizes (up to past the 16 KiB frame limit). */
export function markedString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ODD_UNICODE).map((u) => `${u}${MARK}`) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `${MARK}${s}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('x', 'é', '\ud83d\ude97', '\ud800', '\u0000'), fc.integer({ min: 100, max: 17_000 }))
        .map(([unit, n]) => `${MARK}${rep(Math.ceil(n / unit.length), unit)}`),
    },
  );
}

export function stringNode(): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 4, arbitrary: markedString().map(str) },
    { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_STRINGS).map(str) },
    { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_STRINGS, 'stop', 'up', 'drive').map((s) => ({ t: 'str', value: s, escaped: true }) as JsonNode) },
  );
}

/** Arrays or objects nested `depth` deep with a marker at the bottom (JSON.stringify overflows past ~4,500). */
export function deepNode(maxDepth: number, minDepth = 2): fc.Arbitrary<JsonNode> {
  return fc.tuple(fc.integer({ min: minDepth, max: maxDepth }), fc.boolean()).map(([depth, arrays]) => raw(arrays
    ? `${rep(depth, '[')}"${MARK}"${rep(depth, ']')}`
    : `${rep(depth, '{"a":')}"${MARK}"${rep(depth, '}')}`));
}

/** Any hostile value: a wrong type, an edge number, odd text, deep or wide structure, prototype keys. */
export function hostileNode(maxDepth: number): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 4, arbitrary: numberNode() },
    { weight: 4, arbitrary: stringNode() },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '[]', '{}').map(raw) },
    { weight: 1, arbitrary: deepNode(maxDepth) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => raw(`[${rep(n, '0,')}0]`)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...PROTOTYPE_KEYS).map((k) => obj([[k, obj([['polluted', str(MARK)]])]])),
    },
  );
}
