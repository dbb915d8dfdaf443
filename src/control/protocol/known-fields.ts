/**
 * A client message with only the fields its schema names (message-schemas.ts), for whatever keeps or
 * passes on what a client sent (car-events.ts: a recording, a race marshal). Typed messages are strict
 * already; a seed command may carry anything besides its own fields (the seed ignored what it did not
 * know, and so does its schema), and what it carries must go no further than the validator: a field
 * nested thousands deep, padding, a token pasted into the wrong place.
 */
import { seedCommandSchema, typedMessageSchemas } from './message-schemas.js';
import { isSeedCommand, type ClientMessage } from './messages.js';

const SEED_FIELDS = Object.keys(seedCommandSchema.properties);
/** `data` is the raw byte of `raw` only (the seed page sent its button index on the others: ignored). */
const RAW_FIELDS = [...SEED_FIELDS, ...Object.keys(seedCommandSchema.then.properties)];
const TYPED_FIELDS = new Map<string, string[]>(
  Object.entries(typedMessageSchemas).map(([type, schema]) => [type, Object.keys(schema.properties)]),
);

/** A copy of a validated message holding only the fields its schema names. */
export function knownFields(message: ClientMessage): ClientMessage {
  const names = isSeedCommand(message)
    ? (message.command === 'raw' ? RAW_FIELDS : SEED_FIELDS)
    : TYPED_FIELDS.get(message.type) ?? ['type'];
  const source = message as unknown as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const name of names) if (Object.hasOwn(source, name)) copy[name] = source[name];
  return copy as unknown as ClientMessage;
}
