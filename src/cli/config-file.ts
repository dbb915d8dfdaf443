/**
 * `--config FILE`: a JSON object whose keys are the options' names (flags.ts) and whose values are what
 * the flags would take, typed (`"port": 8000`, `"allow-origin": ["https://a.example"]`), plus `"cars"`, a
 * list of `{"name", "link", "codec"?, "baud"?, "ack"?, "maxSpeed"?}`. The file's shape is checked with a JSON Schema (Ajv) built
 * from the same table, so a bad file gets the file, the field and the reason, and the values then go
 * through the very checks the flags do. The JSON is read strictly (strict-json.ts): a name given twice
 * is refused, and a syntax error quotes nothing of the file. A relative path in it (a FILE or DIR option) is taken from the
 * file's own folder, as a user who writes `"charmap": "charmap.json"` beside it means, whatever folder
 * webracer runs in (a service runs in the package's).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { CODEC_NAMES, LINK_ACKS } from '../vehicle/index.js';
import { shown } from './flag-values.js';
import { OPTIONS, ValueError, type Option, type RunOptions, type Value } from './flags.js';
import { JsonTextError, parseStrictJson } from './strict-json.js';

const carSchema = {
  type: 'object',
  required: ['name', 'link'],
  properties: {
    name: { type: 'string' },
    link: { type: 'string' },
    codec: { enum: [...CODEC_NAMES] },
    baud: { type: 'integer' },
    ack: { enum: [...LINK_ACKS] },
    maxSpeed: { type: 'integer' },
  },
  additionalProperties: false,
} as const;

function valueSchema(option: Option): object {
  return option.json === 'car' ? carSchema : { type: option.json };
}

/** The file's schema: every option by name (lists where repeatable), `cars` for `car`; nothing else. */
export const CONFIG_SCHEMA = {
  $id: 'webracer:config',
  type: 'object',
  properties: Object.fromEntries(OPTIONS.map((o) => o.json === 'car'
    ? ['cars', { type: 'array', items: carSchema }]
    : [o.name, o.repeatable ? { type: 'array', items: valueSchema(o) } : valueSchema(o)])),
  additionalProperties: false,
} as const;

const validate = new Ajv2020({ allErrors: false, strictTypes: false }).compile(CONFIG_SCHEMA);

/** Thrown with the file, the field and what is wrong with it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The options the file sets, applied in the table's order; the keys it set, for the caller's rules. */
export function readConfigFile(path: string, options: RunOptions): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`${path}: ${why}`);
  }
  let json: unknown;
  try {
    json = parseStrictJson(text); // a name given twice is refused; a syntax error quotes nothing of the file
  } catch (err) {
    if (err instanceof JsonTextError) throw new ConfigError(`${path}: ${err.message}`);
    throw err;
  }
  if (!validate(json)) throw new ConfigError(`${path}: ${describe(validate.errors?.[0])}`);
  const file = json as Record<string, Value | Value[]>;
  const given = new Set<string>();
  for (const option of OPTIONS) {
    const key = option.json === 'car' ? 'cars' : option.name;
    const value = file[key];
    if (value === undefined) continue;
    given.add(option.name);
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => {
      try {
        option.set(options, isPath(option) && typeof v === 'string' && v !== '' && !isAbsolute(v) ? resolve(dirname(path), v) : v);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        const at = Array.isArray(value) ? `${key}[${i}]` : key;
        throw new ConfigError(`${path}: "${at}": ${err.message}`);
      }
    });
  }
  return given;
}

/** The options whose value names a file or a folder. */
const isPath = (option: Option): boolean => option.arg === 'FILE' || option.arg === 'DIR';

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'not a webracer config';
  const at = error.instancePath === '' ? 'the file' : `"${error.instancePath.slice(1).replaceAll('/', '.')}"`;
  if (error.keyword === 'additionalProperties') {
    return `${at} has an unknown field "${shown(String(error.params.additionalProperty))}"`;
  }
  if (error.keyword === 'required') return `${at} needs a field "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum') return `${at} must be one of ${(error.params.allowedValues as string[]).join(', ')}`;
  return `${at} ${error.message ?? 'is not valid'}`;
}
