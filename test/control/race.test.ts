// Races end to end: real clients over loopback, the simulated arena, scripted drivers (lap-bot.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { ArenaMessage, LapsMessage, PosesMessage, RaceMessage } from '../../src/control/protocol/messages.js';
import { driveRoute, routes } from '../support/lap-bot.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';

const sims = (...names: string[]) => ({ cars: names.map((name) => ({ name, link: 'sim', codec: 'iracer' as const })) });
const phase = (client: Client, p: RaceMessage['phase'], from = 0) =>
  client.expect('race', (m) => (m as unknown as RaceMessage).phase === p, from) as unknown as Promise<RaceMessage>;

test('a race of four simulated cars: two drive a lap, one drives it backwards, one cuts across; only whole laps count', async (t) => {
  const server = await startServer(t, sims('red', 'blue', 'green', 'yellow'));
  const [red, blue, green, yellow] = await Promise.all(['red', 'blue', 'green', 'yellow'].map((car) => connect(t, wsUrl(server, `/ws?car=${car}`))));
  const watcher = await connect(t, wsUrl(server, '/ws?car=red'));
  for (const c of [red, blue, green, yellow]) assert.equal(c.welcome.role, 'driver');

  // Every page is told of the arena: the cars in their colours, the circuit, where the cars stand.
  const arena = (await watcher.expect('arena', () => true, 0)) as unknown as ArenaMessage;
  assert.deepEqual(arena.cars.map((c) => [c.name, c.colour, c.sim]),
    [['red', '#e53935', true], ['blue', '#1e88e5', true], ['green', '#43a047', true], ['yellow', '#fdd835', true]]);
  assert.equal(arena.circuit.checkpoints.length, 3);
  const poses = (await watcher.expect('poses', () => true, 0)) as unknown as PosesMessage;
  assert.deepEqual(Object.keys(poses.poses), ['red', 'blue', 'green', 'yellow']);
  assert.deepEqual(poses.poses.blue, { x: 0.5, y: -0.25, heading: 0, speed: 0 }, 'each car on its own grid slot');

  assert.equal((await watcher.expect('race', () => true, 0) as unknown as RaceMessage).phase, 'none');
  red.send({ type: 'name', name: 'Ada' });

  // Anyone allowed to drive may start it; every page sees the countdown, and the cars are held.
  const mark = watcher.mark();
  blue.send({ type: 'race-start', laps: 1 });
  const countdown = await phase(watcher, 'countdown', mark);
  assert.equal(countdown.laps, 1);
  assert.ok(countdown.startsInMs! > 0 && countdown.startsInMs! <= 3000, String(countdown.startsInMs));
  await phase(yellow, 'countdown', 0);
  red.send({ type: 'drive', x: 0, y: 1 });
  const held = await red.expect('error', (m) => m.code === 'held', 0);
  assert.match(held.message, /held: a race is about to start: drive at go/);
  assert.equal(server.fleet.get('red')!.driver.state.direction, 'stop', 'held: the car did not move');

  await Promise.all([red, blue, green, yellow].map((c) => phase(c, 'running', 0)));
  await Promise.all([
    driveRoute(red, 'red', routes(arena.circuit).lap),
    // A head start on the same line, so blue finishes second. Not an event's stand-in that we could find:
    // starting blue at red's finish instead left blue's bot short of its route (waypoint 7 of 52 at 60 s).
    new Promise((r) => setTimeout(r, 1500)).then(() => driveRoute(blue, 'blue', routes(arena.circuit).lap)),
    driveRoute(green, 'green', routes(arena.circuit).backwards),
    driveRoute(yellow, 'yellow', routes(arena.circuit).cut),
  ]);
  // Red and blue have finished; green and yellow never will: a spectator ends the race.
  const before = watcher.mark();
  watcher.send({ type: 'race-end' });
  const result = await phase(watcher, 'finished', before);
  // Red and blue finish in the order their bots got round (blue's head start makes it red first on a quiet
  // machine; a loaded one may not): placed by finish time, then the cars still racing.
  const [first, second] = result.standings;
  assert.deepEqual([first.car, second.car].sort(), ['blue', 'red']);
  assert.deepEqual(result.standings.map((s) => [s.position, s.laps, s.status]), [
    [1, 1, 'finished'], [2, 1, 'finished'], [3, 0, 'racing'], [4, 0, 'racing'],
  ]);
  assert.deepEqual(result.standings.slice(2).map((s) => s.car), ['green', 'yellow']);
  // Ada by her name; the others, who set none, by a default: never a client id.
  const driverOf = new Map(result.standings.map((s) => [s.car, s.driver]));
  const [blueName, greenName, yellowName] = ['blue', 'green', 'yellow'].map((car) => driverOf.get(car));
  assert.equal(driverOf.get('red'), 'Ada');
  for (const name of [blueName, greenName, yellowName]) assert.match(name ?? '', /^Driver \d+$/);
  assert.equal(new Set([blueName, greenName, yellowName]).size, 3, 'each its own');
  assert.ok(first.finishMs! < second.finishMs!, 'placed by finish time');
  assert.match(result.note ?? '', /^ended by Driver \d+$/);
  const laps = watcher.inbox.filter((m) => m.type === 'laps').pop() as unknown as LapsMessage;
  assert.deepEqual(laps.cars.map((c) => [c.car, c.laps, c.driver]), [['red', 1, 'Ada'], ['blue', 1, blueName], ['green', 0, null], ['yellow', 0, null]]);
  assert.deepEqual(laps.drivers.map((d) => d.driver).sort(), ['Ada', blueName].sort());

  assert.equal(watcher.inbox.filter((m) => m.type === 'telemetry').length, 1,
    'with several simulated cars a page\'s own car comes in poses: its telemetry only with the welcome');
  const seen = watcher.inbox.filter((m) => m.type === 'poses') as unknown as PosesMessage[];
  assert.ok(seen.some((m) => m.poses.red.y > 1), 'red\'s page saw red move, in poses');
  // The first came with the welcome; the feed after it: at most 20 a second (timers may fire a ms early).
  const feed = seen.slice(1);
  for (let i = 1; i < feed.length; i++) assert.ok(feed[i].t - feed[i - 1].t >= 45, `at most 20 a second (${feed[i - 1].t} -> ${feed[i].t})`);
  assert.ok(feed.length - 1 <= (feed.at(-1)!.t - feed[0].t) / 50 + 1, `${feed.length} poses in ${feed.at(-1)!.t - feed[0].t} ms`);

  // The result is kept until the next race: a page that comes now is told it.
  const late = await connect(t, wsUrl(server, '/ws?car=green'));
  const kept = (await late.expect('race', () => true, 0)) as unknown as RaceMessage;
  assert.deepEqual(kept.standings, result.standings);
});

