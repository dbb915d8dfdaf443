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

/**
 * Turns Ajv's first error into one sentence about one field: `field "x" must be <the rule's description>
 * (got ...)`, `missing field "x"`, `unknown field "x"`, or `the message ...` for a rule about the whole
 * message. Nested fields are named by their path (`description.sdp`). A failure inside an alternative
 * (anyOf, oneOf) is explained by the alternative as a whole: its branches' errors are noise to a client.
 */
function describe(errors: ErrorObject[], obj: Record<string, unknown>): { field?: string; message: string } {
  // `if` only reports that a `then` failed; the `then` error itself is the useful one.
  const first = errors.find((e) => e.keyword !== 'if');
  if (!first) return { message: 'the message does not match the protocol' };
  const error = outermostAlternative(errors, first) ?? first;
  const path = pathOf(error.instancePath);
  if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
    const name = String(error.keyword === 'required' ? error.params.missingProperty : error.params.additionalProperty);
    const field = [...path, name].join('.');
    return { field, message: `${error.keyword === 'required' ? 'missing' : 'unknown'} field "${field}"` };
  }
  const field = path.length === 0 ? undefined : path.join('.');
  const subject = field === undefined ? 'the message' : `field "${field}"`;
  const rule = `${subject} ${ruleOf(error)}`;
  // A token is never echoed, not even to its sender; nor is the message as a whole.
  const result = field === undefined || path.at(-1) === 'token' ? rule : `${rule} (got ${show(valueAt(obj, path))})`;
  return field === undefined ? { message: result } : { field, message: result };
}

/** The anyOf or oneOf that the first failure lies inside, outermost first: the rule a client broke. */
function outermostAlternative(errors: ErrorObject[], first: ErrorObject): ErrorObject | undefined {
  return errors
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && first.schemaPath.startsWith(e.schemaPath))
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length)[0];
}

/** What the value must be: the rule's own description when it has one, else words for its keyword. */
function ruleOf(error: ErrorObject): string {
  if (error.keyword === 'oneOf') return oneOfRule(error);
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  if (description !== undefined) return `must be ${description}`;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': return `must be ${String(p.type).split(',').map(withArticle).join(' or ')}`;
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum': return `must be at least ${String(p.limit)}`;
    case 'maximum': return `must be at most ${String(p.limit)}`;
    case 'exclusiveMinimum': return `must be more than ${String(p.limit)}`;
    case 'exclusiveMaximum': return `must be less than ${String(p.limit)}`;
    case 'minLength': return `must be at least ${String(p.limit)} characters long`;
    case 'maxLength': return `must be at most ${String(p.limit)} characters long`;
    case 'anyOf': return 'is none of the forms it may take';
    default: return 'is not valid here';
  }
}

/** A oneOf of required fields (exactly one of them): which ones, and whether there were none or several. */
function oneOfRule(error: ErrorObject): string {
  const branches = error.schema as Array<{ required?: string[] }>;
  const names = branches.flatMap((b) => b.required ?? []).map((n) => `"${n}"`).join(' or ');
  if (names === '') return 'must match exactly one of its forms';
  return (error.params as { passingSchemas: unknown }).passingSchemas === null ? `needs one of ${names}` : `must have only one of ${names}`;
}

function withArticle(type: string): string {
  return type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** An instance path (`/description/sdp`, RFC 6901) as its segments. */
function pathOf(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function valueAt(obj: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = obj;
  for (const key of path) value = (value as Record<string, unknown> | null | undefined)?.[key];
  return value;
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
