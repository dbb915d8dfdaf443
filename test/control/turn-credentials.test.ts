// Time-limited TURN credentials (--turn-secret): each page's welcome carries its own, in the form a TURN
// server with coturn's use-auth-secret checks (user `<expiry>:<client>`, password base64 HMAC-SHA1 of it
// under the shared secret); STUN servers and TURN servers given with their own credentials go as given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { TURN_CREDENTIAL_TTL_S, checkTurn, turnCredentials } from '../../src/control/turn-credentials.js';
import { connect, startServer, wsUrl } from './helpers.js';

test('the user name expires a day from now and names the client; the password is the HMAC a TURN server recomputes', () => {
  const now = Date.UTC(2026, 10, 29, 12, 0, 0, 500);
  const { username, credential } = turnCredentials('shared', 'c7', now);
  assert.equal(username, `${Date.UTC(2026, 10, 29, 12) / 1000 + TURN_CREDENTIAL_TTL_S}:c7`);
  assert.equal(TURN_CREDENTIAL_TTL_S, 86_400);
  assert.equal(credential, createHmac('sha1', 'shared').update(username).digest('base64'));
  // A known answer, computed once with `printf %s '1764504000:c7' | openssl dgst -sha1 -hmac shared -binary | base64`.
  assert.equal(turnCredentials('shared', 'c7', 1_764_417_600_000).credential, 'jQW4lxq2z9PdcJxKoGYzSzVCqH8=');
  assert.notEqual(turnCredentials('other', 'c7', now).credential, credential, 'another secret, another password');
});

test('each page gets its own TURN credentials in its welcome; the rest as configured', async (t) => {
  const server = await startServer(t, {
    turnSecret: 'shared',
    iceServers: [
      { urls: 'stun:stun.example.net' },
      { urls: 'turn:turn.example.net:3478' },
      { urls: 'turns:relay.example.net', username: 'fixed', credential: 'pw' },
    ],
  });
  const before = Math.floor(Date.now() / 1000);
  const a = await connect(t, wsUrl(server));
  const b = await connect(t, wsUrl(server));
  for (const client of [a, b]) {
    const [stun, turn, fixed] = client.welcome.iceServers;
    assert.deepEqual(stun, { urls: 'stun:stun.example.net' });
    assert.deepEqual(fixed, { urls: 'turns:relay.example.net', username: 'fixed', credential: 'pw' });
    assert.equal(turn.urls, 'turn:turn.example.net:3478');
    const [expiry, id] = turn.username!.split(':');
    assert.equal(id, client.welcome.clientId);
    assert.ok(Number(expiry) >= before + TURN_CREDENTIAL_TTL_S && Number(expiry) <= Math.ceil(Date.now() / 1000) + TURN_CREDENTIAL_TTL_S);
    assert.equal(turn.credential, createHmac('sha1', 'shared').update(turn.username!).digest('base64'));
  }
  assert.notEqual(a.welcome.iceServers[1].username, b.welcome.iceServers[1].username, 'one page\'s are not another\'s');
});

test('a TURN server without credentials needs the secret, and the secret needs such a server', () => {
  assert.throws(() => checkTurn([{ urls: 'turns:relay.example.net' }], undefined), /turns:relay\.example\.net has no USER:PASS/);
  assert.throws(() => checkTurn([{ urls: 'stun:stun.example.net' }], 's'), /--turn-secret mints credentials .* and there is none/);
  checkTurn([{ urls: 'turn:relay.example.net' }], 's');
  checkTurn([{ urls: 'turn:relay.example.net', username: 'u', credential: 'p' }], undefined);
});
