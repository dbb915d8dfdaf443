// "Race my best lap" (docs/races.md): the best lap's input is kept without any recording, and a ghost of
// it drives the lap again, on its own simulated car only. The cars and ghosts run on a VirtualClock here,
// so a lap of 10 s and more takes milliseconds and its timing is exactly the same every run.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CarWorld } from '../../src/control/car/car-world.js';
import { Fleet } from '../../src/control/fleet.js';
import { GhostYard } from '../../src/control/ghost/ghost-yard.js';
import { silentLogger } from '../../src/control/log.js';
import type { Limits, Pose } from '../../src/control/protocol/messages.js';
import { BestLaps, MAX_KEPT } from '../../src/control/race/best-laps.js';
import { BEST_LAPS_FILE, BestLapsFile } from '../../src/control/race/best-laps-file.js';
import { LapTraces, MAX_TRACE_STEPS, type LapTrace } from '../../src/control/race/lap-trace.js';
import { Raceway } from '../../src/control/race/raceway.js';
import { CIRCUIT } from '../../src/control/track/circuit.js';
import { createCodec, Driver, SimLink, VirtualClock } from '../../src/vehicle/index.js';
import { fakeContext, fakeSession, TEST_LIMITS, type FakePeer } from './fake-peer.js';
import { routes, steerTowards, waypointFrom, type Waypoint } from '../support/lap-bot.js';
import { tempDir } from '../recording/helpers.js';

/** A watchdog the bot can trip on purpose by going quiet. */
const LIMITS: Limits = { ...TEST_LIMITS, watchdogMs: 300 };

interface Arena {
  clock: VirtualClock;
  world: CarWorld;
  ghosts: GhostYard;
  join(id: string): FakePeer;
  /** The server stops: resolves once its best laps are written. */
  close(): Promise<void>;
}

/** One simulated car `red` with its raceway and ghosts (a server, without the network); `file`: where its best laps are kept. */
async function arena(t: TestContext, file?: BestLapsFile): Promise<Arena> {
  const clock = new VirtualClock(1000);
  const now = () => clock.now();
  const link = new SimLink({ clock });
  const driver = new Driver({ link, codec: createCodec('iracer'), watchdogMs: LIMITS.watchdogMs, clock });
  const world = new CarWorld({
    name: 'red', driver, link, codec: 'iracer', accessories: [], linkKind: 'sim', limits: LIMITS, authRequired: false,
    maxViewers: 1, iceServers: () => ({ iceServers: [], expiresInS: null }), log: silentLogger, now,
  });
  await driver.start();
  const ghosts = new GhostYard({ sims: [world], log: silentLogger, clock });
  const raceway = new Raceway(new Fleet([world], new Set(['red'])), { now, log: silentLogger, ghosts, bestLapsFile: file });
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= (async () => {
    const saved = raceway.close();
    await ghosts.close();
    await world.close();
    await saved;
  })());
  t.after(close);
  const ctx = fakeContext(now, LIMITS);
  return {
    clock, world, ghosts, close,
    join(id) {
      const { session, peer } = fakeSession(ctx, { id });
      world.attach(session);
      return peer;
    },
  };
}

/**
 * Drives the route closed loop, a drive message every 37 ms (off the simulator's 50 ms grid), and goes
 * quiet once for longer than the watchdog after `quietAfter` messages (the watchdog's stop is then part of
 * the lap, and the bot shows neutral again before it pushes). Resolves on the route's end.
 */
function driveRoute(a: Arena, peer: FakePeer, route: readonly Waypoint[], quietAfter: number): void {
  let sent = 0;
  peer.say({ type: 'drive', x: 0, y: 0 });
  for (let next = 0; (next = waypointFrom(a.world.driver.pose!, route, next)) < route.length;) {
    const steer = steerTowards(a.world.driver.pose!, route[next]);
    peer.say(steer === 0 ? { type: 'drive', x: 0, y: 1 } : { type: 'drive', x: steer * Math.SQRT1_2, y: Math.SQRT1_2 });
    if (++sent === quietAfter) {
      a.clock.runUntil(a.clock.now() + LIMITS.watchdogMs + 120); // the watchdog stops the car
      peer.say({ type: 'drive', x: 0, y: 0 });
    }
    a.clock.runUntil(a.clock.now() + 37);
    assert.ok(a.clock.now() < 120_000, 'the route is driven in two minutes');
  }
  peer.say({ type: 'stop' });
}

