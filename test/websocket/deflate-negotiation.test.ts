import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExtensions } from '../../src/websocket/extension-header.js';
import {
  negotiateDeflate,
  resolveDeflateOptions,
  type DeflateOptions,
} from '../../src/websocket/permessage-deflate.js';

const PMD = 'permessage-deflate';

/** The response header for an accepted offer, null for a decline; fails on a reject. */
function respond(header: string | readonly string[] | undefined, options: DeflateOptions | false = {}): string | null {
  const r = negotiateDeflate(header, options);
  if (r === null) return null;
  assert.equal(r.kind, 'accept', `unexpected reject for ${header}`);
  return r.kind === 'accept' ? r.response : null;
}

// [offer header, server options, exact response (null = declined)]
const TABLE: Array<[string, DeflateOptions, string | null]> = [
  // Plain offers (Firefox sends the first, Chromium the second).
  [PMD, {}, PMD],
  [`${PMD}; client_max_window_bits`, {}, PMD],
  // server_no_context_takeover (7.1.1.1): echoed when offered, added when configured.
  [`${PMD}; server_no_context_takeover`, {}, `${PMD}; server_no_context_takeover`],
  [`${PMD}; server_no_context_takeover`, { serverNoContextTakeover: false }, `${PMD}; server_no_context_takeover`],
  [PMD, { serverNoContextTakeover: true }, `${PMD}; server_no_context_takeover`],
  // client_no_context_takeover (7.1.1.2): echoed by default, forced or suppressed by option.
  [`${PMD}; client_no_context_takeover`, {}, `${PMD}; client_no_context_takeover`],
  [`${PMD}; client_no_context_takeover`, { clientNoContextTakeover: false }, PMD],
  [PMD, { clientNoContextTakeover: true }, `${PMD}; client_no_context_takeover`],
  // server_max_window_bits (7.1.2.1): answered with the same or a smaller value.
  [`${PMD}; server_max_window_bits=10`, {}, `${PMD}; server_max_window_bits=10`],
  [`${PMD}; server_max_window_bits=15`, {}, `${PMD}; server_max_window_bits=15`],
  [`${PMD}; server_max_window_bits=8`, {}, `${PMD}; server_max_window_bits=8`],
  [`${PMD}; server_max_window_bits=12`, { serverMaxWindowBits: 9 }, `${PMD}; server_max_window_bits=9`],
  [`${PMD}; server_max_window_bits=9`, { serverMaxWindowBits: 12 }, `${PMD}; server_max_window_bits=9`],
  [`${PMD}; server_max_window_bits="11"`, {}, `${PMD}; server_max_window_bits=11`],
  [PMD, { serverMaxWindowBits: 11 }, `${PMD}; server_max_window_bits=11`],
  [PMD, { serverMaxWindowBits: 15 }, PMD],
  // client_max_window_bits (7.1.2.2): only answered when offered, with or without a value.
  [`${PMD}; client_max_window_bits`, { clientMaxWindowBits: 10 }, `${PMD}; client_max_window_bits=10`],
  [`${PMD}; client_max_window_bits=12`, {}, `${PMD}; client_max_window_bits=12`],
  [`${PMD}; client_max_window_bits=15`, {}, PMD],
  [`${PMD}; client_max_window_bits=9`, { clientMaxWindowBits: 10 }, `${PMD}; client_max_window_bits=9`],
  [`${PMD}; client_max_window_bits=12`, { clientMaxWindowBits: 10 }, `${PMD}; client_max_window_bits=10`],
  [`${PMD}; client_max_window_bits=8`, {}, `${PMD}; client_max_window_bits=8`],
  [PMD, { clientMaxWindowBits: 10 }, null], // cannot limit a client that did not offer the parameter
  [PMD, { clientMaxWindowBits: 15 }, PMD],
  // Everything at once, in the order of RFC 7692 section 7.1.
  [
    `${PMD}; client_max_window_bits=8; server_max_window_bits=9; client_no_context_takeover; server_no_context_takeover`,
    {},
    `${PMD}; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8`,
  ],
  // Invalid offers are declined, not failed (RFC 7692 section 7).
  [`${PMD}; server_max_window_bits`, {}, null],
  [`${PMD}; server_max_window_bits=7`, {}, null],
  [`${PMD}; server_max_window_bits=16`, {}, null],
  [`${PMD}; server_max_window_bits=08`, {}, null],
  [`${PMD}; server_max_window_bits=1e1`, {}, null],
  [`${PMD}; client_max_window_bits=16`, {}, null],
  [`${PMD}; client_max_window_bits=0`, {}, null],
  [`${PMD}; server_no_context_takeover=1`, {}, null],
  [`${PMD}; client_no_context_takeover="x"`, {}, null],
  [`${PMD}; client_max_window_bits; client_max_window_bits=10`, {}, null],
  [`${PMD}; server_no_context_takeover; server_no_context_takeover`, {}, null],
  [`${PMD}; x-unknown`, {}, null],
  [`${PMD}; Server_No_Context_Takeover`, {}, null],
  ['x-webkit-deflate-frame', {}, null],
  ['Permessage-Deflate', {}, null],
  // Several offers: the first acceptable one wins (RFC 7692 section 5).
  [`${PMD}; x-unknown, ${PMD}; server_max_window_bits=12`, {}, `${PMD}; server_max_window_bits=12`],
  [`x-foo, ${PMD}; client_no_context_takeover, ${PMD}`, {}, `${PMD}; client_no_context_takeover`],
  [`${PMD}, ${PMD}; client_max_window_bits`, { clientMaxWindowBits: 9 }, `${PMD}; client_max_window_bits=9`],
  [`${PMD}; server_max_window_bits=99, ${PMD}; server_max_window_bits=0`, {}, null],
  // Autobahn 13.7's three offers.
  [
    `${PMD}; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=8, ` +
      `${PMD}; client_no_context_takeover; client_max_window_bits; server_no_context_takeover, ` +
      `${PMD}; client_no_context_takeover; client_max_window_bits`,
    {},
    `${PMD}; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8`,
  ],
];

