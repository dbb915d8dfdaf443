// Drive input on a WebRTC data channel (issue 21, docs/protocol.md "Drive channel"), end to end on
// loopback: the server's channel against node-datachannel standing in for the page. Every frame on a
// channel goes through the client's one pipeline, so the rules are the WebSocket's: these tests show it
// for the roles, the watchdog, the token, what a channel may carry and its end with its connection.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, startServer, wsUrl, type Client } from './helpers.js';
import { openChannel } from '../support/channel-client.js';
import { TOKEN_SUBPROTOCOL_PREFIX } from '../../src/control/protocol/messages.js';
import { createLogger } from '../../src/control/log.js';
import '../support/rtc-cleanup.js'; // ends node-datachannel's threads once this file's tests are done

/** A server, its first client (the driver) and that client's open drive channel. */
async function driverWithChannel(t: TestContext) {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  return { server, driver, channel: await openChannel(t, driver) };
}

/** Arms on the WebSocket first: the channel is unordered, so a push sent right behind the arming drive
 *  may overtake it (the page sends that pair on the WebSocket, web/drive-path.ts). */
async function armOnWebSocket(driver: Client): Promise<void> {
  driver.send({ type: 'drive', x: 0, y: 0, seq: 1 });
  await driver.roundTrip();
}

test('drive channel: the driver drives, stops and releases the seat over its channel', async (t) => {
  const { driver, channel } = await driverWithChannel(t);
  await armOnWebSocket(driver);
  channel.send({ type: 'drive', x: 0, y: 1, seq: 2 });
  await driver.state({ direction: 'forward', lastCommand: 'drive' });
  channel.send({ type: 'stop', seq: 3 });
  await driver.state({ direction: 'stop', lastCommand: 'stop' });
  channel.send({ type: 'release', seq: 4 });
  await driver.expect('role', (m) => m.role === 'spectator', 0);
  assert.ok(channel.beats() > 0, 'the server beats on an open channel');
});

test('drive channel: a spectator\'s channel cannot drive (not_driver on its WebSocket), and the car does not move', async (t) => {
  const server = await startServer(t);
  await connect(t, wsUrl(server));
  const spectator = await connect(t, wsUrl(server));
  const channel = await openChannel(t, spectator);
  const mark = spectator.mark();
  channel.send({ type: 'drive', x: 0, y: 1, seq: 1 });
  const error = await spectator.expect('error', () => true, mark);
  assert.equal(error.code, 'not_driver');
  assert.equal(server.driver.state.direction, 'stop');
});

test('drive channel: a client without the token gets no channel; with it, it does', async (t) => {
  const server = await startServer(t, { token: 'sesame-sesame' });
  const stranger = await connect(t, wsUrl(server));
  stranger.send({ type: 'channel', open: true });
  const refused = await stranger.expect('channel', (m) => m.closed !== undefined);
  assert.match(refused.closed!, /token/);
  const holder = await connect(t, wsUrl(server), { protocols: ['webracer', `${TOKEN_SUBPROTOCOL_PREFIX}${Buffer.from('sesame-sesame').toString('base64url')}`] });
  await openChannel(t, holder);
});

test('drive channel: only drive input rides it; anything else is refused with ref channel', async (t) => {
  const { driver, channel } = await driverWithChannel(t);
  const mark = driver.mark();
  channel.send({ type: 'claim' });
  const error = await driver.expect('error', () => true, mark);
  assert.deepEqual([error.code, error.ref], ['invalid_message', 'channel']);
  channel.send('{"type":"drive",');
  assert.equal((await driver.expect('error', () => true, mark + 1)).code, 'bad_json');
});

test('drive channel: a silent channel trips the watchdog like a silent socket', async (t) => {
  const { driver, channel } = await driverWithChannel(t);
  await armOnWebSocket(driver);
  const mark = driver.mark();
  channel.send({ type: 'drive', x: 0, y: 1, seq: 2 });
  await driver.state({ direction: 'forward' }, mark);
  // Nothing more on either path: the watchdog stops the car and says so.
  await driver.expect('notice', (m) => m.code === 'watchdog', mark);
  await driver.state({ direction: 'stop' }, mark);
});