test('a real car races with a marshal marking its laps; a car whose driver leaves is out once its seat is not held', async (t) => {
  const sink = createServer((socket) => socket.on('data', () => {}));
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  t.after(() => sink.close());
  const port = (sink.address() as { port: number }).port;
  const server = await startServer(t, {
    cars: [{ name: 'real', link: `tcp:127.0.0.1:${port}`, codec: 'iracer' }, { name: 'sim', link: 'sim', codec: 'iracer' }],
    resumeWindowMs: 300,
  });
  const realDriver = await connect(t, wsUrl(server, '/ws?car=real'));
  const simDriver = await connect(t, wsUrl(server, '/ws?car=sim'));
  const marshal = await connect(t, wsUrl(server, '/ws?car=real'));
  await realDriver.state({ link: 'connected' }, 0).catch(() => realDriver.state({ link: 'connected' }));
  const arena = (await marshal.expect('arena', () => true, 0)) as unknown as ArenaMessage;
  assert.deepEqual(arena.cars.map((c) => [c.name, c.sim]), [['real', false], ['sim', true]]);

  // Moving when the countdown begins: stopped at once, and told why.
  realDriver.arm();
  realDriver.send({ type: 'drive', x: 0, y: 1 });
  await realDriver.state({ direction: 'forward' });
  marshal.send({ type: 'race-start', laps: 1 });
  await realDriver.expect('notice', (m) => m.code === 'held', 0);
  await realDriver.state({ direction: 'stop' }, 0);
  await phase(realDriver, 'running', 0);
  // Go: the stick still held from before the countdown does not launch the car; centred, it drives.
  const held = realDriver.mark();
  realDriver.send({ type: 'drive', x: 0, y: 1 });
  await realDriver.expect('notice', (m) => m.code === 'held' && /centre the stick/.test(m.message), held);
  await realDriver.roundTrip();
  assert.equal(server.fleet.get('real')!.driver.state.direction, 'stop');
  realDriver.send({ type: 'drive', x: 0, y: 0 });
  realDriver.send({ type: 'drive', x: 0, y: 1 });
  await realDriver.state({ direction: 'forward' });
  realDriver.send({ type: 'stop' });

  // Grace names herself while racing, then leaves: the car is out, and the standings keep her name.
  simDriver.send({ type: 'name', name: 'Grace' });
  await marshal.expect('race', (m) => (m as unknown as RaceMessage).standings.some((s) => s.car === 'sim' && s.driver === 'Grace'), 0);
  simDriver.ws.close();
  await marshal.expect('race', (m) => (m as unknown as RaceMessage).standings.some((s) => s.car === 'sim' && s.status === 'out'), 0);
  marshal.send({ type: 'lap-mark', car: 'sim' });
  await marshal.expect('error', (m) => m.code === 'race_state' && /simulated/.test(m.message), 0);
  marshal.send({ type: 'lap-mark', car: 'REAL' });
  await marshal.expect('error', (m) => m.code === 'race_state' && /a moment ago/.test(m.message), 0); // within 2 s of go
  await new Promise((r) => setTimeout(r, 2100)); // a rule about time (one mark per 2 s) on the server's real clock: race-rules.test.ts fakes it
  marshal.send({ type: 'lap-mark', car: 'real' });
  const result = await phase(marshal, 'finished', 0);
  assert.deepEqual(result.standings.map((s) => [s.car, s.laps, s.status]), [['real', 1, 'finished'], ['sim', 0, 'out']]);
  assert.equal(result.standings[1].driver, 'Grace', 'a result keeps the name of a driver who left');
  assert.match(result.standings[0].driver ?? '', /^Driver \d+$/, 'one who set no name: a default, not a client id');
  assert.equal(result.note, undefined, 'it ended by itself: every car finished or out');
  marshal.send({ type: 'lap-mark', car: 'real' });
  await marshal.expect('error', (m) => m.code === 'race_state' && /not racing/.test(m.message), 0);
});

