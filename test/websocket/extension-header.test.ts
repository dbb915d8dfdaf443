import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wsModule from 'ws';
import fc from 'fast-check';
import {
  formatExtensions,
  isToken,
  MAX_EXTENSIONS_HEADER_LENGTH,
  parseExtensions,
  type ExtensionOffer,
} from '../../src/websocket/extension-header.js';

const ok = (header: string): readonly ExtensionOffer[] => {
  const r = parseExtensions(header);
  assert.ok(r.ok, `expected ${JSON.stringify(header)} to parse, got ${r.ok ? '' : r.error}`);
  return r.offers;
};
const bad = (header: string): string => {
  const r = parseExtensions(header);
  assert.ok(!r.ok, `expected ${JSON.stringify(header)} to be rejected`);
  return r.error;
};

test('parses what browsers and ws send', () => {
  assert.deepEqual(ok('permessage-deflate; client_max_window_bits'), [
    { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] },
  ]);
  assert.deepEqual(ok('permessage-deflate'), [{ name: 'permessage-deflate', params: [] }]);
  assert.deepEqual(ok('permessage-deflate; server_max_window_bits=10; client_no_context_takeover'), [
    {
      name: 'permessage-deflate',
      params: [
        { name: 'server_max_window_bits', value: '10' },
        { name: 'client_no_context_takeover', value: null },
      ],
    },
  ]);
});

test('several offers keep their order, with params attached to the right one', () => {
  assert.deepEqual(ok('permessage-deflate; server_max_window_bits=8, permessage-deflate, x-foo;a=b;c'), [
    { name: 'permessage-deflate', params: [{ name: 'server_max_window_bits', value: '8' }] },
    { name: 'permessage-deflate', params: [] },
    { name: 'x-foo', params: [{ name: 'a', value: 'b' }, { name: 'c', value: null }] },
  ]);
});

test('whitespace (SP, HTAB) is allowed around every separator', () => {
  const expected = [
    { name: 'a', params: [{ name: 'b', value: '1' }, { name: 'c', value: null }] },
    { name: 'd', params: [] },
  ];
  assert.deepEqual(ok('a;b=1;c,d'), expected);
  assert.deepEqual(ok('  a ;\tb = 1 ; c\t ,  d  '), expected);
});

test('quoted-string values are unescaped and must be tokens (RFC 6455 9.1)', () => {
  assert.deepEqual(ok('a; b="10"'), [{ name: 'a', params: [{ name: 'b', value: '10' }] }]);
  assert.deepEqual(ok('a; b="x\\yz"'), [{ name: 'a', params: [{ name: 'b', value: 'xyz' }] }]);
  assert.match(bad('a; b="two words"'), /not a token/);
  assert.match(bad('a; b=""'), /not a token/);
  assert.match(bad('a; b="x,y"'), /not a token/);
  assert.match(bad('a; b="open'), /unterminated/);
  assert.match(bad('a; b="open\\'), /unterminated/);
});

test('empty list elements are skipped (RFC 7230 section 7) but one extension is required', () => {
  assert.deepEqual(ok(', a ,, b ,'), [
    { name: 'a', params: [] },
    { name: 'b', params: [] },
  ]);
  assert.match(bad(''), /no extension/);
  assert.match(bad('  '), /no extension/);
  assert.match(bad(' , ,'), /no extension/);
});

test('malformed headers are reported with a position, never thrown', () => {
  const vectors: Array<[string, RegExp]> = [
    ['a;', /expected a parameter name at end of header/],
    ['a;;b', /expected a parameter name at offset 2/],
    ['a;b=', /expected a parameter value at end/],
    ['a;b==1', /expected a parameter value at offset 4/],
    ['a;=1', /expected a parameter name/],
    ['a b', /expected "," or ";" at offset 2/],
    ['a;b=1 2', /expected "," or ";"/],
    ['a;b c', /expected "," or ";"/],
    [';a', /expected an extension name at offset 0/],
    ['a/b', /expected "," or ";" at offset 1/],
    ['a;b=c/d', /offset 5/],
    ['é', /expected an extension name/],
    ['a\r\n b', /expected "," or ";"/],
    ['a;b="\u0001"', /control character/],
  ];
  for (const [header, error] of vectors) assert.match(bad(header), error, header);
});

