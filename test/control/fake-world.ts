/**
 * One car's world with nothing behind it: a SimLink car, a clock the test moves (node:test's mock.timers,
 * with `Date.now` as the world's monotonic clock), and clients on fake peers (fake-peer.ts).
 */
import type { TestContext } from 'node:test';
import { CarWorld } from '../../src/control/car/car-world.js';
import { silentLogger } from '../../src/control/log.js';
import type { Limits } from '../../src/control/protocol/messages.js';
import { createCodec, Driver, SimLink } from '../../src/vehicle/index.js';
import { fakeContext, fakeSession, TEST_LIMITS, type FakePeer } from './fake-peer.js';
import type { PageKind } from '../../src/control/connection/client-session.js';

export interface FakeWorld {
  world: CarWorld;
  car: Driver;
  /** Every byte written to the car's link. */
  writes: number[];
  /** A new client, attached: its peer. */
  join(id: string, page?: PageKind): FakePeer;
  /** Moves the clock (and runs the timers due). */
  tick(ms: number): void;
}

export async function fakeWorld(t: TestContext, limits: Partial<Limits> = {}): Promise<FakeWorld> {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
  const now = (): number => Date.now();
  const all = { ...TEST_LIMITS, ...limits };
  const link = new SimLink();
  const car = new Driver({ link, codec: createCodec('iracer'), watchdogMs: all.watchdogMs });
  const world = new CarWorld({
    name: 'car', driver: car, link, codec: 'iracer', accessories: [], linkKind: 'sim', limits: all, authRequired: false,
    maxViewers: 1, iceServers: () => ({ iceServers: [], expiresInS: null }), log: silentLogger, now,
  });
  t.after(() => world.close());
  await car.start();
  const writes: number[] = [];
  car.on('write', (bytes: Uint8Array) => writes.push(...bytes));
  const ctx = fakeContext(now, all);
  return {
    world, car, writes,
    join(id, page) {
      const { session, peer } = fakeSession(ctx, { id, page });
      world.attach(session);
      return peer;
    },
    tick: (ms) => t.mock.timers.tick(ms),
  };
}
