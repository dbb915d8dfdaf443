// Issue 20: the same browser keeps its default name ("Driver 2") for the server's run, whether it reloads
// as a spectator, resumes its seat or comes back after its hold ran out: its page offers the `nameKey` of
// an earlier welcome at the upgrade (`webracer.name.<key>`). A key the server did not issue gets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CarListing } from '../../src/control/protocol/messages.js';
import { NAME_KEY_SUBPROTOCOL_PREFIX } from '../../src/control/protocol/messages.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';
import type { ControlServer } from '../../src/control/server.js';

/** What a page that kept `key` offers at the upgrade. */
function withKey(key: string): { protocols: string[] } {
  return { protocols: ['webracer', NAME_KEY_SUBPROTOCOL_PREFIX + key] };
}

async function driverName(server: ControlServer): Promise<string | null> {
  return ((await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[])[0].driverName;
}

/** The names ahead of `client` in the line for the seat, once it has heard `count` of them. */
async function aheadOf(client: Client, count: number): Promise<Array<string | null>> {
  return (await client.expect('queue', (m) => m.ahead.length === count, 0)).ahead;
}

test('a spectator who reloads keeps their default: the name key of its welcome, offered at the upgrade', async (t) => {
  const server = await startServer(t);
  const driver = await connect(t, wsUrl(server));
  assert.equal(await driverName(server), 'Driver 1');
  const spectator = await connect(t, wsUrl(server));
  const { nameKey } = spectator.welcome;
  assert.match(nameKey ?? '', /^[A-Za-z0-9_-]{43}$/);
  const behind = await connect(t, wsUrl(server));
  assert.deepEqual(await aheadOf(behind, 1), ['Driver 2'], 'the spectator was named for the one behind it');
  spectator.ws.close(); // a reload
  await spectator.closed;
  const back = await connect(t, wsUrl(server), withKey(nameKey!));
  assert.equal(back.welcome.nameKey, nameKey, 'a key this server issued stays the key');
  const last = await connect(t, wsUrl(server));
  assert.deepEqual(await aheadOf(last, 2), ['Driver 3', 'Driver 2'], 'the one behind, then the spectator come back: still Driver 2');
  assert.equal(driver.welcome.role, 'driver');
});

test('a driver who comes back after its hold ran out keeps their default', async (t) => {
  const server = await startServer(t, { resumeWindowMs: 50 });
  const first = await connect(t, wsUrl(server));
  assert.equal(await driverName(server), 'Driver 1');
  const { nameKey } = first.welcome;
  const watcher = await connect(t, wsUrl(server));
  const mark = watcher.mark();
  first.ws.terminate(); // a reload that came too late: the seat is held, then passes on
  await watcher.expect('role', (m) => m.role === 'driver', mark);
  const back = await connect(t, wsUrl(server), withKey(nameKey!));
  assert.equal(back.welcome.role, 'spectator');
  const seated = back.mark();
  watcher.send({ type: 'release' });
  await back.expect('role', (m) => m.role === 'driver', seated);
  assert.equal(await driverName(server), 'Driver 1', 'the same browser, the same name');
});

test('a name key the server did not issue is replaced and names nobody; two tabs of one browser share their default', async (t) => {
  const server = await startServer(t);
  const first = await connect(t, wsUrl(server));
  assert.equal(await driverName(server), 'Driver 1');
  const key = first.welcome.nameKey!;
  const forged = `${key.slice(0, -2)}${key.endsWith('AA') ? 'BB' : 'AA'}`;
  const stranger = await connect(t, wsUrl(server), withKey(forged));
  assert.notEqual(stranger.welcome.nameKey, forged, 'a key with a wrong seal is not taken');
  assert.notEqual(stranger.welcome.nameKey, key);
  const tab = await connect(t, wsUrl(server), withKey(key)); // the same browser, a second tab
  const viewer = await connect(t, wsUrl(server));
  assert.deepEqual(await aheadOf(viewer, 2), ['Driver 2', 'Driver 1'], 'the stranger is someone new; the tab is the same person');
  assert.equal(tab.welcome.nameKey, key);
});
