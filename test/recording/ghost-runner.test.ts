// The ghost's runner on fake time (src/control/ghost/, src/recording/ghost-script.ts): a recording drives a
// simulated car of its own, seen by every page of a simulated car, ended, lingering and gone on the
// virtual clock; removed only with its key; at most MAX_GHOSTS at once, starts rate-limited per address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import type { CarWorld } from '../../src/control/car/car-world.js';
import type { CarEventListener } from '../../src/control/car/car-events.js';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { GhostYard, LINGER_MS, MAX_GHOSTS, MAX_GHOST_MS, STARTS_PER_WINDOW, START_WINDOW_MS, type GhostScript } from '../../src/control/ghost/ghost-yard.js';
import { createLogger, silentLogger, type LogRecord } from '../../src/control/log.js';
import type { GhostCar } from '../../src/control/protocol/messages.js';
import { ghostScriptOf, labelOf } from '../../src/recording/ghost-script.js';
import { parseRecording } from '../../src/recording/reader.js';
import { VirtualClock, type Clock, type Driver } from '../../src/vehicle/index.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);

/** A page of a simulated car: what it is sent. */
interface Page { session: ClientSession; ghosts: () => GhostCar[][] }

function page(camera = false): Page {
  const texts: string[] = [];
  const session = { id: `p${Math.random()}`, camera, ws: { bufferedAmount: 0 }, sendText: (json: string) => texts.push(json) } as unknown as ClientSession;
  const ghosts = () => texts.map((t) => JSON.parse(t) as { type: string; ghosts: GhostCar[] }).filter((m) => m.type === 'ghosts').map((m) => m.ghosts);
  return { session, ghosts };
}

/** A simulated car's world as the yard sees it: its pages, and its `client` events. */
function world(pages: Page[]): CarWorld & { join(p: Page): void } {
  const listeners = new Set<CarEventListener>();
  const sessions = new Map(pages.map((p) => [p.session.id, p.session]));
  return {
    events: { listen: (fn: CarEventListener) => (listeners.add(fn), () => listeners.delete(fn)) },
    clients: () => sessions.values(),
    client: (id: string) => sessions.get(id),
    join(p: Page) {
      sessions.set(p.session.id, p.session);
      for (const fn of listeners) fn({ kind: 'client', client: p.session.id, joined: true });
    },
  } as unknown as CarWorld & { join(p: Page): void };
}

/** Drives forward for `ms`, then stops: a script without a recording. */
function forward(ms: number): GhostScript {
  return {
    label: 'ghost · a test', codec: 'iracer', limits: { watchdogMs: 1_000, refreshMs: 0 }, start: null, durationMs: ms,
    play(driver, clock) {
      let stop = (): void => {};
      const done = new Promise<void>((resolve) => {
        const refresh = clock.setInterval(() => driver.drive({ kind: 'analog', x: 0, y: 1 }), 100);
        driver.drive({ kind: 'analog', x: 0, y: 1 });
        const end = clock.setTimeout(() => stop(), ms);
        stop = () => {
          clock.clearTimeout(refresh);
          clock.clearTimeout(end);
          driver.stop();
          resolve();
        };
      });
      return { done, stop: () => stop() };
    },
  };
}

/** Moves the virtual clock in 10 ms steps, letting promises and the fan-out's turns run between. */
async function advance(clock: VirtualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 10) {
    clock.runUntil(clock.now() + Math.min(10, left));
    await turn();
  }
}

function yardWith(pages: Page[], clock: VirtualClock) {
  const sim = world(pages);
  const yard = new GhostYard({ sims: [sim], log: silentLogger, clock });
  return { yard, sim };
}

test('a recording drives its ghost as recorded: seen on every page of a simulated car (not a camera), stopped at its end, shown ended for a while, then gone', async (t) => {
  const clock = new VirtualClock();
  const [ada, cam] = [page(), page(true)];
  const { yard } = yardWith([ada, cam], clock);
  t.after(() => yard.close());
  const recording = parseRecording(readFileSync(FIXTURE, 'utf8'));
  const script = await ghostScriptOf(recording);
  const started = yard.start(script, '192.0.2.1');
  assert.ok(started.ok);
  assert.equal(started.ghost.id, 'ghost-1');
  assert.match(started.ghost.label, /^ghost · /);
  await advance(clock, recording.end.t + 100);
  const seen = ada.ghosts();
  const poses = seen.flatMap((list) => list.map((g) => g.pose));
  assert.ok(poses.some((p) => Math.hypot(p.x, p.y) > 0.05), 'the ghost moved');
  // At most 20 messages a second while it moves (and one more for each start and end).
  assert.ok(seen.length <= Math.ceil(recording.end.t / 50) + 3, `${seen.length} messages in ${recording.end.t} ms`);
  const last = seen.at(-1)![0];
  assert.equal(last.ended, true);
  assert.equal(last.pose.speed, 0, 'stopped at its end');
  const end = recording.end.pose!;
  assert.ok(Math.hypot(last.pose.x - end.x, last.pose.y - end.y) < 0.1, `ends where the recorded car ended: ${JSON.stringify(last.pose)} vs ${JSON.stringify(end)}`);
  assert.equal(cam.ghosts().length, 0, 'a camera page shows no map');
  assert.equal(yard.list().length, 1, 'still shown just after its end');
  await advance(clock, LINGER_MS + 50);
  assert.deepEqual(yard.list(), []);
  assert.deepEqual(ada.ghosts().at(-1), [], 'the pages are told it went');
});

