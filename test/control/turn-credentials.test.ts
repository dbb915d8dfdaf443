// Time-limited TURN credentials (--turn-secret), in the form a TURN server with coturn's use-auth-secret
// checks (user `<expiry>:<client>`, password base64 HMAC-SHA1 of it under the shared secret). They, and
// every other ICE server, go only to a client that asks for video (`watch`) or is the camera, in the answer
// to that; never in `welcome`. Minting is rate-limited per client and per address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ADDRESS_MINT_BURST, ADDRESS_MINT_INTERVAL_MS, IceGrants, REUSE_WHILE_S } from '../../src/control/video/ice-grants.js';
import { createLogger, silentLogger } from '../../src/control/log.js';
import type { IceServer } from '../../src/control/protocol/messages.js';
import { TURN_CREDENTIAL_TTL_S, checkTurn, turnCredentials } from '../../src/control/video/turn-credentials.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';

const SERVERS: IceServer[] = [
  { urls: 'stun:stun.example.net' },
  { urls: 'turn:turn.example.net:3478' },
  { urls: 'turns:relay.example.net', username: 'fixed', credential: 'pw' },
];
const withToken = { protocols: ['webracer', `webracer.token.${Buffer.from('secret').toString('base64url')}`] };

test('the user name expires ten minutes from now and names the client; the password is the HMAC a TURN server recomputes', () => {
  const now = Date.UTC(2026, 10, 29, 12, 0, 0, 500);
  const { username, credential } = turnCredentials('shared', 'c7', now);
  assert.equal(TURN_CREDENTIAL_TTL_S, 600);
  assert.equal(username, `${Date.UTC(2026, 10, 29, 12) / 1000 + TURN_CREDENTIAL_TTL_S}:c7`);
  assert.equal(credential, createHmac('sha1', 'shared').update(username).digest('base64'));
  // A known answer, computed once with `printf %s '1764504000:c7' | openssl dgst -sha1 -hmac shared -binary | base64`.
  assert.equal(turnCredentials('shared', 'c7', 1_764_417_600_000, 86_400).credential, 'jQW4lxq2z9PdcJxKoGYzSzVCqH8=');
  assert.notEqual(turnCredentials('other', 'c7', now).credential, credential, 'another secret, another password');
});

/** The ice-servers answer that came after `mark`. */
async function iceAnswer(client: Client, mark: number) {
  return client.expect('ice-servers', undefined, mark);
}

test('welcome carries no ICE servers; watch is answered with them, the TURN credentials minted for that client', async (t) => {
  const server = await startServer(t, { turnSecret: 'shared', iceServers: SERVERS, token: 'secret' });
  const before = Math.floor(Date.now() / 1000);
  const a = await connect(t, wsUrl(server));
  const b = await connect(t, wsUrl(server));
  for (const client of [a, b]) {
    assert.equal('iceServers' in client.welcome, false, 'nothing for a page that never asks for video');
    assert.equal(client.inbox.some((m) => m.type === 'ice-servers'), false);
    assert.equal(client.welcome.authenticated, false, 'a spectator without the token may watch, video included');
    const mark = client.mark();
    client.send({ type: 'watch' });
    const answer = await iceAnswer(client, mark);
    assert.equal(answer.expiresInS, TURN_CREDENTIAL_TTL_S);
    const [stun, turn, fixed] = answer.iceServers;
    assert.deepEqual(stun, { urls: 'stun:stun.example.net' });
    assert.deepEqual(fixed, { urls: 'turns:relay.example.net', username: 'fixed', credential: 'pw' });
    assert.equal(turn.urls, 'turn:turn.example.net:3478');
    const [expiry, id] = turn.username!.split(':');
    assert.equal(id, client.welcome.clientId);
    assert.ok(Number(expiry) >= before + TURN_CREDENTIAL_TTL_S && Number(expiry) <= Math.ceil(Date.now() / 1000) + TURN_CREDENTIAL_TTL_S);
    assert.equal(turn.credential, createHmac('sha1', 'shared').update(turn.username!).digest('base64'));
    const viewing = await client.expect('viewing', undefined, mark);
    assert.ok(client.inbox.indexOf(answer) < client.inbox.indexOf(viewing), 'the servers come before an offer can');
  }
  const [first, second] = [a, b].map((c) => c.inbox.find((m) => m.type === 'ice-servers')!);
  assert.notEqual(JSON.stringify(first), JSON.stringify(second), 'one page\'s are not another\'s');
  const mark = a.mark();
  a.send({ type: 'watch' }); // asks again (the page does, before they expire): the same, none minted
  assert.deepEqual((await iceAnswer(a, mark)).iceServers, first.iceServers);
});

