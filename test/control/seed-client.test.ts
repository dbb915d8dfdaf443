// A client written for the seed's server (2013) drives ours: the JSON exactly as the seed page sent it,
// on / of the main port and on the seed-era --ws-port listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, startServer, wsUrl } from './helpers.js';

test('seed commands move the simulated car with the seed bytes, then stop after the duration', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server, '/'));
  const welcome = car.inbox[0];
  assert.equal(welcome.type, 'welcome');
  assert.equal(welcome.role, 'driver');

  // The seed page: JSON.stringify({duration: d, command: command, data: raw_command}).
  const cases: Array<[string, number, string]> = [
    ['{"duration":0.3,"command":"up"}', 0x16, 'forward'],
    ['{"command":"down"}', 0x26, 'backward'], // the remembered 0.3 s
    ['{"duration":null,"command":"left","data":2}', 0x57, 'forward-left'],
    ['{"duration":0.2,"command":"right","data":3}', 0x67, 'forward-right'],
  ];
  for (const [text, byte, direction] of cases) {
    const from = car.inbox.length;
    car.sendText(text);
    const moving = await car.state({ byte }, from);
    assert.equal(moving.direction, direction, text);
    const stopped = await car.state({ byte: 0, direction: 'stop' }, from);
    assert.equal(stopped.lastCommand, JSON.parse(text).command);
  }
  assert.deepEqual(server.driver.state, { direction: 'stop', speed: 0, byte: 0, link: 'connected' });
});

test('raw writes the byte as given, and stop stops at once', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server, '/'));
  car.sendText('{"command":"raw","data":22}');
  await car.state({ byte: 22, lastCommand: 'raw' });
  assert.equal(server.driver.state.byte, 22);
  car.sendText('{"duration":5,"command":"up"}');
  await car.state({ byte: 0x16, lastCommand: 'up' });
  car.sendText('{"command":"stop"}');
  await car.state({ byte: 0, direction: 'stop', lastCommand: 'stop' });
  assert.equal(server.driver.state.byte, 0);
});

test('a raw byte is held for the seed\'s 1.0 s, not the remembered duration', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server));
  car.sendText('{"duration":0.1,"command":"up"}');
  await car.state({ byte: 0 }, car.inbox.length);
  const sentAt = Date.now();
  car.sendText('{"command":"raw","data":133}'); // 0x85 right-backward slowly
  await car.state({ byte: 0x85 });
  await car.state({ byte: 0 });
  assert.ok(Date.now() - sentAt >= 900, 'held about one second');
});

test('the seed-era listener on --ws-port speaks the same protocol on any path', async (t) => {
  const server = await startServer(t, { wsPort: 0 });
  assert.ok(server.wsPort !== undefined && server.wsPort !== server.port);
  const car = await connect(t, `ws://127.0.0.1:${server.wsPort}`);
  car.sendText('{"duration":0.2,"command":"up"}');
  await car.state({ byte: 0x16, direction: 'forward' });
  const other = await connect(t, `ws://127.0.0.1:${server.wsPort}/anything`);
  assert.equal(other.inbox[0].role, 'spectator');
  const res = await fetch(`http://127.0.0.1:${server.wsPort}/`);
  assert.equal(res.status, 426);
  await res.text();
});

test('speed extension: up with speed 15 is 0x1F on an i-Racer', async (t) => {
  const server = await startServer(t);
  const car = await connect(t, wsUrl(server));
  car.sendText('{"duration":1,"command":"up","speed":15}');
  await car.state({ byte: 0x1f, speed: 15 });
});