test('drive channel: a channel from a closed session dies with it', async (t) => {
  const { server, driver, channel } = await driverWithChannel(t);
  driver.ws.close();
  await channel.closed; // the server closed its end when the connection went
  assert.throws(() => channel.send({ type: 'drive', x: 0, y: 1, seq: 1 }), /destroyed|closed/);
  assert.equal(server.driver.state.direction, 'stop');
});

test('drive input with seq: a late drive and a stop\'s second copy are ignored; a stop older than a drive still stops', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  driver.send({ type: 'drive', x: 0, y: 0, seq: 1 });
  driver.send({ type: 'drive', x: 0, y: 1, seq: 5 });
  driver.send({ type: 'drive', x: 0, y: -1, seq: 4 }); // arrived late: the car keeps the newer position
  driver.send({ type: 'drive', x: 0, y: -1, seq: 5 }); // a duplicate seq
  await driver.roundTrip();
  assert.equal(server.driver.state.direction, 'forward');
  driver.send({ type: 'stop', seq: 6 });
  await driver.state({ direction: 'stop' });
  driver.send({ type: 'drive', x: 0, y: 1, seq: 7 });
  await driver.state({ direction: 'forward' });
  const mark = driver.mark();
  driver.send({ type: 'stop', seq: 6 }); // the same stop's copy from the other path
  await driver.roundTrip();
  assert.equal(server.driver.state.direction, 'forward');
  assert.equal(driver.inbox.slice(mark).filter((m) => m.type === 'error').length, 0, 'ignored silently');
  driver.send({ type: 'stop', seq: 3 }); // older than the drive, never seen: a stop is never dropped for its age
  await driver.state({ direction: 'stop' });
});

test('drive channel: a server started without drive channels answers closed with retry false, and drive input works on the WebSocket', async (t) => {
  const server = await startServer(t, { driveChannels: false });
  const driver = await connect(t, wsUrl(server));
  driver.send({ type: 'channel', open: true });
  const closed = await driver.expect('channel', (m) => m.closed !== undefined);
  assert.match(closed.closed!, /no drive channels/);
  assert.equal(closed.retry, false, 'the page is told not to ask again, in a field of its own');
  driver.send({ type: 'drive', x: 0, y: 0, seq: 1 });
  driver.send({ type: 'drive', x: 0, y: 1, seq: 2 });
  await driver.state({ direction: 'forward' });
});

test('drive channel: the page\'s early copy of a position (a new seq) keeps the car where it is; one arriving after a stop does not restart it', async (t) => {
  const { server, driver, channel } = await driverWithChannel(t);
  await armOnWebSocket(driver);
  const mark = driver.mark();
  channel.send({ type: 'drive', x: 0, y: 1, seq: 2 });
  channel.send({ type: 'drive', x: 0, y: 1, seq: 3 }); // its copy, 12 ms later on the page
  await driver.state({ direction: 'forward' }, mark);
  driver.send({ type: 'stop', seq: 4 });
  await driver.state({ direction: 'stop' }, mark);
  channel.send({ type: 'drive', x: 0, y: 1, seq: 3 }); // the copy again, late: older than the stop
  await driver.roundTrip();
  assert.equal(server.driver.state.direction, 'stop');
  assert.deepEqual(driver.inbox.slice(mark).filter((m) => m.type === 'error'), []);
});

test('drive channel: at debug level the server logs each step of a channel\'s setup, to see where an ask that does not open stopped', async (t) => {
  const steps: string[] = [];
  const log = createLogger((r) => { if (r.event === 'drive_channel') steps.push(String(r.fields.step)); }, 'debug');
  const server = await startServer(t, { log });
  await openChannel(t, await connect(t, wsUrl(server)));
  // The client's end opens first; the server's callbacks follow on its threads.
  for (const end = Date.now() + 15_000; !steps.includes('channel open') && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  for (const step of ['asked', 'library loaded', 'signaling have-local-offer', 'answer taken', 'connection connected', 'channel open']) {
    assert.ok(steps.includes(step), `${step} in ${steps.join(', ')}`);
  }
  assert.ok(steps.indexOf('asked') < steps.indexOf('answer taken') && steps.indexOf('answer taken') < steps.indexOf('channel open'), steps.join(', '));
});
