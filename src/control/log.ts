/**
 * The server's log: one record per thing an operator wants to know (a connection, a seat change, a
 * link change, a refusal), never one per drive message. A record is a level, an event name and a few
 * fields; the CLI renders it as text or as one JSON object per line (--log-format) and drops records
 * below --log-level.
 *
 * The token never reaches a log: fields whose name says token, secret, password or credential are
 * written as "[redacted]", whoever passes them.
 *
 * A Logger is also callable with a plain line (`log('...')`), logged at info as the event `note`, so
 * code written against the older `(line: string) => void` keeps working.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface LogRecord {
  time: Date;
  level: LogLevel;
  event: string;
  /** A human sentence, when the event name and fields do not say enough (errors, shutdown). */
  message?: string;
  fields: LogFields;
}

export interface Logger {
  /** A free-text line at info (event `note`). */
  (line: string): void;
  error(event: string, fields?: LogFields, message?: string): void;
  warn(event: string, fields?: LogFields, message?: string): void;
  info(event: string, fields?: LogFields, message?: string): void;
  debug(event: string, fields?: LogFields, message?: string): void;
  /** Whether records at this level are written (to skip building fields nobody reads). */
  enabled(level: LogLevel): boolean;
  /** The same log with these fields on every record (e.g. the car's name). */
  with(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const SECRET_FIELD = /token|secret|password|credential/i;

/**
 * A logger that hands each record at `level` or more severe to `write`. Logging never throws into the
 * caller (a connection handler, the Driver's listeners, the shutdown): a `write` that throws once is
 * dropped, quietly, and this logger and every logger made from it with `with()` write nothing more.
 */
export function createLogger(write: (record: LogRecord) => void, level: LogLevel = 'info', base: LogFields = {}): Logger {
  let dropped = false;
  const sink = (record: LogRecord): void => {
    if (dropped) return;
    try {
      write(record);
    } catch {
      dropped = true;
    }
  };
  return logger(sink, level, base);
}

function logger(sink: (record: LogRecord) => void, level: LogLevel, base: LogFields): Logger {
  const enabled = (l: LogLevel): boolean => RANK[l] <= RANK[level];
  const at = (l: LogLevel) => (event: string, fields: LogFields = {}, message?: string): void => {
    if (!enabled(l)) return;
    const record: LogRecord = { time: new Date(), level: l, event, fields: redact({ ...fields, ...base }) };
    if (message !== undefined) record.message = message;
    sink(record);
  };
  const info = at('info');
  return Object.assign((line: string) => info('note', {}, line), {
    error: at('error'), warn: at('warn'), info, debug: at('debug'), enabled,
    with: (fields: LogFields) => logger(sink, level, { ...base, ...fields }),
  });
}

export const silentLogger: Logger = createLogger(() => {}, 'error');

/** A Logger from what a caller of the server may pass: a Logger, a plain line sink (tests), or nothing. */
export function toLogger(log: Logger | ((line: string) => void) | undefined): Logger {
  if (log === undefined) return silentLogger;
  if ('info' in log) return log;
  return createLogger((record) => log(describeRecord(record)), 'debug');
}

/** The record without time and level: `event key=value ...`, or the message and then the fields. */
export function describeRecord(record: LogRecord): string {
  const head = record.message ?? record.event;
  const pairs = Object.entries(record.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${textValue(v)}`);
  return pairs.length === 0 ? head : `${head} ${pairs.join(' ')}`;
}

/** `2026-11-01T10:00:00.000Z info  connected client=c1 address=192.168.1.7 role=driver` */
export function textLine(record: LogRecord): string {
  return `${record.time.toISOString()} ${record.level.padEnd(5)} ${describeRecord(record)}`;
}

/** `{"time":"...","level":"info","event":"connected","client":"c1",...}`: one object, one line. */
export function jsonLine(record: LogRecord): string {
  const out: Record<string, unknown> = { time: record.time.toISOString(), level: record.level, event: record.event };
  if (record.message !== undefined) out.message = record.message;
  for (const [k, v] of Object.entries(record.fields)) {
    if (v !== undefined && !(k in out)) out[k] = v;
  }
  return JSON.stringify(out);
}

function redact(fields: Record<string, LogValue>): LogFields {
  for (const key of Object.keys(fields)) {
    if (SECRET_FIELD.test(key) && fields[key] !== undefined) fields[key] = '[redacted]';
  }
  return fields;
}

/** Bare when it is a plain word, JSON-quoted when it has spaces, quotes, `=` or control characters. */
function textValue(v: LogValue): string {
  const s = String(v);
  return s !== '' && /^[^\s"=\\\x00-\x1f\x7f]+$/.test(s) ? s : JSON.stringify(s);
}