/** The pose of the car whenever a best-lap message reached `peer`: where that lap ended. */
function lapEnds(a: Arena, peer: FakePeer): Pose[] {
  const ends: Pose[] = [];
  let told = 0;
  a.world.events.listen((event) => {
    if (event.kind !== 'pose' || peer.of('best-lap').length === told) return;
    told = peer.of('best-lap').length;
    ends.push(event.pose);
  });
  return ends;
}

test('race my best lap: a ghost drives the driver\'s lap again from where it started, and ends where it ended, to the micrometre', async (t) => {
  const a = await arena(t);
  const ada = a.join('c1');
  ada.say({ type: 'name', name: 'Ada' });
  const { lapMs, end } = setLap(a, ada);
  assert.equal(ada.last('laps').drivers[0].bestMs, lapMs, 'the lap book\'s best lap');
  assert.ok(lapMs > 8000, `a whole lap: ${lapMs} ms`);

  a.clock.runUntil(a.clock.now() + 1000); // the car at rest where the route ended
  const live = a.world.driver.pose!;
  ada.say({ type: 'race-best-lap' });
  await new Promise((resolve) => setImmediate(resolve)); // the ghost's link opens
  const [ghost] = a.ghosts.list();
  assert.equal(ghost.label, 'ghost · Ada\'s best lap');
  assert.ok(Math.abs(ghost.pose.y - CIRCUIT.startLine.a.y) < 0.1, `it starts on the start line: ${JSON.stringify(ghost.pose)}`);
  a.clock.runUntil(a.clock.now() + lapMs + 500);
  await new Promise((resolve) => setImmediate(resolve)); // the script's end is told through a promise
  const [after] = a.ghosts.list();
  assert.equal(after.ended, true, 'the lap is over: the ghost stopped');
  assert.ok(Math.hypot(after.pose.x - end.x, after.pose.y - end.y) < 1e-6, `ghost ${JSON.stringify(after.pose)} lap ${JSON.stringify(end)}`);
  assert.ok(Math.abs(after.pose.heading - end.heading) < 1e-6);
  assert.deepEqual(a.world.driver.pose, live, 'the live car did not move while the ghost drove');
  assert.equal(ada.of('error').length, 0, JSON.stringify(ada.of('error')));

  // A best-lap ghost is one of the yard's: with the ended one still shown, two more fill it, a fourth is refused.
  for (let i = 0; i < 3; i++) ada.say({ type: 'race-best-lap' });
  assert.equal(a.ghosts.list().length, 3);
  assert.equal(ada.last('error').code, 'ghost_refused');
  assert.match(ada.last('error').message, /^3 ghosts are in the arena already, the most at once/);
});

/**
 * Drives one whole lap of `red` (round once to cross the start line, where a lap starts, then round again:
 * the lap ends there): the lap's time and where it ended.
 */
function setLap(a: Arena, peer: FakePeer): { lapMs: number; end: Pose } {
  const ends = lapEnds(a, peer);
  const line = routes(CIRCUIT).lap;
  driveRoute(a, peer, [...line, ...line], 420);
  assert.equal(peer.of('best-lap').length, 1, 'one lap was set, and its driver was told');
  assert.equal(ends.length, 1);
  return { lapMs: peer.last('best-lap').lapMs, end: ends[0] };
}

test('race my best lap after a restart: the lap kept in best-laps.json is offered again, and its ghost ends where the lap ended', async (t) => {
  const path = join(tempDir(t, 'webracer-names-keep-best-laps-'), BEST_LAPS_FILE);
  const before = await arena(t, new BestLapsFile(path, silentLogger));
  const ada = before.join('c1');
  ada.say({ type: 'name', name: 'Ada' });
  const { lapMs, end } = setLap(before, ada);
  await before.close(); // the server stops: the lap is written
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).laps.length, 1);

  const after = await arena(t, new BestLapsFile(path, silentLogger)); // and starts again on the same folder
  const back = after.join('c1');
  back.say({ type: 'name', name: 'Ada' });
  assert.deepEqual(back.of('best-lap'), [{ type: 'best-lap', car: 'red', lapMs }], 'race my best lap is offered again');
  back.say({ type: 'race-best-lap' });
  await new Promise((resolve) => setImmediate(resolve)); // the ghost's link opens
  assert.equal(after.ghosts.list()[0].label, 'ghost · Ada\'s best lap');
  after.clock.runUntil(after.clock.now() + lapMs + 500);
  await new Promise((resolve) => setImmediate(resolve));
  const [ghost] = after.ghosts.list();
  assert.equal(ghost.ended, true);
  assert.ok(Math.hypot(ghost.pose.x - end.x, ghost.pose.y - end.y) < 1e-6, `ghost ${JSON.stringify(ghost.pose)} lap ${JSON.stringify(end)}`);
  assert.ok(Math.abs(ghost.pose.heading - end.heading) < 1e-6);
  assert.equal(back.of('error').length, 0, JSON.stringify(back.of('error')));
});

