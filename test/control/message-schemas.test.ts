// The client messages are written twice, as types (protocol/messages.ts) and as JSON Schemas
// (protocol/message-schemas.ts): this file holds the two together. Its type checks fail `npm run typecheck`
// (which runs before the suite) the moment a field is added, removed or made optional on one side only;
// the schemas' own `satisfies` holds that both name the same message types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageOf } from '../../src/control/car/dispatch.js';
import { seedCommandSchema, typedMessageSchemas } from '../../src/control/protocol/message-schemas.js';
import type { ClientMessageType, SeedCommand } from '../../src/control/protocol/messages.js';

type Schemas = typeof typedMessageSchemas;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RequiredKeys<T> = { [P in keyof T]-?: object extends Pick<T, P> ? never : P }[keyof T];

/** The message types whose fields differ between the type and the schema's `properties` (never: none). */
type FieldDrift = { [K in ClientMessageType]: Same<keyof MessageOf<K>, keyof Schemas[K]['properties']> extends true ? never : K }[ClientMessageType];
/** The message types whose required fields differ (never: none). */
type RequiredDrift = { [K in ClientMessageType]: Same<RequiredKeys<MessageOf<K>>, Schemas[K]['required'][number]> extends true ? never : K }[ClientMessageType];
type SeedFields = keyof typeof seedCommandSchema.properties | keyof typeof seedCommandSchema.then.properties;

test('every message type has the same fields, and the same required ones, in its type and its schema', () => {
  // A drift makes the right-hand type the drifting message's name, and `true` then does not compile.
  const fields: [FieldDrift] extends [never] ? true : FieldDrift = true;
  const required: [RequiredDrift] extends [never] ? true : RequiredDrift = true;
  const seed: Same<keyof SeedCommand, SeedFields> = true;
  const seedRequired: Same<RequiredKeys<SeedCommand>, (typeof seedCommandSchema.required)[number]> = true;
  assert.deepEqual([fields, required, seed, seedRequired], [true, true, true, true]);
});

test('every schema requires only fields it describes, `type` first and fixed to its own name', () => {
  for (const [type, schema] of Object.entries(typedMessageSchemas)) {
    assert.equal(schema.required[0], 'type', type);
    assert.deepEqual(schema.properties.type, { const: type });
    for (const field of schema.required) assert.ok(field in schema.properties, `${type}.${field}`);
  }
});
