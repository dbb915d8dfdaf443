// The drive token and the TURN secret are the operator's: no page, file, API answer, live feed, welcome
// or log line may carry them, to a client with the token or without (docs/security.md, "the page").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { DEFAULT_STATIC_DIR } from '../../src/control/server.js';
import { connect, wsUrl } from './helpers.js';
import { recordingServer } from '../recording/helpers.js';

const TOKEN = 'drive-token-5c1e7';
const TURN_SECRET = 'turn-secret-9a3f2';
const SECRETS = [TOKEN, TURN_SECRET];

/** The first bytes of an answer (the live feed never ends: its opening event is enough). */
async function firstBytes(url: string, headers: Record<string, string> = {}): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const reader = res.body!.getReader();
  let text = `${res.status} ${JSON.stringify([...res.headers])}\n`;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += Buffer.from(chunk.value).toString('utf8');
    if (url.endsWith('/live') && text.includes('\n\n')) break;
  }
  abort.abort();
  return text;
}

test('no page, static file, API answer, live feed, welcome or log line carries the token or the TURN secret', async (t) => {
  const { server, logs } = await recordingServer(t, {
    token: TOKEN, turnSecret: TURN_SECRET, iceServers: [{ urls: 'turn:turn.example.net:3478' }],
  });
  const base = `http://127.0.0.1:${server.port}`;
  const files = readdirSync(DEFAULT_STATIC_DIR).map((name) => `/${name}`);
  assert.ok(files.includes('/sw.js') && files.includes('/manifest.webmanifest'), 'the page is built');
  const paths = [...files, '/', '/car/car', '/camera', '/recordings', '/api/cars', '/api/cars/live', '/api/join'];
  const answers: Array<[string, string]> = [];
  for (const path of paths) answers.push([path, await firstBytes(base + path)]);
  for (const path of ['/api/recordings', '/api/recordings/nothing.jsonl']) {
    answers.push([`${path} (bearer)`, await firstBytes(base + path, { authorization: `Bearer ${TOKEN}` })]);
    answers.push([path, await firstBytes(base + path)]);
  }
  const holder = await connect(t, wsUrl(server), { protocols: ['webracer', `webracer.token.${Buffer.from(TOKEN).toString('base64url')}`] });
  assert.equal(holder.welcome.authenticated, true, 'the token at the upgrade');
  const stranger = await connect(t, wsUrl(server));
  stranger.send({ type: 'auth', token: 'a-wrong-guess' });
  await stranger.expect('error');
  holder.send({ type: 'watch' });
  await holder.expect('ice-servers');
  answers.push(['welcome (token holder)', JSON.stringify(holder.inbox)], ['welcome (stranger)', JSON.stringify(stranger.inbox)]);
  answers.push(['the log', logs.join('\n')]);

  assert.ok(answers.some(([, text]) => text.includes('"recordings"')), 'the token holder got the list');
  for (const [what, text] of answers) {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} carries ${secret}`);
  }
});