test('negotiation table: exact response for each offer and option set', () => {
  for (const [header, options, expected] of TABLE) {
    assert.equal(respond(header, options), expected, `${header} with ${JSON.stringify(options)}`);
  }
});

test('declines without looking when the option is off or no header came', () => {
  assert.equal(negotiateDeflate(undefined, {}), null);
  assert.equal(negotiateDeflate(PMD, false), null);
  assert.equal(negotiateDeflate('not a ; valid header;', false), null);
});

test('a header that breaks the RFC 6455 9.1 grammar is a 400, not a decline', () => {
  for (const header of [`${PMD};`, `${PMD}; a=b c`, '', `${PMD}; x="`, `${PMD}${'; a'.repeat(2000)}`]) {
    const r = negotiateDeflate(header, {});
    assert.ok(r !== null && r.kind === 'reject', header);
    assert.equal(r.status, 400);
    assert.match(r.reason, /^invalid Sec-WebSocket-Extensions: /);
  }
});

test('repeated header lines (an array) are read as one list', () => {
  assert.equal(respond([`${PMD}; x-unknown`, `${PMD}; server_no_context_takeover`]), `${PMD}; server_no_context_takeover`);
});

test('agreed parameters drive the codec', () => {
  const r = negotiateDeflate(
    `${PMD}; client_max_window_bits=10; server_max_window_bits=12; server_no_context_takeover`,
    { clientMaxWindowBits: 9 },
  );
  assert.ok(r?.kind === 'accept');
  assert.deepEqual(r.params, {
    serverNoContextTakeover: true,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 12,
    clientMaxWindowBits: 9,
  });
  const plain = negotiateDeflate(PMD, {});
  assert.ok(plain?.kind === 'accept');
  assert.deepEqual(plain.params, {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  });
});

