/**
 * JSON for a config file, read as JSON.parse reads it (RFC 8259) but with two things JSON.parse gets
 * wrong for us: a name given twice in one object (JSON.parse keeps the last one without a word, so an old
 * line left further down a file silently wins) is refused, naming it and both lines; and a syntax error
 * says where (line and column) and what was expected, never the text around it: V8's own message quotes
 * the source near the error, which in a config file may be a password.
 */

export class JsonTextError extends Error {
  override name = 'JsonTextError';
}

/** Deeper than any config file needs; a limit keeps a hostile file from exhausting the stack. */
const MAX_DEPTH = 64;
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

/** The value of a JSON text; throws a JsonTextError naming the line (and column) at fault. */
export function parseStrictJson(text: string): unknown {
  const reader = new Reader(text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (reader.atEnd()) throw new JsonTextError('the file is empty: a config file is a JSON object, {...}');
  const value = reader.value(0);
  if (!reader.atEnd()) reader.fail('more after the end of the JSON value');
  return value;
}

class Reader {
  private pos = 0;
  /** Where each line after the first begins, for line numbers. */
  private readonly breaks: number[] = [];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.breaks.push(i);
  }

  atEnd(): boolean {
    this.space();
    return this.pos >= this.text.length;
  }

  value(depth: number): unknown {
    this.space();
    if (depth >= MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} deep`);
    switch (this.text[this.pos]) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
    }
    const literal = this.match(LITERAL);
    if (literal === null) this.fail('expected a value (a string in double quotes, a number, true, false, null, [ or {)');
    return JSON.parse(literal);
  }

  fail(what: string): never {
    throw new JsonTextError(`not valid JSON at ${this.where(this.pos)}: ${what}`);
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const lines = new Map<string, number>();
    this.pos += 1;
    if (this.next('}')) return result;
    do {
      this.space();
      const line = this.line(this.pos);
      if (this.text[this.pos] !== '"') this.fail('expected a name in double quotes');
      const key = this.string();
      const first = lines.get(key);
      if (first !== undefined) {
        throw new JsonTextError(`${JSON.stringify(key.slice(0, 64))} is given twice in one object (lines ${first} and ${line}): keep one`);
      }
      lines.set(key, line);
      if (!this.next(':')) this.fail('expected : after the name');
      // Defined, not assigned: a key "__proto__" is a plain field here, as it is for JSON.parse.
      Object.defineProperty(result, key, { value: this.value(depth), enumerable: true, writable: true, configurable: true });
    } while (this.next(','));
    if (!this.next('}')) this.fail('expected , or } after a value in an object');
    return result;
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos += 1;
    if (this.next(']')) return result;
    do result.push(this.value(depth));
    while (this.next(','));
    if (!this.next(']')) this.fail('expected , or ] after a value in a list');
    return result;
  }

  private string(): string {
    const raw = this.match(STRING);
    if (raw === null) this.fail('a string that is not closed, or has a line break, a control character or a bad \\ escape');
    return JSON.parse(raw) as string;
  }

  /** Skips white space, then takes `char` if it is next. */
  private next(char: string): boolean {
    this.space();
    if (this.text[this.pos] !== char) return false;
    this.pos += 1;
    return true;
  }

  private match(pattern: RegExp): string | null {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (found === null) return null;
    this.pos = pattern.lastIndex;
    return found[0];
  }

  private space(): void {
    this.match(SPACE);
  }

  /** 1 + the line breaks before `pos` (a binary search). */
  private line(pos: number): number {
    let low = 0;
    let high = this.breaks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.breaks[mid] < pos) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }

  private where(pos: number): string {
    const column = pos - (this.text.lastIndexOf('\n', pos - 1) + 1) + 1;
    return pos >= this.text.length ? `line ${this.line(pos)} (the end of the file)` : `line ${this.line(pos)}, column ${column}`;
  }
}