test('a ghost is removed only with the key its start answered with; removed, its car stops and it goes at once', async (t) => {
  const clock = new VirtualClock();
  const ada = page();
  const { yard } = yardWith([ada], clock);
  t.after(() => yard.close());
  const started = yard.start(forward(5_000), '192.0.2.1');
  assert.ok(started.ok);
  await advance(clock, 500);
  const moving = ada.ghosts().at(-1)![0].pose;
  assert.ok(moving.speed > 0, 'driving');
  assert.equal(yard.remove('ghost-1', 'not-the-key'), 'wrong-key');
  assert.equal(yard.remove('ghost-9', started.key), 'no-such-ghost');
  assert.equal(yard.list().length, 1);
  assert.equal(yard.remove('ghost-1', started.key), 'removed');
  await advance(clock, 20);
  assert.deepEqual(yard.list(), []);
  assert.deepEqual(ada.ghosts().at(-1), []);
});

test('at most 3 ghosts at once, 6 starts a minute from one address, none past 10 minutes: each refused with why', async (t) => {
  const clock = new VirtualClock();
  const { yard } = yardWith([page()], clock);
  t.after(() => yard.close());
  assert.deepEqual([MAX_GHOSTS, STARTS_PER_WINDOW, MAX_GHOST_MS], [3, 6, 600_000], 'the bounds this test is named for');
  const keys: string[] = [];
  for (let i = 0; i < MAX_GHOSTS; i++) {
    const s = yard.start(forward(60_000), '192.0.2.1');
    assert.ok(s.ok);
    keys.push(s.key);
  }
  const full = yard.start(forward(1_000), '192.0.2.2');
  assert.ok(!full.ok);
  assert.equal(full.status, 409);
  assert.match(full.message, /3 ghosts are in the arena already/);
  // Three removed and three started again from the same address: the sixth start this minute is the last.
  for (let i = 0; i < MAX_GHOSTS; i++) assert.equal(yard.remove(`ghost-${i + 1}`, keys[i]), 'removed');
  for (let i = 0; i < STARTS_PER_WINDOW - MAX_GHOSTS; i++) {
    const s = yard.start(forward(100), '192.0.2.1');
    assert.ok(s.ok);
    assert.equal(yard.remove(s.ghost.id, s.key), 'removed');
  }
  const often = yard.start(forward(100), '192.0.2.1');
  assert.ok(!often.ok);
  assert.equal(often.status, 429);
  assert.match(often.message, /6 ghosts a minute from one address at most: try again in \d+ s/);
  assert.ok(yard.start(forward(100), '192.0.2.3').ok, 'another address is not held up');
  await advance(clock, START_WINDOW_MS);
  assert.ok(yard.start(forward(100), '192.0.2.1').ok, 'a minute later it may again');
  const long = yard.start(forward(MAX_GHOST_MS + 1), '192.0.2.4');
  assert.ok(!long.ok);
  assert.equal(long.status, 413);
});

test('a page that comes while a ghost runs is told of it at once; a server without a simulated car shows none', async (t) => {
  const clock = new VirtualClock();
  const { yard, sim } = yardWith([], clock);
  t.after(() => yard.close());
  assert.ok(yard.start(forward(2_000), '192.0.2.1').ok);
  await advance(clock, 200);
  const late = page();
  sim.join(late);
  assert.equal(late.ghosts().length, 1);
  assert.equal(late.ghosts()[0][0].id, 'ghost-1');
  const none = new GhostYard({ sims: [], log: silentLogger, clock });
  const refused = none.start(forward(100), '192.0.2.1');
  assert.ok(!refused.ok);
  assert.equal(refused.status, 503);
  assert.match(refused.message, /no simulated car/);
});

test('closing the yard (the server closes) stops every ghost\'s car, closes its link, and takes no new ghost', async () => {
  const clock = new VirtualClock();
  const { yard } = yardWith([page()], clock);
  const script = forward(5_000);
  let car: Driver | null = null;
  const started = yard.start({ ...script, play: (driver, c) => ((car = driver), script.play(driver, c)) }, '192.0.2.1');
  assert.ok(started.ok);
  await advance(clock, 300);
  assert.equal(car!.state.direction, 'forward');
  const closing = yard.close();
  clock.runUntil(clock.now() + 100);
  await closing;
  assert.equal(car!.state.direction, 'stop');
  assert.equal(car!.state.link, 'closed');
  assert.deepEqual(yard.list(), []);
  const refused = yard.start(forward(100), '192.0.2.1');
  assert.ok(!refused.ok);
  assert.equal(refused.status, 503);
});

