import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SafeEmitter } from '../../src/vehicle/index.js';

/** Collects the process warnings emitted while fn runs (they are emitted on the next tick). */
async function warningsDuring(fn: () => void): Promise<Error[]> {
  const warnings: Error[] = [];
  const on = (w: Error): void => void warnings.push(w);
  process.on('warning', on);
  try {
    fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', on);
  }
  return warnings;
}

describe('SafeEmitter', () => {
  it('calls every listener in order although one throws, and reports the error as listenerError', () => {
    const e = new SafeEmitter();
    const calls: string[] = [];
    const reported: unknown[] = [];
    e.on('state', (s: string) => calls.push(`a:${s}`));
    e.on('state', () => {
      throw new Error('boom');
    });
    e.once('state', (s: string) => calls.push(`once:${s}`));
    e.on('state', (s: string) => calls.push(`c:${s}`));
    e.on('listenerError', (err: Error, event: string) => reported.push([event, err.message]));
    assert.equal(e.emit('state', 'x'), true);
    assert.equal(e.emit('state', 'y'), true);
    assert.deepEqual(calls, ['a:x', 'once:x', 'c:x', 'a:y', 'c:y']);
    assert.deepEqual(reported, [['state', 'boom'], ['state', 'boom']]);
    assert.equal(e.emit('nobody'), false);
  });

  it('without a listenerError listener, reports as a process warning naming the event and the emitter', async () => {
    class Link extends SafeEmitter {}
    const e = new Link();
    e.on('failure', () => {
      throw new TypeError('not a function');
    });
    const warnings = await warningsDuring(() => e.emit('failure', new Error('x')));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /^a 'failure' listener of Link threw: TypeError: not a function/);
    assert.equal((warnings[0] as Error & { code?: string }).code, 'WEBRACER_LISTENER_ERROR');
  });

  it('a listenerError listener that throws ends in a warning, not in a loop', async () => {
    const e = new SafeEmitter();
    e.on('state', () => {
      throw new Error('first');
    });
    e.on('listenerError', () => {
      throw new Error('second');
    });
    const warnings = await warningsDuring(() => e.emit('state'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /'listenerError' listener .* threw: Error: second/);
  });

  it("keeps EventEmitter's rule for an 'error' event nobody listens to", () => {
    assert.throws(() => new SafeEmitter().emit('error', new Error('unhandled')), /unhandled/);
  });
});