test('the camera gets its own in the answer to camera-on; a refused camera-on gets none', async (t) => {
  const server = await startServer(t, { turnSecret: 'shared', iceServers: SERVERS, token: 'secret' });
  const intruder = await connect(t, wsUrl(server, '/ws?role=camera'));
  intruder.send({ type: 'camera-on' });
  await intruder.expect('error', (m) => m.ref === 'camera-on', 0);
  await intruder.roundTrip();
  assert.equal(intruder.inbox.some((m) => m.type === 'ice-servers'), false);
  const cam = await connect(t, wsUrl(server, '/ws?role=camera'), withToken);
  cam.send({ type: 'camera-on' });
  const answer = await iceAnswer(cam, 0);
  assert.equal(answer.iceServers[1].username!.split(':')[1], cam.welcome.clientId);
  await cam.expect('video', (m) => m.camera === cam.welcome.clientId, 0);
  const camMark = cam.mark();
  cam.send({ type: 'watch' }); // the camera watches nothing, and gets nothing for asking
  await cam.expect('error', (m) => m.ref === 'watch', camMark);
  await cam.roundTrip();
  assert.equal(cam.inbox.slice(camMark).some((m) => m.type === 'ice-servers'), false);
});

test('a reconnect loop mints no more than the address\'s budget; past it the answer has no TURN credentials, and the log says so', async (t) => {
  const logs: string[] = [];
  const server = await startServer(t, { turnSecret: 'shared', iceServers: SERVERS, log: (line) => logs.push(line) });
  const minted = new Set<string>();
  const answers = [];
  const started = performance.now();
  for (let i = 0; i < ADDRESS_MINT_BURST + 3; i++) {
    const client = await connect(t, wsUrl(server));
    client.send({ type: 'watch' });
    const answer = await iceAnswer(client, 0);
    answers.push(answer);
    for (const s of answer.iceServers) if (s.username?.includes(':c')) minted.add(s.username);
    client.ws.close();
    await client.closed;
  }
  // One more per interval the loop took (none, unless the machine is very busy).
  const refills = Math.floor((performance.now() - started) / ADDRESS_MINT_INTERVAL_MS);
  assert.ok(minted.size >= ADDRESS_MINT_BURST && minted.size <= ADDRESS_MINT_BURST + refills, `minted ${minted.size}`);
  const refused = answers.find((a) => a.expiresInS === null)!;
  assert.deepEqual(refused.iceServers, [SERVERS[0], SERVERS[2]], 'STUN and the fixed TURN server still, never one without credentials');
  assert.ok(logs.some((line) => /turn_refused/.test(line) && /address=127\.0\.0\.1/.test(line)), logs.filter((l) => /turn/.test(l)).join('\n'));
});

test('minting: a client asking again gets the same until they near expiry; an address\'s budget refills over time', () => {
  let wall = Date.UTC(2026, 10, 29, 12);
  let mono = 0;
  const records: string[] = [];
  const log = createLogger((r) => records.push(`${r.event} ${JSON.stringify(r.fields)}`), 'debug');
  const grants = new IceGrants({ servers: SERVERS, secret: 'shared', log, wallNow: () => wall, now: () => mono });
  const page = { id: 'c1', address: '192.0.2.7' };
  const first = grants.grant(page);
  const turnOf = (g: ReturnType<IceGrants['grant']>) => g.iceServers.find((s) => s.urls.startsWith('turn:'));
  wall += (TURN_CREDENTIAL_TTL_S - REUSE_WHILE_S - 1) * 1000;
  const again = grants.grant(page);
  assert.deepEqual(turnOf(again), turnOf(first), 'the same while enough is left');
  assert.equal(again.expiresInS, REUSE_WHILE_S + 1);
  wall += 2000;
  assert.notDeepEqual(turnOf(grants.grant(page)), turnOf(first), 'near expiry: new ones');

  for (let i = 1; i < ADDRESS_MINT_BURST - 1; i++) assert.ok(turnOf(grants.grant({ id: `x${i}`, address: '192.0.2.7' })));
  assert.equal(turnOf(grants.grant({ id: 'late', address: '192.0.2.7' })), undefined, 'the address spent its budget');
  assert.ok(turnOf(grants.grant({ id: 'other', address: '192.0.2.8' })), 'another address has its own');
  mono += ADDRESS_MINT_INTERVAL_MS;
  assert.ok(turnOf(grants.grant({ id: 'later', address: '192.0.2.7' })), 'one more once the interval has passed');
  assert.equal(records.filter((r) => r.startsWith('turn_refused')).length, 1);
});

test('without a secret nothing is minted: the configured servers go as given, and nothing expires', () => {
  const grants = new IceGrants({ servers: [SERVERS[0], SERVERS[2]], log: silentLogger });
  assert.deepEqual(grants.grant({ id: 'c1', address: '192.0.2.7' }), { iceServers: [SERVERS[0], SERVERS[2]], expiresInS: null });
});

test('a TURN server without credentials needs the secret, and the secret needs such a server', () => {
  assert.throws(() => checkTurn([{ urls: 'turns:relay.example.net' }], undefined), /turns:relay\.example\.net has no USER:PASS/);
  assert.throws(() => checkTurn([{ urls: 'stun:stun.example.net' }], 's'), /--turn-secret mints credentials .* and there is none/);
  checkTurn([{ urls: 'turn:relay.example.net' }], 's');
  checkTurn([{ urls: 'turn:relay.example.net', username: 'u', credential: 'p' }], undefined);
});
