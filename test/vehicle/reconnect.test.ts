import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkState } from '../../src/vehicle/index.js';
import { backoffDelay, ReconnectingLink, type Transport } from '../../src/vehicle/links/reconnect.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** A connector whose attempts the test answers one by one. */
function scripted() {
  const attempts: Array<{ resolve(t: Transport): void; reject(e: Error): void; lost: (e: Error) => void }> = [];
  const connector = (lost: (e: Error) => void) =>
    new Promise<Transport>((resolve, reject) => attempts.push({ resolve, reject, lost }));
  return { attempts, connector };
}

function transport() {
  const t = { written: [] as number[], ended: false, write: (b: Uint8Array) => void t.written.push(...b), end: async () => void (t.ended = true) };
  return t;
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const o = { initialDelayMs: 250, maxDelayMs: 5_000, factor: 2 };
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, o)), [250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe('ReconnectingLink', () => {
  it('retries with growing delays until the device appears, then resets the backoff', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { attempts, connector } = scripted();
    const link = new ReconnectingLink({ kind: 'sim' }, connector, { initialDelayMs: 100, maxDelayMs: 1000 });
    const states: LinkState[] = [];
    const failures: string[] = [];
    link.on('state', (s: LinkState) => states.push(s));
    link.on('failure', (e: Error) => failures.push(e.message));
    await link.open();
    assert.equal(link.write(Uint8Array.of(1)), false, 'nothing is written while connecting');
    for (const [i, delay] of [100, 200, 400].entries()) {
      attempts[i].reject(new Error(`absent ${i}`));
      await flush();
      assert.equal(link.state, 'reconnecting');
      t.mock.timers.tick(delay - 1);
      assert.equal(attempts.length, i + 1, `no attempt before ${delay} ms`);
      t.mock.timers.tick(1);
      assert.equal(attempts.length, i + 2);
    }
    const tr = transport();
    attempts[3].resolve(tr);
    await flush();
    assert.equal(link.state, 'connected');
    assert.equal(link.write(Uint8Array.of(7)), true);
    assert.deepEqual(tr.written, [7]);
    attempts[3].lost(new Error('gone'));
    assert.equal(link.state, 'reconnecting');
    assert.equal(link.write(Uint8Array.of(8)), false, 'refused, not queued');
    t.mock.timers.tick(100); // the backoff started over
    assert.equal(attempts.length, 5);
    const tr2 = transport();
    attempts[4].resolve(tr2);
    await flush();
    assert.deepEqual(tr2.written, [], 'nothing refused earlier shows up later');
    assert.deepEqual(states, ['connecting', 'reconnecting', 'connected', 'reconnecting', 'connected']);
    assert.deepEqual(failures, ['absent 0', 'absent 1', 'absent 2', 'gone']);
    await link.close();
    assert.equal(tr2.ended, true);
    assert.equal(link.state, 'closed');
  });

  it('closes a connection that completes after close(), and stops retrying', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { attempts, connector } = scripted();
    const link = new ReconnectingLink({ kind: 'sim' }, connector);
    await link.open();
    await link.close();
    const late = transport();
    attempts[0].resolve(late);
    await flush();
    assert.equal(late.ended, true);
    assert.equal(link.state, 'closed');
    t.mock.timers.tick(60_000);
    assert.equal(attempts.length, 1);
    await link.open();
    assert.equal(attempts.length, 1, 'a closed link stays closed');
  });

  it('ignores a loss reported twice, or by a connection already replaced', async () => {
    const { attempts, connector } = scripted();
    const link = new ReconnectingLink({ kind: 'sim' }, connector, { initialDelayMs: 1 });
    const failures: string[] = [];
    link.on('failure', (e: Error) => failures.push(e.message));
    await link.open();
    attempts[0].resolve(transport());
    await flush();
    attempts[0].lost(new Error('gone'));
    attempts[0].lost(new Error('gone again'));
    await new Promise((r) => setTimeout(r, 20));
    attempts[1].resolve(transport());
    await flush();
    attempts[0].lost(new Error('stale'));
    assert.equal(link.state, 'connected');
    assert.deepEqual(failures, ['gone']);
    await link.close();
  });
});
