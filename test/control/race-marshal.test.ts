// Who runs a race without a token (docs/races.md, "Who runs a race"): the drivers of the cars (of the cars in
// it, once it runs) and a marshal, here a page on the server's own machine; not any spectator. Clients
// from 127.0.0.2 and up stand for other machines (their connection's two ends differ), 127.0.0.1 for the
// server's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RaceMessage } from '../../src/control/protocol/messages.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';

const sims = (...names: string[]) => ({ cars: names.map((name) => ({ name, link: 'sim', codec: 'iracer' as const })) });
const phase = (client: Client, p: RaceMessage['phase'], from = 0) =>
  client.expect('race', (m) => (m as unknown as RaceMessage).phase === p, from) as unknown as Promise<RaceMessage>;

async function refused(client: Client, message: object, code: string): Promise<string> {
  const from = client.mark();
  client.send(message);
  const error = await client.expect('error', () => true, from);
  assert.equal(error.code, code, `${JSON.stringify(message)}: ${error.message}`);
  return error.message;
}

test('without a token, a spectator on another machine can neither start, end nor mark a race; drivers and a marshal can', { timeout: 60_000 }, async (t) => {
  const server = await startServer(t, { ...sims('red', 'blue', 'green'), host: '127.0.0.1' });
  const from = (car: string, address: string) => connect(t, wsUrl(server, `/ws?car=${car}`), { localAddress: address });
  const red = await from('red', '127.0.0.2');
  const blue = await from('blue', '127.0.0.3');
  const spectator = await from('red', '127.0.0.4');
  const marshal = await from('blue', '127.0.0.1');
  assert.deepEqual([red.welcome.role, blue.welcome.role, spectator.welcome.role, marshal.welcome.role], ['driver', 'driver', 'spectator', 'spectator']);
  assert.deepEqual([red.welcome.marshal, spectator.welcome.marshal, marshal.welcome.marshal], [false, false, true],
    'welcome says who marshals: the page on the server\'s machine');

  const why = await refused(spectator, { type: 'race-start', laps: 1 }, 'not_driver');
  assert.match(why, /drivers of the cars.*marshal/);
  await refused(spectator, { type: 'race-end' }, 'not_driver');
  await refused(spectator, { type: 'lap-mark', car: 'red' }, 'not_driver');
  await spectator.roundTrip();
  assert.equal(server.raceway.race.message().phase, 'none', 'nothing started');

  // Before go, any car's driver may start it and call it off.
  let mark = spectator.mark();
  red.send({ type: 'race-start', laps: 2 });
  await phase(spectator, 'countdown', mark);
  await refused(spectator, { type: 'race-end' }, 'not_driver');
  mark = spectator.mark();
  blue.send({ type: 'race-end' });
  assert.match((await phase(spectator, 'none', mark)).note ?? '', /^called off by Driver \d+$/);

  // The marshal starts one; green has nobody at go, so it is not in it.
  mark = spectator.mark();
  marshal.send({ type: 'race-start', laps: 2 });
  await phase(spectator, 'running', mark);
  const late = await from('green', '127.0.0.5');
  assert.equal(late.welcome.role, 'driver', 'a driver who came after go');
  await refused(late, { type: 'race-end' }, 'not_driver');
  await refused(late, { type: 'lap-mark', car: 'red' }, 'not_driver');
  await refused(spectator, { type: 'race-end' }, 'not_driver');
  await refused(red, { type: 'lap-mark', car: 'blue' }, 'race_state'); // a racing driver may mark (blue is simulated)
  mark = spectator.mark();
  red.send({ type: 'race-end' });
  assert.match((await phase(spectator, 'finished', mark)).note ?? '', /^ended by Driver \d+$/);
});

test('with a token, the marshal is any token holder, driving or not', async (t) => {
  const token = 'marshal-token';
  const server = await startServer(t, { ...sims('red', 'blue'), token });
  const holder = await connect(t, wsUrl(server, '/ws?car=red&role=watch'), { protocols: ['webracer', `webracer.token.${Buffer.from(token).toString('base64url')}`] });
  const stranger = await connect(t, wsUrl(server, '/ws?car=blue'));
  assert.equal(holder.welcome.role, 'spectator');
  assert.deepEqual([holder.welcome.marshal, stranger.welcome.marshal], [true, false], 'on the server\'s machine or not, the token decides');
  await refused(stranger, { type: 'race-start', laps: 1 }, 'unauthorized');
  const driver = await connect(t, wsUrl(server, '/ws?car=blue'), { protocols: ['webracer', `webracer.token.${Buffer.from(token).toString('base64url')}`] });
  assert.equal(driver.welcome.role, 'driver');
  const mark = holder.mark();
  holder.send({ type: 'race-start', laps: 1 });
  await phase(holder, 'countdown', mark);
  holder.send({ type: 'race-end' });
  await phase(holder, 'none', mark);
});
