// Every kind of malformed input gets its error reply or close code, and nothing else changes:
// the connection stays usable and the car keeps doing what it did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, startServer, upgradeStatus, wsUrl } from './helpers.js';

test('each malformed message gets its error code; the car and the connection stay as they were', async (t) => {
  const server = await startServer(t, { maxHoldMs: 10_000 }); // the car keeps moving through every case
  const car = await connect(t, wsUrl(server));
  car.sendText('{"duration":10,"command":"up"}'); // the car is moving: every refusal must leave it so
  await car.state({ byte: 0x16 });
  const cases: Array<[string, string, string?]> = [
    ['not json', 'bad_json'],
    ['{"command":"up"', 'bad_json'],
    ['', 'bad_json'],
    ['[1,2]', 'bad_json'],
    ['null', 'bad_json'],
    ['42', 'bad_json'],
    ['{}', 'invalid_message', 'type'],
    ['{"type":"fly"}', 'invalid_message', 'type'],
    ['{"type":"drive","x":"1","y":0}', 'invalid_message', 'x'],
    ['{"type":"drive","x":0,"y":1.01}', 'invalid_message', 'y'],
    ['{"type":"drive","x":0}', 'invalid_message', 'y'],
    ['{"type":"drive","x":0,"y":0,"boost":true}', 'invalid_message', 'boost'],
    ['{"command":"jump"}', 'invalid_message', 'command'],
    ['{"command":"raw","data":256}', 'invalid_message', 'data'],
    ['{"command":"raw","data":-1}', 'invalid_message', 'data'],
    ['{"command":"raw"}', 'invalid_message', 'data'],
    ['{"command":"up","duration":-1}', 'invalid_message', 'duration'],
    ['{"command":"up","duration":"fast"}', 'invalid_message', 'duration'],
    ['{"command":"up","duration":1e9}', 'invalid_message', 'duration'],
    ['{"command":"up","speed":99}', 'invalid_message', 'speed'],
    ['{"type":"ping","id":[1]}', 'invalid_message', 'id'],
  ];
  // The driver sends half, a spectator the other half (more than 20 errors at once would be a flood).
  const spectator = await connect(t, wsUrl(server));
  for (const [i, [text, code, field]] of cases.entries()) {
    const client = i % 2 === 0 ? car : spectator;
    const mark = client.mark();
    client.sendText(text);
    const error = await client.expect('error', undefined, mark);
    assert.equal(error.code, code, text);
    if (field) {
      assert.equal(error.field, field, text);
      assert.match(error.message, new RegExp(`"${field}"`), `${text}: ${error.message}`);
    }
    await client.roundTrip();
  }
  assert.equal(server.driver.state.byte, 0x16);
  assert.equal(server.driver.state.direction, 'forward');
  // The remembered duration did not change either: a bad duration is not remembered.
  car.sendText('{"command":"stop"}');
  await car.state({ byte: 0 });
});

test('a binary frame gets binary_unsupported and the connection stays', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server));
  car.ws.send(Buffer.from('{"command":"up"}'), { binary: true });
  const error = await car.expect('error');
  assert.equal(error.code, 'binary_unsupported');
  await car.roundTrip();
  assert.equal(server.driver.state.byte, 0);
});

test('a message over maxMessageBytes closes with 1009; the car stops as the driver is gone', async (t) => {
  const server = await startServer(t, { maxHoldMs: 10_000 });
  const car = await connect(t, wsUrl(server));
  car.sendText('{"duration":10,"command":"up"}');
  await car.state({ byte: 0x16 });
  car.send({ type: 'ping', id: 1, pad: 'x'.repeat(17_000) });
  assert.equal((await car.closed).code, 1009);
  const watcher = await connect(t, wsUrl(server));
  // Well before the 10 s are up: the stop came from the disconnect.
  await watcher.next((m) => (m.type === 'state' || m.type === 'welcome') && watcher.latestState().byte === 0, 'stop',
    0, 5_000);
});

test('invalid UTF-8 in a text frame closes with 1007', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server));
  car.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  assert.equal((await car.closed).code, 1007);
});

test('more than driveRatePerSecond messages: rate_limited, and the dropped ones do not drive', async (t) => {
  // Two messages a second (a bucket of two): sent together, the neutral that arms the new driver and the
  // first push drive, and the rest are dropped.
  const server = await startServer(t, { driveRatePerSecond: 2 });
  const car = await connect(t, wsUrl(server));
  const mark = car.mark();
  car.arm();
  car.send({ type: 'drive', x: 0, y: 0.5 });
  for (let i = 0; i < 4; i++) car.send({ type: 'drive', x: 0, y: -0.5 });
  const error = await car.expect('error', undefined, mark);
  assert.equal(error.code, 'rate_limited');
  await car.next((m) => m.type === 'state' && m.direction === 'forward', 'forward', mark);
  assert.notEqual(server.driver.state.direction, 'backward', 'a dropped demand never drives');
});

test('a flood of bad input is closed with 1008', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server));
  for (let i = 0; i < 200; i++) car.sendText('garbage');
  const closed = await car.closed;
  assert.equal(closed.code, 1008);
  const errors = car.inbox.filter((m) => m.type === 'error');
  assert.ok(errors.length >= 10 && errors.length < 200, `${errors.length} errors before the close`);
  // The server is fine: a new client is welcomed.
  await connect(t, wsUrl(server));
});

test('past maxClients the upgrade gets 503; a slot frees when a client leaves', async (t) => {
  const server = await startServer(t, { maxClients: 2 });
  await connect(t, wsUrl(server));
  // A spectator leaves (a departing driver's slot would be kept for its resume token: resume-admission.test.ts).
  const first = await connect(t, wsUrl(server));
  assert.equal(await upgradeStatus(t, wsUrl(server)), 503);
  first.ws.close();
  await first.closed;
  // The server forgets the client once its side of the close is done, which may trail ours a little.
  let status = 503;
  for (let tries = 0; status === 503 && tries < 50; tries++) {
    status = await upgradeStatus(t, wsUrl(server));
    if (status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(status, 101);
});

test('with the car out of reach, drive commands get link_down and nothing is queued', async (t) => {
  const server = await startServer(t, { link: 'serial:/dev/webracer-no-such-port' });
  const car = await connect(t, wsUrl(server));
  assert.notEqual(car.welcome.state.link, 'connected');
  car.arm(); // a drive at neutral: also dropped, and said so
  assert.equal((await car.expect('error')).code, 'link_down');
  for (const text of ['{"duration":1,"command":"up"}', '{"type":"drive","x":0,"y":1}', '{"command":"raw","data":22}']) {
    car.sendText(text);
    const error = await car.expect('error');
    assert.equal(error.code, 'link_down', text);
  }
  await car.roundTrip(); // still connected: link_down is no flood
  assert.equal(server.driver.state.byte, null);
});
