// Random drives, outages and silences against the driver's safety invariants (fast-check, fake time).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { createCodec, Driver, type Demand } from '../../src/vehicle/index.js';
import { FakeLink } from './fake-link.js';

type Step =
  | { op: 'drive'; demand: Demand }
  | { op: 'wait'; ms: number }
  | { op: 'stop' }
  | { op: 'drop' }
  | { op: 'restore' };

const unit = fc.double({ min: -1, max: 1, noNaN: true });
const duration = fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined });
const demand: fc.Arbitrary<Demand> = fc.oneof(
  fc.record({ kind: fc.constant('analog' as const), x: unit, y: unit }),
  fc.record(
    { kind: fc.constant('command' as const), name: fc.constantFrom('stop', 'forward', 'backward', 'left', 'right') as fc.Arbitrary<'stop'>, speed: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }), durationMs: duration },
    { requiredKeys: ['kind', 'name'] },
  ),
  fc.record({ kind: fc.constant('raw' as const), byte: fc.integer({ min: 0, max: 255 }), durationMs: duration }, { requiredKeys: ['kind', 'byte'] }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: demand.map((d) => ({ op: 'drive' as const, demand: d })) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 1_500 }).map((ms) => ({ op: 'wait' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ op: 'stop' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restore' as const }) },
);

const WATCHDOG_MS = 500;
const isStop = (w: number[]) => w.length === 1 && w[0] >> 4 === 0;

describe('Driver invariants under random use', () => {
  it('never repeats a write, resyncs with a stop, stops silent analog drives, and ends with a stop', async (t: TestContext) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const link = new FakeLink();
        const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: WATCHDOG_MS });
        await driver.start();
        let writesAtConnect = 0; // index of the first write of the current connection
        let analogMovingSince: number | null = null; // elapsed time of the last moving analog demand
        let now = 0;
        for (const s of steps) {
          switch (s.op) {
            case 'drive': {
              const r = driver.drive(s.demand);
              assert.equal(r.ok, link.state === 'connected');
              const moving = s.demand.kind === 'analog' && Math.hypot(s.demand.x, s.demand.y) >= 0.15;
              analogMovingSince = r.ok && moving ? now : null;
              break;
            }
            case 'wait':
              t.mock.timers.tick(s.ms);
              now += s.ms;
              break;
            case 'stop':
              driver.stop();
              analogMovingSince = null;
              break;
            case 'drop':
              if (link.state === 'connected') link.setState('reconnecting');
              analogMovingSince = null;
              break;
            case 'restore':
              if (link.state !== 'connected') {
                writesAtConnect = link.writes.length;
                link.setState('connected');
                assert.deepEqual(link.writes[writesAtConnect], [0x00], 'a reconnect starts with a stop');
              }
              break;
          }
          // Write only on change: no two consecutive writes within a connection are equal.
          for (let i = writesAtConnect + 1; i < link.writes.length; i++) {
            assert.notDeepEqual(link.writes[i], link.writes[i - 1], `write ${i} repeats the previous one`);
          }
          // The watchdog: a moving analog demand left alone for watchdogMs leaves the car stopped.
          if (analogMovingSince !== null && now - analogMovingSince >= WATCHDOG_MS && link.state === 'connected') {
            assert.ok(isStop(link.writes.at(-1)!), 'the watchdog stopped the car');
          }
        }
        const wasConnected = link.state === 'connected';
        await driver.close();
        if (wasConnected) assert.ok(isStop(link.writes.at(-1)!), 'the last byte after close is a stop');
        const count = link.writes.length;
        t.mock.timers.tick(60_000);
        assert.equal(link.writes.length, count, 'nothing fires after close');
      }),
      { numRuns: 300 },
    );
  });
});
