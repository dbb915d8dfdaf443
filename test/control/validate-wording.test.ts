// Every refusal a client can get from the message schemas reads as one sentence about one field. The test
// walks the schemas (src/control/protocol/message-schemas.ts): for every checking keyword wherever it occurs, it
// makes a message that breaks exactly that rule (from a valid message of that type), and reads the reply.
// A keyword it cannot break, or one it does not know, fails the test: a new rule gets a wording too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedCommandSchema, typedMessageSchemas } from '../../src/control/protocol/message-schemas.js';
import { parseClientMessage } from '../../src/control/protocol/validate.js';

type Schema = Record<string, unknown>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Valid messages from which each rule is broken: together they reach every optional field and branch. */
const BASES: Record<string, Json[]> = {
  seed: [{ command: 'up', duration: 0.5, speed: 3 }, { command: 'raw', data: 22 }, { command: 'down', duration: null }],
  drive: [{ type: 'drive', x: 0.5, y: -0.5 }, { type: 'drive', x: 0, y: 1, seq: 3 }],
  stop: [{ type: 'stop' }, { type: 'stop', seq: 4 }],
  ping: [{ type: 'ping', id: 7 }, { type: 'ping', id: 'abc' }],
  auth: [{ type: 'auth', token: 'abc' }],
  claim: [{ type: 'claim' }],
  release: [{ type: 'release' }, { type: 'release', seq: 5 }],
  'camera-on': [{ type: 'camera-on' }],
  'camera-off': [{ type: 'camera-off' }],
  watch: [{ type: 'watch' }],
  unwatch: [{ type: 'unwatch' }],
  signal: [
    { type: 'signal', to: 'c2', description: { type: 'offer', sdp: 'v=0' } },
    { type: 'signal', to: 'c2', candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } },
    { type: 'signal', to: 'c2', candidate: { candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: null, usernameFragment: null } },
    { type: 'signal', to: 'c2', candidate: null },
  ],
  channel: [
    { type: 'channel', open: true },
    { type: 'channel', description: { type: 'answer', sdp: 'v=0' } },
    { type: 'channel', candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } },
    { type: 'channel', candidate: { candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: null, usernameFragment: null } },
    { type: 'channel', candidate: null },
  ],
  'race-start': [{ type: 'race-start', laps: 3 }],
  'race-end': [{ type: 'race-end' }],
  'race-best-lap': [{ type: 'race-best-lap' }],
  'lap-mark': [{ type: 'lap-mark', car: 'red' }],
  name: [{ type: 'name', name: 'Ada' }],
  accessory: [{ type: 'accessory', name: 'horn', on: true }, { type: 'accessory', name: 'all', on: false }],
  resume: [{ type: 'resume', token: 'abc' }],
};

/** Keywords that check nothing themselves: annotations, and structure the walk follows. */
const NOT_CHECKS = new Set(['$id', 'description', 'properties', 'items', 'if', 'then']);
const ANY_VALUES: Json[] = ['text', 12345, 1.5, true, null, [], {}];

/** Values that might break `keyword` of `node`; the first the server refuses is used. */
function breakers(node: Schema, keyword: string): Json[] {
  const v = node[keyword] as Json;
  switch (keyword) {
    case 'type': return ANY_VALUES.filter((x) => !hasType(x, v as string));
    case 'const': return typeof v === 'string' ? [`${v}-not`] : typeof v === 'boolean' ? [!v] : [12345];
    case 'enum': return ['not-one-of-these', 12345];
    case 'minimum': return [(v as number) - 1, (v as number) - 0.5];
    case 'maximum': return [(v as number) + 1, (v as number) + 0.5];
    case 'exclusiveMinimum': return [v, (v as number) - 1];
    case 'minLength': return ['a'.repeat(Math.max(0, (v as number) - 1))];
    case 'maxLength': return ['a'.repeat((v as number) + 1)];
    case 'pattern': return ['\u0007', '\n', '', ' '];
    case 'anyOf': return ANY_VALUES;
    default: return [];
  }
}

