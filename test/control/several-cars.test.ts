// Several cars on one server, each its own world: on real serial ports (socat ptys with the i-Racer
// emulator), one with its link down, and the lobby's live feed following drivers as they come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CarListing, RaceMessage } from '../../src/control/protocol/messages.js';
import { startEmulator, type Emulator } from '../../src/vehicle/emulator.js';
import { connect, ptyPair, startServer, upgradeStatus, WAIT_MS, wsUrl } from './helpers.js';

async function emulatedCar(t: Parameters<typeof ptyPair>[0]): Promise<{ path: string; emulator: Emulator }> {
  const [carEnd, deviceEnd] = await ptyPair(t);
  const emulator = startEmulator(deviceEnd);
  t.after(() => emulator.close());
  await emulator.opened;
  return { path: carEnd, emulator };
}

test('two cars on serial ports: driving one never writes a byte to the other', { timeout: 90_000 }, async (t) => {
  const [red, blue] = await Promise.all([emulatedCar(t), emulatedCar(t)]);
  const server = await startServer(t, { cars: [
    { name: 'red', link: `serial:${red.path}`, codec: 'iracer' }, { name: 'blue', link: `serial:${blue.path}`, codec: 'iracer' },
  ] });
  await Promise.all([red.emulator.waitForBytes(1, WAIT_MS), blue.emulator.waitForBytes(1, WAIT_MS)]); // each link's stop on connect
  const redDriver = await connect(t, wsUrl(server, '/ws?car=red'));
  const blueDriver = await connect(t, wsUrl(server, '/ws?car=blue'));

  redDriver.arm(); // the stop the car holds: no byte
  redDriver.send({ type: 'drive', x: 0, y: 1 });
  await red.emulator.waitForBytes(2, WAIT_MS);
  redDriver.sendText('{"command":"left","duration":0.2}');
  await red.emulator.waitForBytes(4, WAIT_MS); // left, then its stop
  redDriver.send({ type: 'drive', x: 0, y: -0.5 }); // the left command ended as asked: still armed
  redDriver.send({ type: 'stop' });
  await red.emulator.waitForBytes(6, WAIT_MS);
  assert.deepEqual(red.emulator.bytes, [0x00, 0x1f, 0x57, 0x00, 0x27, 0x00]);
  await blueDriver.roundTrip(); // anything for blue would have been written by now
  assert.deepEqual(blue.emulator.bytes, [0x00], 'blue got nothing of red\'s driving');

  blueDriver.arm();
  blueDriver.send({ type: 'drive', x: 1, y: 0 });
  blueDriver.send({ type: 'stop' });
  await blue.emulator.waitForBytes(3, WAIT_MS);
  assert.deepEqual(blue.emulator.bytes, [0x00, 0x4f, 0x00]); // right on the spot, full lock
  await redDriver.roundTrip();
  assert.equal(red.emulator.bytes.length, 6, 'and red nothing of blue\'s');
});

