// A returning driver is not locked out by a full server (docs/security.md, the control WebSocket): many
// real connections from several loopback addresses (127.0.0.2 and up are loopback on Linux) fill it, and
// refill any slot that frees; the driver's page, presenting its resume token at the upgrade
// (`webracer.resume.<token>`), still gets in and takes its held seat back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission } from '../../src/control/connection/admission.js';
import { RESUME_SUBPROTOCOL_PREFIX } from '../../src/control/protocol/messages.js';
import { Seat } from '../../src/control/car/seat.js';
import { connect, open, upgradeStatus, wsUrl, startServer, type Client } from './helpers.js';

const resumeProtocol = (key: string) => `${RESUME_SUBPROTOCOL_PREFIX}${key}`;

/** Opens connections from `address` until the server turns one away; the ones it took. */
async function fill(t: Parameters<typeof open>[0], url: string, address: string, atMost: number): Promise<Client[]> {
  const taken: Client[] = [];
  for (let i = 0; i < atMost; i++) {
    try {
      taken.push(await open(t, url, { localAddress: address }));
    } catch (err) {
      assert.match((err as Error).message, /HTTP 503/);
      break;
    }
  }
  return taken;
}

test('a full server keeps a departed driver\'s slot for its resume token, and only for it', { timeout: 60_000 }, async (t) => {
  const server = await startServer(t, { maxClients: 24, maxClientsPerAddress: 6 });
  const url = wsUrl(server);
  const driver = await connect(t, url, { localAddress: '127.0.0.1' });
  assert.equal(driver.welcome.role, 'driver');
  const key = driver.welcome.resumeToken;

  const crowd: Client[] = [];
  for (let a = 2; a <= 6; a++) crowd.push(...await fill(t, url, `127.0.0.${a}`, 6));
  assert.equal(crowd.length, 23, 'the crowd takes every slot the driver left');
  assert.equal(await upgradeStatus(t, url, { localAddress: '127.0.0.7' }), 503);

  // The driver's Wi-Fi drops: the seat is held for its token, and its slot with it.
  const watcher = crowd[0];
  await watcher.roundTrip();
  const held = watcher.state({ reserved: true });
  driver.ws.terminate();
  await held;
  for (const address of ['127.0.0.7', '127.0.0.8']) {
    assert.equal(await upgradeStatus(t, url, { localAddress: address }), 503, 'the refill loop gets no slot');
  }
  assert.equal(await upgradeStatus(t, url, { localAddress: '127.0.0.9', protocols: ['webracer', resumeProtocol('A'.repeat(22))] }), 503,
    'a resume token that holds no seat buys nothing');

  // The page comes back with its token at the upgrade: in, and the seat is still held until it asks.
  const back = await connect(t, url, { localAddress: '127.0.0.1', protocols: ['webracer', resumeProtocol(key)] });
  assert.equal(back.ws.protocol, 'webracer', 'the resume token is never echoed');
  assert.equal(back.welcome.role, 'spectator');
  assert.equal(back.welcome.state.reserved, true, 'presenting it at the upgrade does not use it up');
  back.send({ type: 'resume', token: key });
  await back.expect('role', (m) => m.role === 'driver', 0);
  back.arm(); // a resumed driver shows neutral before it pushes (rearm-gate.ts)
  back.send({ type: 'drive', x: 0, y: 1 });
  await back.state({ direction: 'forward' });
  back.send({ type: 'stop' });
});

test('admission: a resume pass may use the kept slots and skip the per-address cap; a held seat keeps its slot', () => {
  let held = 0;
  const admission = new Admission({ maxClients: 5, maxPerAddress: 2, reservedForToken: 1, heldSeats: () => held });
  admission.admit('a');
  admission.admit('a');
  assert.notEqual(admission.check('a', 'none'), true, 'per address');
  assert.equal(admission.check('a', 'resume'), true, 'a resume pass is not held to the address\'s cap');
  admission.admit('b');
  assert.equal(admission.check('c', 'none'), true, '3 of 5, one kept for token holders');
  held = 1;
  assert.notEqual(admission.check('c', 'none'), true, 'and now one for the held seat');
  assert.equal(admission.check('c', 'resume'), true);
  assert.equal(admission.check('c', 'token'), true);
  admission.admit('c');
  admission.admit('d');
  assert.notEqual(admission.check('e', 'resume'), true, 'full is full');
});

test('the seat tells whether a key holds it without using the key up', () => {
  const seat = new Seat({ idleTakeoverMs: 15_000, now: () => 0 });
  seat.join('c1', { authorized: true });
  seat.join('c2', { authorized: true });
  seat.leave('c1', 'key-of-c1');
  assert.equal(seat.heldFor('key-of-c1'), true);
  assert.equal(seat.heldFor('key-of-c1'), true, 'asking twice is fine');
  assert.equal(seat.heldFor('key-of-c2'), false);
  assert.equal(seat.heldFor('key-of-c'), false, 'a prefix is no key');
  assert.deepEqual(seat.resume('c2', 'key-of-c1'), [{ id: 'c2', role: 'driver' }]);
  assert.equal(seat.heldFor('key-of-c1'), false, 'used by resume: gone');
});
