// Every connection the server ends is in the log with the client's id and why: an operator whose camera
// or driver vanished must be able to read what happened without guessing from a close code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ADDRESS_FAILURES, MAX_AUTH_FAILURES } from '../../src/control/connection/auth.js';
import { connect, startServer, wsUrl } from './helpers.js';

const TOKEN = 'correct-horse-battery-staple';

test('every client the server drops or closes is logged, naming it and why', async (t) => {
  const logs: string[] = [];
  const server = await startServer(t, { token: TOKEN, heartbeatMs: 200, log: (line) => logs.push(line) });
  const url = wsUrl(server);
  const why = new Map<string, RegExp>();

  const big = await connect(t, url);
  big.sendText(`"${'x'.repeat(17 * 1024)}"`);
  assert.equal((await big.closed).code, 1009);
  why.set(big.welcome.clientId, /message too big/);

  const flood = await connect(t, url);
  for (let i = 0; i < 30; i++) flood.sendText('not json');
  assert.equal((await flood.closed).code, 1008);
  why.set(flood.welcome.clientId, /too many errors|flooding/);

  const silent = await connect(t, url, { autoPong: false });
  assert.equal((await silent.closed).code, 1006);
  why.set(silent.welcome.clientId, /no answer to ping/);

  for (let c = 0; c < MAX_ADDRESS_FAILURES / MAX_AUTH_FAILURES; c++) {
    const guesser = await connect(t, url);
    for (let i = 0; i < MAX_AUTH_FAILURES; i++) guesser.send({ type: 'auth', token: `guess${c}-${i}` });
    assert.equal((await guesser.closed).code, 1008);
    why.set(guesser.welcome.clientId, /too many wrong tokens/);
  }
  const lockedOut = await connect(t, url);
  lockedOut.send({ type: 'auth', token: TOKEN });
  assert.equal((await lockedOut.closed).code, 1008);
  why.set(lockedOut.welcome.clientId, /too many wrong tokens/);

  const bystander = await connect(t, url);
  await server.close();
  await bystander.closed;
  why.set(bystander.welcome.clientId, /server shutting down/);

  for (const [client, reason] of why) {
    const lines = logs.filter((line) => new RegExp(`client=${client}\\b`).test(line) && /\b(closed|dropped|refused)\b/.test(line));
    assert.ok(lines.some((line) => reason.test(line)), `${client}: ${reason} in ${JSON.stringify(lines)}`);
  }
  assert.equal(logs.filter((line) => line.includes(TOKEN)).length, 0, 'the token is never logged');
});

test('a client cannot forge a log line: its own words (a close reason with CR, LF, quotes) stay quoted in one line', async (t) => {
  const logs: string[] = [];
  let closedLine: (line: string) => void = () => {};
  const logged = new Promise<string>((resolve) => (closedLine = resolve));
  const server = await startServer(t, {
    log: (line) => {
      logs.push(line);
      if (line.startsWith('closed ')) closedLine(line);
    },
  });
  const forged = 'bye"\r\n2030-01-01T00:00:00.000Z info  connected client=c999 role=driver\n';
  const client = await connect(t, wsUrl(server));
  client.ws.close(4000, forged);
  const line = await logged;
  assert.match(line, new RegExp(`^closed client=${client.welcome.clientId}\\b`));
  assert.ok(line.includes(`said=${JSON.stringify(forged)}`), line);
  for (const l of logs) assert.doesNotMatch(l, /[\r\n]/, `every record is one line: ${JSON.stringify(l)}`);
});
