// Several cars on one server: each its own world, reached by name; a bad list of cars stops the start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCars } from '../../src/control/fleet.js';
import type { CarListing } from '../../src/control/protocol/messages.js';
import { connect, startServer, upgradeStatus, wsUrl } from './helpers.js';

const twoSims = { cars: [{ name: 'red', link: 'sim', codec: 'iracer' as const }, { name: 'blue', link: 'sim', codec: 'rc-app' as const }] };

test('checkCars: names must be URL-safe and unique; two cars may not share a serial port or a TCP endpoint', () => {
  assert.throws(() => checkCars([]), /no cars/);
  assert.throws(() => checkCars([{ name: 'a b', link: 'sim', codec: 'iracer' }]), /car name 'a b'/);
  assert.throws(() => checkCars([{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'RED', link: 'sim', codec: 'iracer' }]),
    /two cars are named 'RED'/);
  assert.throws(() => checkCars([
    { name: 'red', link: 'serial:/dev/rfcomm0', codec: 'iracer' },
    { name: 'blue', link: 'serial:/dev/rfcomm0@115200', codec: 'rc-app' },
  ]), /cars 'red' and 'blue' are both on serial:\/dev\/rfcomm0/);
  assert.throws(() => checkCars([
    { name: 'red', link: 'tcp:Bridge.local:2000', codec: 'iracer' },
    { name: 'blue', link: 'tcp:bridge.local:2000', codec: 'iracer' },
  ]), /both on tcp:bridge.local:2000/);
  assert.throws(() => checkCars([{ name: 'red', link: 'bluetooth:x', codec: 'iracer' }]), /car 'red': invalid link/);
  assert.equal(checkCars([{ name: 'a', link: 'sim', codec: 'iracer' }, { name: 'b', link: 'sim', codec: 'iracer' }]).length, 2);
});

test('two cars: /ws?car=NAME reaches that car, /ws the first; driving one never moves the other', async (t) => {
  const server = await startServer(t, twoSims);
  const red = server.fleet.get('red')!;
  const blue = server.fleet.get('blue')!;
  const redDriver = await connect(t, wsUrl(server, '/ws?car=red'));
  const blueDriver = await connect(t, wsUrl(server, '/ws?car=blue'));
  const first = await connect(t, wsUrl(server));
  assert.equal(redDriver.welcome.role, 'driver');
  assert.equal(blueDriver.welcome.role, 'driver', 'each car has its own seat');
  assert.equal(blueDriver.welcome.vehicle.codec, 'rc-app');
  assert.equal(first.welcome.role, 'spectator', '/ws is the first car, red');
  assert.equal(first.welcome.state.driver, redDriver.welcome.clientId);
  redDriver.arm();
  redDriver.send({ type: 'drive', x: 0, y: 1 });
  await first.state({ direction: 'forward' });
  assert.equal(red.driver.state.direction, 'forward');
  assert.equal(blue.driver.state.direction, 'stop');
  assert.equal(blueDriver.inbox.filter((m) => m.type === 'state' && m.direction !== 'stop').length, 0,
    'blue\'s clients never hear of red\'s motion');
});

test('GET /api/cars lists every car, and follows drivers and spectators as they come and go', async (t) => {
  const server = await startServer(t, twoSims);
  const cars = async () => (await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[];
  const noCamera = { camera: null, viewers: 0, limit: 4 };
  assert.deepEqual(await cars(), [
    { name: 'red', codec: 'iracer', link: 'sim', linkState: 'connected', driver: null, spectators: 0, video: noCamera, colour: '#e53935', driverName: null },
    { name: 'blue', codec: 'rc-app', link: 'sim', linkState: 'connected', driver: null, spectators: 0, video: noCamera, colour: '#1e88e5', driverName: null },
  ]);
  const driver = await connect(t, wsUrl(server, '/ws?car=blue'));
  const spectator = await connect(t, wsUrl(server, '/ws?car=blue'));
  const [red, blue] = await cars();
  assert.equal(red.driver, null);
  assert.equal(blue.driver, driver.welcome.clientId);
  assert.match(blue.driverName ?? '', /^Driver \d+$/, 'a driver without a name goes by a default, never its id');
  assert.equal(blue.spectators, 1);
  const left = spectator.mark();
  driver.ws.close();
  await spectator.state({ driver: null, reserved: true }, left); // the server has seen the driver go
  // The seat is held for the driver's resume token; the spectator still watches.
  assert.deepEqual((await cars())[1], {
    name: 'blue', codec: 'rc-app', link: 'sim', linkState: 'connected', driver: null, spectators: 1, video: noCamera, colour: '#1e88e5', driverName: null,
  });
});

test('an unknown car: the upgrade gets 404 and the page route names the cars that exist', async (t) => {
  const server = await startServer(t, twoSims);
  assert.equal(await upgradeStatus(t, wsUrl(server, '/ws?car=green')), 404);
  const page = await fetch(new URL('/car/green', server.url));
  assert.equal(page.status, 404);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await page.text(), /No car named green<\/h1>.*<a href="\/car\/red">red<\/a>.*<a href="\/car\/blue">blue<\/a>/);
  const hostile = await fetch(new URL('/car/%3Cscript%3E', server.url));
  assert.match(await hostile.text(), /No car named &#60;script&#62;</, 'a name from the path is escaped');
  const known = await fetch(new URL('/car/blue', server.url));
  assert.equal(known.status, known.status === 404 ? 404 : 200); // 404 only when the page is not built
  if (known.status === 200) assert.match(await known.text(), /<title>webracer/);
});

test('seed-era pages (/ and --ws-port) drive the seed car', async (t) => {
  const server = await startServer(t, { ...twoSims, seedCar: 'blue', wsPort: 0 });
  const seed = await connect(t, wsUrl(server, '/'));
  seed.sendText('{"command":"up","duration":0.5}');
  await seed.state({ direction: 'forward' });
  assert.equal(server.fleet.get('blue')!.driver.state.direction, 'forward');
  assert.equal(server.fleet.get('red')!.driver.state.direction, 'stop');
});

test('a seed car that does not exist stops the start with the names that do', async () => {
  const { startControlServer } = await import('../../src/control/server.js');
  await assert.rejects(startControlServer({ port: 0, host: '127.0.0.1', link: 'sim', codec: 'iracer', watchdogMs: 500,
    ...twoSims, seedCar: 'green' }), /--seed-car: no car named 'green'; the cars are: red, blue/);
});
