/**
 * Client message validation: text in, a typed message or a precise refusal out. The schemas live in
 * message-schemas.ts; they are compiled once here, at module load.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { seedCommandSchema, typedMessageSchemas } from './message-schemas.js';
import { SEED_COMMANDS, type ClientMessage, type ClientMessageType } from './messages.js';

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | {
    ok: false;
    code: 'bad_json' | 'invalid_message';
    /** Human-readable reason, naming the field at fault. */
    message: string;
    /** The offending field, when one is at fault. */
    field?: string;
    /** The message's `type` or seed `command`, when it could be read. */
    ref?: string;
  };

// verbose: errors carry their parentSchema, whose `description` makes the human message.
const ajv = new Ajv2020({ allErrors: false, verbose: true, strictTypes: false });
const seedValidator = ajv.compile(seedCommandSchema);
const typedValidators = new Map<string, ValidateFunction>(
  Object.entries(typedMessageSchemas).map(([type, schema]) => [type, ajv.compile(schema)]),
);

export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'the message is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad_json', message: 'the message must be a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  const hasCommand = Object.hasOwn(obj, 'command');
  const hasType = Object.hasOwn(obj, 'type');
  if (hasCommand && hasType) {
    return invalid('a message has either "type" or a seed "command", not both', 'type');
  }
  if (hasCommand) {
    // A ref is a name the protocol has, never the client's own text: it goes into logs and recordings.
    const ref = SEED_COMMANDS.find((c) => c === obj.command);
    return check(seedValidator, obj, ref);
  }
  if (!hasType) return invalid('missing field "type" (or a seed "command")', 'type');
  const type = obj.type;
  const validator = typeof type === 'string' ? typedValidators.get(type) : undefined;
  if (!validator) {
    const known = [...typedValidators.keys()].join(', ');
    return invalid(`field "type" must be one of ${known} (got ${show(type)})`, 'type');
  }
  return check(validator, obj, type as ClientMessageType);
}

function check(validate: ValidateFunction, obj: Record<string, unknown>, ref: string | undefined): ParseResult {
  if (validate(obj)) return { ok: true, message: obj as unknown as ClientMessage };
  const { field, message } = describe(validate.errors ?? [], obj);
  return invalid(message, field, ref);
}

function invalid(message: string, field?: string, ref?: string): ParseResult {
  const result: ParseResult = { ok: false, code: 'invalid_message', message };
  if (field !== undefined) result.field = field;
  if (ref !== undefined) result.ref = ref;
  return result;
}

/** Turns Ajv's first error into one sentence about one field. */
function describe(errors: ErrorObject[], obj: Record<string, unknown>): { field?: string; message: string } {
  // `if` only reports that a `then` failed; the `then` error itself is the useful one.
  const first = errors.find((e) => e.keyword !== 'if');
  if (!first) return { message: 'the message does not match the protocol' };
  if (first.keyword === 'required') {
    const field = String(first.params.missingProperty);
    return { field, message: `missing field "${field}"` };
  }
  if (first.keyword === 'additionalProperties') {
    const field = String(first.params.additionalProperty);
    return { field, message: `unknown field "${field}"` };
  }
  // An anyOf failure lists each branch first; the anyOf error at the same path names the whole rule.
  const error = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath) ?? first;
  const field = error.instancePath.split('/').slice(1).join('.');
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  const rule = `field "${field}" must be ${description ?? error.message}`;
  // A token is never echoed, not even to its sender.
  return { field, message: field === 'token' ? rule : `${rule} (got ${show(obj[field])})` };
}

/** A short, safe rendering of a client value for an error message. */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[...]' : '{...}'; // nested deeper than JSON.stringify can go
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