// Every combination of the four offer parameters against several option sets: the response
// must obey RFC 7692 section 7.1 whatever the mix (the table above pins exact strings).
test('every parameter combination obeys the RFC 7692 7.1 response rules', () => {
  const snct = ['', '; server_no_context_takeover'];
  const cnct = ['', '; client_no_context_takeover'];
  const smwb = ['', '; server_max_window_bits=8', '; server_max_window_bits=11', '; server_max_window_bits=15'];
  const cmwb = ['', '; client_max_window_bits', '; client_max_window_bits=8', '; client_max_window_bits=12'];
  const optionSets: DeflateOptions[] = [
    {},
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
    { clientNoContextTakeover: false, serverMaxWindowBits: 10 },
    { clientMaxWindowBits: 10 },
  ];
  let accepted = 0;
  for (const a of snct) for (const b of cnct) for (const c of smwb) for (const d of cmwb) for (const opts of optionSets) {
    const header = PMD + a + b + c + d;
    const r = negotiateDeflate(header, opts);
    const offered = parseExtensions(header);
    assert.ok(offered.ok);
    const offer = new Map(offered.offers[0].params.map((p) => [p.name, p.value]));
    const o = resolveDeflateOptions(opts);
    if (r === null) {
      // The only reason to decline a valid offer: a client limit we cannot ask for.
      assert.ok(!offer.has('client_max_window_bits') && (o.clientMaxWindowBits ?? 15) < 15, header);
      continue;
    }
    assert.ok(r.kind === 'accept');
    accepted++;
    const parsed = parseExtensions(r.response);
    assert.ok(parsed.ok && parsed.offers.length === 1 && parsed.offers[0].name === PMD);
    const resp = new Map(parsed.offers[0].params.map((p) => [p.name, p.value]));
    if (offer.has('server_no_context_takeover')) assert.ok(resp.has('server_no_context_takeover'), header);
    if (offer.has('server_max_window_bits')) {
      assert.ok(Number(resp.get('server_max_window_bits')) <= Number(offer.get('server_max_window_bits')), header);
    }
    if (!offer.has('client_max_window_bits')) assert.ok(!resp.has('client_max_window_bits'), header);
    const cv = offer.get('client_max_window_bits');
    if (typeof cv === 'string' && resp.has('client_max_window_bits')) {
      assert.ok(Number(resp.get('client_max_window_bits')) <= Number(cv), header);
    }
    // The codec runs with exactly what the response announced.
    assert.equal(r.params.serverNoContextTakeover, resp.has('server_no_context_takeover'));
    assert.equal(r.params.clientNoContextTakeover, resp.has('client_no_context_takeover'));
    assert.equal(r.params.serverMaxWindowBits, Number(resp.get('server_max_window_bits') ?? 15));
    assert.equal(r.params.clientMaxWindowBits, Number(resp.get('client_max_window_bits') ?? 15));
    assert.ok(r.params.serverMaxWindowBits <= o.serverMaxWindowBits);
    assert.ok(r.params.clientMaxWindowBits <= (o.clientMaxWindowBits ?? 15));
  }
  assert.ok(accepted > 200);
});

test('bad options are a RangeError at resolve time, with the option named', () => {
  assert.throws(() => resolveDeflateOptions({ serverMaxWindowBits: 16 }), /serverMaxWindowBits must be an integer from 8 to 15/);
  assert.throws(() => resolveDeflateOptions({ clientMaxWindowBits: 7 }), RangeError);
  assert.throws(() => resolveDeflateOptions({ memLevel: 0 }), /memLevel/);
  assert.throws(() => resolveDeflateOptions({ level: 10 }), /level/);
  assert.throws(() => resolveDeflateOptions({ threshold: -1 }), /threshold/);
  assert.throws(() => resolveDeflateOptions({ threshold: 1.5 }), /threshold/);
  assert.throws(() => resolveDeflateOptions({ maxInflateRate: -1 }), /maxInflateRate/);
  assert.deepEqual(resolveDeflateOptions(), {
    threshold: 1024,
    serverNoContextTakeover: false,
    clientNoContextTakeover: undefined,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: undefined,
    memLevel: 8,
    level: -1,
    maxInflateRate: 64 * 1024 * 1024,
  });
});
