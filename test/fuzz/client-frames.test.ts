// The fuzzer's valid messages reach every kind of signal target: the case's clients and the named peers
// the server relays for (the SFU's `sfu`, push-to-talk's `talk`), so the talk relay's refusals are fuzzed too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validMessage } from './client-frames.js';
import { render } from './json-text.js';

test('fuzzer: valid signals go to the case\'s clients, to sfu and to talk', () => {
  const targets = new Set<string>();
  for (const node of fc.sample(validMessage(), { numRuns: 5_000, seed: 1 })) {
    const text = render(node);
    const to = /^\{"type":"signal","to":"([^"]*)"/.exec(text)?.[1];
    if (to !== undefined) targets.add(to.startsWith('{{peer') ? 'a client' : to);
  }
  assert.deepEqual([...targets].sort(), ['a client', 'sfu', 'talk']);
});