test('a car whose link is down: its commands are dropped and said so; the other car drives normally', async (t) => {
  const server = await startServer(t, { cars: [
    { name: 'away', link: 'serial:/dev/webracer-no-such-port', codec: 'iracer' }, { name: 'here', link: 'sim', codec: 'iracer' },
  ] });
  const away = await connect(t, wsUrl(server, '/ws?car=away'));
  const here = await connect(t, wsUrl(server, '/ws?car=here'));
  assert.notEqual(away.welcome.state.link, 'connected');
  away.arm();
  away.send({ type: 'drive', x: 0, y: 1 });
  await away.expect('error', (m) => m.code === 'link_down', 0);
  here.arm();
  here.send({ type: 'drive', x: 0, y: 1 });
  await here.state({ direction: 'forward' });
  await here.next((m) => m.type === 'telemetry' && (m.pose as { y: number }).y > 0.1, 'the car moving');
  here.send({ type: 'stop' });
  await here.state({ direction: 'stop' });
  const cars = (await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[];
  assert.deepEqual(cars.map((c) => [c.name, c.linkState === 'connected']), [['away', false], ['here', true]]);
  // An unknown car still gets its 404 with the names, whatever state the others are in.
  assert.equal(await upgradeStatus(t, wsUrl(server, '/ws?car=gone')), 404);
});

/** Reads a Server-Sent Events stream: every `event:` with its parsed `data:`. */
async function readFeed(t: Parameters<typeof ptyPair>[0], url: URL) {
  const controller = new AbortController();
  t.after(() => controller.abort());
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: Array<{ event: string; data: unknown }> = [];
  const waiters: Array<() => void> = [];
  (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name && data) events.push({ event: name, data: JSON.parse(data) });
        for (const wake of waiters.splice(0)) wake();
      }
    }
  })().catch(() => {});
  return {
    events,
    async next(match: (e: { event: string; data: unknown }) => boolean, what: string) {
      const deadline = Date.now() + WAIT_MS;
      for (let from = 0; ;) {
        const found = events.slice(from).find(match);
        if (found) return found;
        from = events.length;
        if (Date.now() > deadline) throw new Error(`no ${what} in the feed: ${JSON.stringify(events.slice(-3))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
  };
}

test('the lobby\'s live feed follows drivers and spectators as they come and go, and the race', async (t) => {
  const server = await startServer(t, { cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }], resumeWindowMs: 0 });
  const feed = await readFeed(t, new URL('/api/cars/live', server.url));
  const carsWhere = (what: string, ok: (cars: CarListing[]) => boolean) =>
    feed.next((e) => e.event === 'cars' && ok(e.data as CarListing[]), what).then((e) => e.data as CarListing[]);
  const first = await carsWhere('the cars', () => true);
  assert.deepEqual(first.map((c) => [c.name, c.driver, c.spectators]), [['red', null, 0], ['blue', null, 0]]);
  assert.equal((await feed.next((e) => e.event === 'race', 'the race')).data && true, true);

  const driver = await connect(t, wsUrl(server, '/ws?car=blue'));
  driver.send({ type: 'name', name: 'Grace' });
  const watcher = await connect(t, wsUrl(server, '/ws?car=blue&role=watch'));
  assert.equal(watcher.welcome.role, 'spectator');
  // Another page opening its feed now gets the state at once, and the first still hears of the change.
  const second = await readFeed(t, new URL('/api/cars/live', server.url));
  await second.next((e) => e.event === 'cars' && (e.data as CarListing[])[1].driver !== null, 'blue driven, in the second feed');
  const driven = await carsWhere('blue driven, one watching', (cars) => cars[1].driver !== null && cars[1].spectators === 1 && cars[1].driverName === 'Grace');
  assert.equal(driven[1].driver, driver.welcome.clientId);

  driver.send({ type: 'race-start', laps: 1 });
  const countdown = await feed.next((e) => e.event === 'race' && (e.data as RaceMessage).phase === 'countdown', 'the countdown');
  assert.equal((countdown.data as RaceMessage).laps, 1);
  driver.send({ type: 'race-end' });
  await feed.next((e) => e.event === 'race' && (e.data as RaceMessage).phase === 'none', 'the race called off');

  driver.ws.close();
  // A watcher never takes a free seat by itself: the seat is empty, and it still watches.
  await carsWhere('blue free again', (cars) => cars[1].driver === null && cars[1].spectators === 1);
  watcher.ws.close();
  await carsWhere('nobody on blue', (cars) => cars[1].spectators === 0);
});

test('/ is the lobby with several cars, the car\'s page with one, and the page folder\'s own / without a lobby page', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const withLobby = mkdtempSync(join(tmpdir(), 'webracer-static-'));
  const seedFolder = mkdtempSync(join(tmpdir(), 'webracer-static-'));
  t.after(() => { rmSync(withLobby, { recursive: true }); rmSync(seedFolder, { recursive: true }); });
  for (const dir of [withLobby, seedFolder]) writeFileSync(join(dir, 'index.html'), 'the car page');
  writeFileSync(join(withLobby, 'lobby.html'), 'the lobby');
  const twoCars = { cars: [{ name: 'red', link: 'sim', codec: 'iracer' as const }, { name: 'blue', link: 'sim', codec: 'iracer' as const }] };
  const page = async (opts: object, path = '/') => {
    const server = await startServer(t, opts);
    return (await fetch(new URL(path, server.url))).text();
  };
  assert.equal(await page({ ...twoCars, staticDir: withLobby }), 'the lobby');
  assert.equal(await page({ ...twoCars, staticDir: withLobby }, '/car/blue'), 'the car page');
  assert.equal(await page({ staticDir: withLobby }), 'the car page', 'one car: / is its page, as ever');
  assert.equal(await page({ ...twoCars, staticDir: seedFolder }), 'the car page', 'a seed page\'s folder has no lobby');
});