test('a best lap set under a default name ("Driver 1") is not saved: that name is someone else after a restart', async (t) => {
  const path = join(tempDir(t, 'webracer-names-keep-best-laps-'), BEST_LAPS_FILE);
  const before = await arena(t, new BestLapsFile(path, silentLogger));
  setLap(before, before.join('c1'));
  await before.close();
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).laps, []);
});

test('race my best lap: a spectator without a lap is refused and nothing starts; a driver without one is told to drive one', async (t) => {
  const a = await arena(t);
  const driver = a.join('c1');
  const spectator = a.join('c2');
  assert.equal(a.world.summary().driver, 'c1');
  spectator.say({ type: 'race-best-lap' });
  const refused = spectator.last('error');
  assert.equal(refused.code, 'not_driver');
  assert.match(refused.message, /only red's driver, or someone with a best lap on red, may race a best lap/);
  driver.say({ type: 'race-best-lap' });
  assert.equal(driver.last('error').code, 'no_best_lap');
  assert.match(driver.last('error').message, /you have no lap on red yet: drive one/);
  spectator.say({ type: 'race-best-lap', car: 'red' });
  assert.equal(spectator.last('error').code, 'invalid_message', 'the message has no fields');
  assert.deepEqual(a.ghosts.list(), [], 'no ghost');
});

function trace(bytes = 100): LapTrace {
  const pose = { x: 0, y: 0, heading: 0, speed: 0 };
  return { car: 'red', start: pose, end: pose, durationMs: 10_000, steps: [], bytes };
}

test('best laps: only each driver\'s best on each car is kept, and at most MAX_KEPT, the oldest going first', () => {
  const best = new BestLaps();
  assert.equal(best.offer({ car: 'red', driver: 'Ada', lapMs: 12_000, trace: trace() }), true);
  assert.equal(best.offer({ car: 'red', driver: 'Ada', lapMs: 12_500, trace: trace() }), false, 'slower: not kept');
  assert.equal(best.offer({ car: 'red', driver: 'Ada', lapMs: 11_000, trace: trace() }), true);
  assert.equal(best.get('red', 'Ada')!.lapMs, 11_000);
  assert.equal(best.get('blue', 'Ada'), undefined, 'per car');
  for (let i = 0; i < MAX_KEPT; i++) best.offer({ car: 'red', driver: `Driver ${i}`, lapMs: 10_000, trace: trace() });
  assert.equal(best.get('red', 'Ada'), undefined, 'the oldest went');
  assert.ok(best.get('red', `Driver ${MAX_KEPT - 1}`));
});

test('lap traces: the demand in force at the start opens the trace; a lap over the bounds is not kept', () => {
  const traces = new LapTraces();
  const pose = { x: 0, y: 0, heading: 0, speed: 0 };
  traces.input('red', { kind: 'command', name: 'forward', durationMs: 1000 }, 100);
  traces.input('red', { kind: 'analog', x: 0, y: 1 }, 1010); // heard before the pose of the step at 1000
  traces.started('red', pose, 1000);
  traces.input('red', null, 1500); // the watchdog's stop
  const kept = traces.finished('red', pose, 2000)!;
  assert.deepEqual(kept.steps, [
    { t: 0, demand: { kind: 'command', name: 'forward', durationMs: 100 } },
    { t: 10, demand: { kind: 'analog', x: 0, y: 1 } },
    { t: 500, demand: { kind: 'command', name: 'stop' } },
  ]);
  assert.equal(kept.durationMs, 1000);

  traces.started('red', pose, 3000);
  for (let i = 0; i <= MAX_TRACE_STEPS; i++) traces.input('red', { kind: 'analog', x: 0, y: 1 }, 3000 + i);
  assert.equal(traces.finished('red', pose, 4000 + MAX_TRACE_STEPS), null, 'too many steps');
  traces.started('red', pose, 0);
  assert.equal(traces.finished('red', pose, 10 * 60_000 + 1), null, 'longer than a ghost may be');
  traces.started('red', pose, 0);
  traces.void('red');
  assert.equal(traces.finished('red', pose, 1000), null, 'voided (put on the grid)');
});