test('a ghost\'s label: the name its driver gave, if the server\'s name rule takes it; else the car\'s, never a client id', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const named = (name: unknown) => {
    const lines = text.split('\n');
    lines.splice(2, 0, JSON.stringify({ t: 1, kind: 'message', client: 'c1', message: { type: 'name', name } }));
    return labelOf(parseRecording(lines.join('\n')));
  };
  assert.equal(named('Ada'), "ghost · Ada's drive");
  assert.equal(named('Ad\u202Ea'), 'ghost · a drive on car', 'a bidi override');
  assert.equal(named('x'.repeat(200)), 'ghost · a drive on car', 'too long');
  assert.equal(named(42), 'ghost · a drive on car', 'not text');
  assert.equal(labelOf(parseRecording(text)), 'ghost · a drive on car', 'no name: the car, not c1');
});

/** Waits (a turn of the event loop at a time, 20 ms apart) until `ok`; fails after `ms`. */
async function until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ok()) {
    assert.ok(performance.now() < deadline, `${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a stalled process only pauses a ghost: on the real clock, the event loop held up 400 ms mid-run, it drives to the end and ends exactly where it does on fake time', async (t) => {
  const recording = parseRecording(readFileSync(FIXTURE, 'utf8'));
  const clock = new VirtualClock();
  const calm = yardWith([page()], clock);
  t.after(() => calm.yard.close());
  assert.ok(calm.yard.start(await ghostScriptOf(recording), '192.0.2.1').ok);
  await advance(clock, recording.end.t + 100);
  const expected = calm.yard.list()[0];
  assert.equal(expected.ended, true);

  const ada = page();
  const busy = new GhostYard({ sims: [world([ada])], log: silentLogger }); // the process's own clock
  t.after(() => busy.close());
  assert.ok(busy.start(await ghostScriptOf(recording), '192.0.2.1').ok);
  await until(() => (ada.ghosts().at(-1)?.[0]?.pose.speed ?? 0) > 0, 'the ghost drives');
  const stalled = performance.now() + 400;
  while (performance.now() < stalled); // the event loop held up, as a busy machine does (a 250 ms lag ended a replay)
  await until(() => busy.list()[0]?.ended === true, 'the ghost ends');
  assert.deepEqual(busy.list()[0].pose, expected.pose, 'the same end, to the last bit: the ghost\'s own time paused while the process stalled');
});

/** `forward(ms)`, and at `afterMs` on the ghost's own clock, `fault` (a timer gone wrong). */
function faulty(ms: number, afterMs: number, fault: (clock: Clock) => void): GhostScript & { car: () => Driver } {
  const script = forward(ms);
  let car: Driver | null = null;
  return {
    ...script,
    car: () => car!,
    play(driver, clock) {
      car = driver;
      clock.setTimeout(() => fault(clock), afterMs);
      return script.play(driver, clock);
    },
  };
}

test('a ghost whose own time runs away (a timer re-arming itself at once) or throws is ended with why in the log, its car stopped, and the server goes on: never a hang', { timeout: 60_000 }, async (t) => {
  const clock = new VirtualClock();
  const ada = page();
  const errors: LogRecord[] = [];
  const log = createLogger((record) => void (record.level === 'error' && errors.push(record)));
  const yard = new GhostYard({ sims: [world([ada])], log, clock });
  t.after(() => yard.close());
  const spin = faulty(5_000, 300, (c) => {
    const again = (): void => void c.setTimeout(again, 0);
    again();
  });
  const boom = faulty(5_000, 400, () => {
    throw new Error('boom');
  });
  const calm = forward(1_000);
  for (const script of [spin, boom, calm]) assert.ok(yard.start(script, '192.0.2.1').ok);
  await advance(clock, 200);
  assert.ok(yard.list().every((g) => g.pose.speed > 0 && !g.ended), 'all three drive');

  await advance(clock, 300);
  const [spun, thrown, driving] = yard.list();
  assert.equal(spun.ended, true, 'the runaway ghost ended');
  assert.equal(spun.pose.speed, 0);
  assert.equal(spin.car().state.direction, 'stop', 'its car stopped');
  assert.equal(thrown.ended, true, 'the ghost whose timer threw ended');
  assert.equal(boom.car().state.direction, 'stop');
  assert.equal(driving.ended, false, 'the others drive on');
  assert.ok(driving.pose.speed > 0);
  assert.deepEqual(errors.map((e) => [e.event, e.fields.ghost]), [['ghost_fault', 'ghost-1'], ['ghost_fault', 'ghost-2']]);
  assert.match(errors[0].message!, /^ghost-1 ended, its car stopped: its own time went wrong \(more than 1000 timers fired in one run at \d+(\.\d+)? ms: a timer re-arming itself as time stands still\)$/);
  assert.match(errors[1].message!, /^ghost-2 ended, its car stopped: its own time went wrong \(boom\)$/);
  assert.ok(ada.ghosts().at(-1)!.slice(0, 2).every((g) => g.ended), 'the pages are told');

  await advance(clock, 1_000);
  assert.equal(yard.list().find((g) => g.id === 'ghost-3')?.ended, true, 'the calm ghost ends at its own end');
  await advance(clock, LINGER_MS + 50);
  assert.deepEqual(yard.list(), [], 'and all go');
});