test('the length cap is checked before any scanning', () => {
  const long = `permessage-deflate${'; x'.repeat(MAX_EXTENSIONS_HEADER_LENGTH)}`;
  assert.match(bad(long), /over the limit of 4096/);
  assert.ok(parseExtensions(long, long.length).ok);
  assert.match(parseExtensions('abc', 2).ok ? '' : 'rejected', /rejected/);
});

test('pathological input stays linear: 4 KiB of nasty patterns parse or fail quickly', () => {
  // Shapes that make backtracking regexes explode (ws CVE-2021-32640 was a header ReDoS).
  for (const unit of ['a;', 'a=', ' ;', '"\\', ', ', 'a;b="', '\t']) {
    const header = unit.repeat(Math.floor(MAX_EXTENSIONS_HEADER_LENGTH / unit.length));
    const r = parseExtensions(header);
    assert.equal(typeof r.ok, 'boolean');
  }
});

test('formatExtensions writes the canonical form and refuses non-tokens', () => {
  assert.equal(
    formatExtensions([
      { name: 'permessage-deflate', params: [{ name: 'server_no_context_takeover', value: null }, { name: 'server_max_window_bits', value: '10' }] },
      { name: 'x', params: [] },
    ]),
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=10, x',
  );
  assert.throws(() => formatExtensions([{ name: 'a b', params: [] }]), TypeError);
  assert.throws(() => formatExtensions([{ name: 'a', params: [{ name: 'p', value: 'x y' }] }]), TypeError);
  assert.throws(() => formatExtensions([{ name: 'a', params: [{ name: '', value: null }] }]), TypeError);
});

const tokenArb = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const plain = { noNullPrototype: true } as const;
const offerArb = fc.record(
  {
    name: tokenArb,
    params: fc.array(fc.record({ name: tokenArb, value: fc.option(tokenArb, { nil: null }) }, plain), { maxLength: 4 }),
  },
  plain,
);

test('property: format then parse is the identity', () => {
  fc.assert(
    fc.property(fc.array(offerArb, { minLength: 1, maxLength: 5 }), (offers) => {
      assert.deepEqual(ok(formatExtensions(offers)), offers);
    }),
  );
});

test('property: any string gives a result or an error, never a throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom(...'ab=;,"\\ \t\u0000é1') }), (s) => {
      const r = parseExtensions(s);
      if (r.ok) for (const o of r.offers) assert.ok(isToken(o.name));
    }),
    { numRuns: 2000 },
  );
});

// ws refuses whitespace around "=", which RFC 2616's implied *LWS (the grammar RFC 6455 9.1 is
// written in) allows and we accept; the comparison keeps whitespace around "," and ";".
test('property: agrees with the ws package on headers built from valid pieces', () => {
  // ws exports its header parser (untyped in @types/ws) from its ESM entry.
  const wsExtension = (wsModule as unknown as {
    extension: { parse(h: string): Record<string, Array<Record<string, Array<string | true>>>> };
  }).extension;
  fc.assert(
    fc.property(fc.array(offerArb, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '\t'), (offers, ws) => {
      const header = offers
        .map((o) => [o.name, ...o.params.map((p) => (p.value === null ? p.name : `${p.name}=${p.value}`))].join(`${ws};${ws}`))
        .join(`${ws},${ws}`);
      const theirs = wsExtension.parse(header);
      const ours = ok(header);
      // ws groups by name; regroup ours the same way to compare.
      const grouped: Record<string, Array<Record<string, Array<string | true>>>> = Object.create(null);
      for (const o of ours) {
        const params: Record<string, Array<string | true>> = Object.create(null);
        for (const p of o.params) (params[p.name] ??= []).push(p.value ?? true);
        (grouped[o.name] ??= []).push(params);
      }
      assert.deepEqual(JSON.parse(JSON.stringify(grouped)), JSON.parse(JSON.stringify(theirs)));
    }),
    { numRuns: 300 },
  );
});