test('race messages: malformed ones are refused with the field, and so are ones that do not fit or come from the wrong client', async (t) => {
  const server = await startServer(t, { ...sims('red', 'blue'), token: 'sesame' });
  const owner = await connect(t, wsUrl(server, '/ws?car=red'));
  const stranger = await connect(t, wsUrl(server, '/ws?car=blue'));
  const refused = async (client: Client, message: object, code: string, field?: string) => {
    const from = client.mark();
    client.send(message);
    const error = await client.expect('error', () => true, from);
    assert.equal(error.code, code, `${JSON.stringify(message)}: ${error.message}`);
    if (field !== undefined) assert.equal(error.field, field, JSON.stringify(message));
    return error;
  };
  for (const [message, field] of [
    [{ type: 'race-start' }, 'laps'], [{ type: 'race-start', laps: 0 }, 'laps'], [{ type: 'race-start', laps: 51 }, 'laps'],
    [{ type: 'race-start', laps: '3' }, 'laps'], [{ type: 'race-start', laps: 2.5 }, 'laps'], [{ type: 'race-start', laps: 2, go: 1 }, 'go'],
    [{ type: 'race-end', now: true }, 'now'], [{ type: 'lap-mark' }, 'car'], [{ type: 'lap-mark', car: '' }, 'car'],
    [{ type: 'name', name: '' }, 'name'], [{ type: 'name', name: 'x'.repeat(25) }, 'name'], [{ type: 'name', name: 'a\nb' }, 'name'],
    [{ type: 'name', name: '   ' }, 'name'], [{ type: 'name', name: 'Ada\u202e' }, 'name'],
  ] as const) await refused(stranger, message, 'invalid_message', field);

  // Without the token: watching, not racing.
  for (const message of [{ type: 'race-start', laps: 1 }, { type: 'race-end' }, { type: 'lap-mark', car: 'red' }]) {
    await refused(stranger, message, 'unauthorized');
  }
  owner.send({ type: 'auth', token: 'sesame' });
  await owner.expect('role', (m) => m.role === 'driver', 0);
  await refused(owner, { type: 'race-end' }, 'race_state');
  const unknown = await refused(owner, { type: 'lap-mark', car: 'green' }, 'unknown_car');
  assert.equal(unknown.message, "no car named 'green'; the cars are: red, blue");

  // Driven off the grid; the race's start puts it back on its slot, stopped.
  owner.arm();
  owner.send({ type: 'drive', x: 0.7, y: 0.7 });
  await owner.next((m) => m.type === 'poses' && (m.poses as PosesMessage['poses']).red.x > 0.2, 'red off its slot');
  const started = owner.mark();
  owner.send({ type: 'race-start', laps: 2 });
  await phase(owner, 'countdown', started);
  await owner.next((m) => m.type === 'poses' && JSON.stringify((m.poses as PosesMessage['poses']).red) === JSON.stringify({ x: 0, y: 0, heading: 0, speed: 0 }),
    'red back on the pole position', started);
  assert.equal(server.fleet.get('red')!.driver.state.direction, 'stop');
  await refused(owner, { type: 'race-start', laps: 1 }, 'race_state');
  await refused(owner, { type: 'lap-mark', car: 'red' }, 'race_state');
  // Calling off the countdown frees the cars at once.
  const calledOff = owner.mark();
  owner.send({ type: 'race-end' });
  const none = await phase(owner, 'none', calledOff);
  assert.match(none.note ?? '', /^called off by Driver \d+$/, 'by name (a default here), not a client id');
  // (It was moving when the hold began: its stick must come back to centre first.)
  owner.send({ type: 'drive', x: 0, y: 0 });
  owner.send({ type: 'drive', x: 0, y: 1 });
  await owner.state({ direction: 'forward' });
  owner.send({ type: 'stop' });
  assert.equal(owner.inbox.filter((m) => m.type === 'error' && m.code === 'held').length, 0);
});
