/**
 * Sec-WebSocket-Extensions parsing and formatting (RFC 6455 section 9.1):
 *
 *   extension-list = 1#extension
 *   extension      = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *
 * A single left-to-right scan with no regular expression, so the time is linear in the header
 * length (ws once had a ReDoS in this very header), and the length is capped before the scan.
 * Malformed input is reported as a value, never thrown: the caller turns it into a 400.
 */

/** One `name[=value]` parameter; value is null when the parameter has none. */
export interface ExtensionParam {
  readonly name: string;
  readonly value: string | null;
}

/** One element of the list: an extension name and its parameters, in header order. */
export interface ExtensionOffer {
  readonly name: string;
  readonly params: readonly ExtensionParam[];
}

export type ExtensionsParseResult =
  | { readonly ok: true; readonly offers: readonly ExtensionOffer[] }
  | { readonly ok: false; readonly error: string };

/** Real offers are tens of bytes (Chromium: 46); 4 KiB leaves room for many while bounding work. */
export const MAX_EXTENSIONS_HEADER_LENGTH = 4096;

// tchar (RFC 7230 section 3.2.6): ALPHA, DIGIT and !#$%&'*+-.^_`|~
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** True if s is a non-empty RFC 7230 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTchar(s.charCodeAt(i))) return false;
  return true;
}

class Malformed {
  constructor(readonly message: string) {}
}

/** A cursor over the header; every method advances and never looks back. */
class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): number {
    return this.s.charCodeAt(this.pos);
  }
  skipOws(): void {
    // Implied *LWS between words and separators (RFC 2616 section 2.1, referenced by RFC 6455 9.1).
    while (!this.done && (this.peek() === SP || this.peek() === HTAB)) this.pos++;
  }
  token(what: string): string {
    const start = this.pos;
    while (!this.done && isTchar(this.peek())) this.pos++;
    if (this.pos === start) throw this.fail(`expected ${what}`);
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    this.pos++; // opening DQUOTE
    let value = '';
    let start = this.pos;
    while (!this.done) {
      const c = this.peek();
      if (c === DQUOTE) {
        value += this.s.slice(start, this.pos);
        this.pos++;
        // RFC 6455 9.1: the unescaped value of a quoted-string must itself be a token.
        if (!isToken(value)) throw new Malformed(`quoted value "${value}" is not a token`);
        return value;
      }
      if (c === BACKSLASH) {
        value += this.s.slice(start, this.pos);
        this.pos++;
        if (this.done) break;
        start = this.pos; // the escaped character is taken literally (quoted-pair)
      } else if (c < 0x20 && c !== HTAB) {
        throw this.fail('control character in quoted string');
      }
      this.pos++;
    }
    throw new Malformed('unterminated quoted string');
  }
  fail(message: string): Malformed {
    if (this.done) return new Malformed(`${message} at end of header`);
    return new Malformed(`${message} at offset ${this.pos} (found ${JSON.stringify(this.s[this.pos])})`);
  }
}

function parseParam(sc: Scanner): ExtensionParam {
  const name = sc.token('a parameter name');
  sc.skipOws();
  if (sc.done || sc.peek() !== EQUALS) return { name, value: null };
  sc.pos++;
  sc.skipOws();
  const value = !sc.done && sc.peek() === DQUOTE ? sc.quoted() : sc.token('a parameter value');
  sc.skipOws();
  return { name, value };
}

function parseExtension(sc: Scanner): ExtensionOffer {
  const name = sc.token('an extension name');
  const params: ExtensionParam[] = [];
  sc.skipOws();
  while (!sc.done && sc.peek() === SEMICOLON) {
    sc.pos++;
    sc.skipOws();
    params.push(parseParam(sc));
  }
  return { name, params };
}

/**
 * Parses a Sec-WebSocket-Extensions value into its offers, in order. Empty list elements
 * (`a,,b`) are skipped as RFC 7230 section 7 asks, but at least one extension is required.
 */
export function parseExtensions(
  header: string,
  maxLength: number = MAX_EXTENSIONS_HEADER_LENGTH,
): ExtensionsParseResult {
  if (header.length > maxLength) {
    return { ok: false, error: `header is ${header.length} characters, over the limit of ${maxLength}` };
  }
  const sc = new Scanner(header);
  const offers: ExtensionOffer[] = [];
  try {
    sc.skipOws();
    while (!sc.done) {
      if (sc.peek() !== COMMA) {
        offers.push(parseExtension(sc));
        if (sc.done) break;
        if (sc.peek() !== COMMA) throw sc.fail('expected "," or ";"');
      }
      sc.pos++; // the comma
      sc.skipOws();
    }
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, error: err.message };
    throw err;
  }
  if (offers.length === 0) return { ok: false, error: 'no extension in header' };
  return { ok: true, offers };
}

/**
 * Formats extensions for a response header: `name; param; param=value, name2`.
 * Names and values must be tokens (RFC 6455 9.1); anything else is a programming error in the
 * caller (the values come from our own negotiation, never from the peer), so it throws TypeError.
 */
export function formatExtensions(extensions: readonly ExtensionOffer[]): string {
  return extensions
    .map((ext) => {
      if (!isToken(ext.name)) throw new TypeError(`extension name ${JSON.stringify(ext.name)} is not a token`);
      const parts = [ext.name];
      for (const p of ext.params) {
        if (!isToken(p.name)) throw new TypeError(`parameter name ${JSON.stringify(p.name)} is not a token`);
        if (p.value === null) {
          parts.push(p.name);
        } else {
          if (!isToken(p.value)) throw new TypeError(`parameter value ${JSON.stringify(p.value)} is not a token`);
          parts.push(`${p.name}=${p.value}`);
        }
      }
      return parts.join('; ');
    })
    .join(', ');
}