function hasType(value: Json, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function at(message: Json, path: string[]): Json | undefined {
  let value: Json | undefined = message;
  for (const key of path) value = (value as Record<string, Json> | undefined)?.[key];
  return value;
}

function withValue(message: Json, path: string[], value: Json | undefined): Json {
  const copy = clone(message);
  const parent = at(copy, path.slice(0, -1)) as Record<string, Json>;
  if (value === undefined) delete parent[path.at(-1)!];
  else parent[path.at(-1)!] = value;
  return copy;
}

/** Messages that break `keyword` of `node`, which governs the value at `path` of `base`. */
function broken(node: Schema, keyword: string, base: Json, path: string[]): Json[] {
  if (keyword === 'required') return (node.required as string[]).map((name) => withValue(base, [...path, name], undefined));
  if (keyword === 'additionalProperties') return [withValue(base, [...path, 'unexpectedField'], 1)];
  if (keyword === 'oneOf') {
    const names = (node.oneOf as Schema[]).flatMap((branch) => branch.required as string[]);
    const none = names.reduce((m, name) => withValue(m, [...path, name], undefined), base);
    const all = names.reduce((m, name) => (at(m, [...path, name]) === undefined ? withValue(m, [...path, name], null) : m), base);
    return [none, all];
  }
  if (path.length === 0) return []; // the message as a whole: not an object is bad_json, before any schema
  return breakers(node, keyword).map((value) => withValue(base, path, value));
}

interface Case { where: string; text: string }

/** Walks `node` (governing the value at `path` of `base`), collecting a broken message per keyword. */
function walk(node: Schema, schemaPath: string, base: Json, path: string[], cases: Case[], seen: Set<string>): void {
  const value = at(base, path);
  for (const keyword of Object.keys(node)) {
    seen.add(`${schemaPath}/${keyword}`);
    if (NOT_CHECKS.has(keyword)) continue;
    for (const message of broken(node, keyword, base, path)) {
      cases.push({ where: `${schemaPath}/${keyword}`, text: JSON.stringify(message) });
    }
  }
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
    if (at(base, [...path, name]) !== undefined) walk(child, `${schemaPath}/properties/${name}`, base, [...path, name], cases, seen);
  }
  (node.anyOf as Schema[] | undefined)?.forEach((branch, i) => {
    if (branch.type === undefined || hasType(value as Json, branch.type as string)) walk(branch, `${schemaPath}/anyOf/${i}`, base, path, cases, seen);
  });
  const ifProps = ((node.if as Schema | undefined)?.properties ?? {}) as Record<string, { const: Json }>;
  if (node.then && Object.entries(ifProps).every(([k, rule]) => at(base, [...path, k]) === rule.const)) {
    walk(node.then as Schema, `${schemaPath}/then`, base, path, cases, seen);
  }
}

/** Every keyword occurrence of a schema, as walk() names them. */
function occurrences(node: Schema, schemaPath: string, out: Set<string>): Set<string> {
  for (const [keyword, value] of Object.entries(node)) {
    out.add(`${schemaPath}/${keyword}`);
    if (keyword === 'properties') {
      for (const [name, child] of Object.entries(value as Record<string, Schema>)) occurrences(child, `${schemaPath}/properties/${name}`, out);
    } else if (keyword === 'anyOf' || keyword === 'oneOf') {
      if (keyword === 'anyOf') (value as Schema[]).forEach((branch, i) => occurrences(branch, `${schemaPath}/anyOf/${i}`, out));
    } else if (keyword === 'then') occurrences(value as Schema, `${schemaPath}/then`, out);
  }
  return out;
}

const WELL_FORMED = /^(?:field "([\w.-]+)" (?:must|needs|is)|missing field "([\w.-]+)"(?: \(or a seed "command"\))?$|unknown field "([\w.-]+)"$|the message (?:must|needs))/;

test('every rule of every message schema, broken, gets a refusal that reads as a sentence about its field', () => {
  const schemas: Array<[string, Schema]> = [['seed', seedCommandSchema as Schema], ...Object.entries(typedMessageSchemas) as Array<[string, Schema]>];
  assert.deepEqual(Object.keys(BASES).sort(), schemas.map(([name]) => name).sort(), 'a valid message for every type');
  let checked = 0;
  for (const [name, schema] of schemas) {
    const cases: Case[] = [];
    const seen = new Set<string>();
    for (const base of BASES[name]) {
      assert.ok(parseClientMessage(JSON.stringify(base)).ok, `${JSON.stringify(base)} is valid`);
      walk(schema, name, base, [], cases, seen);
    }
    assert.deepEqual([...occurrences(schema, name, new Set())].filter((k) => !seen.has(k)), [], `${name}: every keyword walked`);
    const broke = new Set<string>();
    for (const { where, text } of cases) {
      const result = parseClientMessage(text);
      if (result.ok) continue; // this value happens to pass: another breaks the rule
      broke.add(where);
      checked++;
      assert.equal(result.code, 'invalid_message', text);
      const sentence = WELL_FORMED.exec(result.message);
      assert.ok(sentence, `${where}: ${text}\n  -> ${result.message}`);
      assert.doesNotMatch(result.message, /must be must|must must|\bschema\b|"anyOf"|"oneOf"|got undefined|\(got \)/, `${where}: ${result.message}`);
      const field = sentence[1] ?? sentence[2] ?? sentence[3];
      if (field !== undefined) assert.equal(result.field, field, `${where}: ${result.message}`);
    }
    const rules = [...new Set(cases.map((c) => c.where))];
    assert.deepEqual(rules.filter((r) => !broke.has(r)), [], `${name}: every rule broken by some message`);
  }
  assert.ok(checked > 100, `${checked} refusals read`);
});

test('the issue\'s sentence: a signal with both or neither step names them', () => {
  const both = parseClientMessage(JSON.stringify({ type: 'signal', to: 'c2', description: { type: 'offer', sdp: 'v=0' }, candidate: null }));
  const neither = parseClientMessage(JSON.stringify({ type: 'signal', to: 'c2' }));
  assert.ok(!both.ok && !neither.ok);
  assert.equal(both.message, 'the message must have only one of "description" or "candidate"');
  assert.equal(neither.message, 'the message needs one of "description" or "candidate"');
  const deep = parseClientMessage(JSON.stringify({ type: 'signal', to: 'c2', candidate: { candidate: 'x'.repeat(2000) } }));
  assert.ok(!deep.ok);
  assert.match(deep.message, /^field "candidate" must be null or an ICE candidate/);
});
