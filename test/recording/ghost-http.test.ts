// Ghosts over HTTP (src/recording/ghost-routes.ts): started from one of the server's recordings by name,
// or from a file sent whole; seen by the pages of simulated cars; never a car anyone can open, drive or
// queue for; removed only with its key; and every bad request refused with why.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlServer } from '../../src/control/server.js';
import type { GhostCar } from '../../src/control/protocol/messages.js';
import { ghostAddOn } from '../../src/recording/add-on.js';
import { MAX_GHOST_FILE_BYTES } from '../../src/recording/ghost-script.js';
import WebSocket from 'ws';
import { connect, startServer, wsUrl } from '../control/helpers.js';
import { recordingServer } from './helpers.js';
import { ByteRecorder } from '../support/byte-recorder.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
const NAME = '2026-11-29T20-50-27.329Z_car_c1.jsonl';
const TWO_SIMS = { cars: [{ name: 'red', link: 'sim', codec: 'iracer' as const }, { name: 'blue', link: 'sim', codec: 'iracer' as const }] };

/** A server recording into a folder that holds the fixture under a recording's name. */
async function withRecording(t: TestContext, token?: string): Promise<ControlServer> {
  const { server, dir } = await recordingServer(t, { ...TWO_SIMS, token });
  copyFileSync(FIXTURE, join(dir, NAME));
  return server;
}

function post(server: ControlServer, body: string | Buffer, type = 'application/json', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}api/ghosts`, { method: 'POST', body, headers: { 'Content-Type': type, ...headers } });
}

/** A WebSocket upgrade's refusal: its status and its text. */
function refusedUpgrade(t: TestContext, url: string): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url);
  t.after(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was taken')));
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

const showName = (server: ControlServer, name: string, headers: Record<string, string> = {}) =>
  post(server, JSON.stringify({ recording: name }), 'application/json', headers);

test('a ghost from a recording of the server: every page of a simulated car sees it, labelled, and nobody can open, drive or queue for it', async (t) => {
  const server = await withRecording(t);
  const page = await connect(t, wsUrl(server, '/ws?car=blue'));
  const response = await showName(server, NAME);
  assert.equal(response.status, 201, await response.clone().text());
  const { ghost, key } = (await response.json()) as { ghost: GhostCar; key: string };
  assert.equal(ghost.id, 'ghost-1');
  assert.equal(ghost.label, 'ghost · a drive on car');
  const seen = await page.next((m) => m.type === 'ghosts' && (m.ghosts as GhostCar[]).some((g) => g.pose.y !== 0), 'the ghost moving');
  assert.equal((seen.ghosts as GhostCar[])[0].label, 'ghost · a drive on car');
  // No car of the fleet: not listed, no page, no socket; a refusal says what it is.
  const cars = (await (await fetch(`${server.url}api/cars`)).json()) as Array<{ name: string }>;
  assert.deepEqual(cars.map((c) => c.name), ['red', 'blue']);
  const carPage = await fetch(`${server.url}car/ghost-1`);
  assert.equal(carPage.status, 404);
  assert.match(await carPage.text(), /ghost-1 is a ghost \(ghost · a drive on car\): a recording replayed on the map, which nobody can drive/);
  const upgrade = await refusedUpgrade(t, wsUrl(server, '/ws?car=ghost-1'));
  assert.equal(upgrade.status, 404);
  assert.match(upgrade.body, /ghost-1 is a ghost/);
  // Removed only with its key.
  const remove = (headers: Record<string, string>) => fetch(`${server.url}api/ghosts/ghost-1`, { method: 'DELETE', headers });
  assert.equal((await remove({})).status, 403);
  assert.equal((await remove({ 'X-Ghost-Key': 'guess' })).status, 403);
  const malformed = await fetch(`${server.url}api/ghosts/ghost-%E0%A4%A`, { method: 'DELETE', headers: { 'X-Ghost-Key': key } });
  assert.equal(malformed.status, 404, 'a malformed escape names no ghost, and the server stays up');
  assert.equal((await remove({ 'X-Ghost-Key': key })).status, 204);
  await page.next((m) => m.type === 'ghosts' && (m.ghosts as GhostCar[]).length === 0, 'the ghost gone');
  assert.deepEqual(((await (await fetch(`${server.url}api/ghosts`)).json()) as { ghosts: unknown[] }).ghosts, []);
});

test('ghost refusals: a path for a name, a missing recording, a malformed or too large file, another type, another site', async (t) => {
  const server = await withRecording(t);
  for (const name of ['../../../etc/passwd', `/tmp/${NAME}`, `..%2f${NAME}`, `x/../${NAME}`]) {
    const response = await showName(server, name);
    assert.equal(response.status, 404, name);
    assert.match(await response.text(), /no recording named .* in this server's recordings folder \(only a name \/api\/recordings lists, never a path\)/);
  }
  const missing = await showName(server, '2026-01-01T00-00-00.000Z_red_c9.jsonl');
  assert.equal(missing.status, 404);
  const notJson = await post(server, '{recording');
  assert.equal(notJson.status, 400);
  assert.match(await notJson.text(), /not JSON/);
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  lines[3] = '{"t":6.3,"kind":"demand","client":"c1","demand":{"kind":"analog","x":9,"y":1}}';
  const malformed = await post(server, lines.join('\n'), 'application/x-ndjson');
  assert.equal(malformed.status, 400);
  assert.match(await malformed.text(), /^this recording cannot be shown as a ghost: line 4: /);
  const large = await post(server, Buffer.alloc(MAX_GHOST_FILE_BYTES + 1, 0x20), 'application/x-ndjson');
  assert.equal(large.status, 413);
  const plain = await post(server, JSON.stringify({ recording: NAME }), 'text/plain');
  assert.equal(plain.status, 415, 'a type a page of another site could send without asking first');
  const foreign = await showName(server, NAME, { Origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.match(await foreign.text(), /another site/);
  const put = await fetch(`${server.url}api/ghosts`, { method: 'PUT', body: '{}' });
  assert.equal(put.status, 405);
  assert.deepEqual(((await (await fetch(`${server.url}api/ghosts`)).json()) as { ghosts: unknown[] }).ghosts, [], 'nothing was started');
});

test('ghosts with a token: none without it or with a wrong one; the token holder starts one', async (t) => {
  const server = await withRecording(t, 'sesame-ghosts');
  const none = await showName(server, NAME);
  assert.equal(none.status, 401);
  assert.match(await none.text(), /ghosts need the token/);
  assert.equal((await showName(server, NAME, { Authorization: 'Bearer nope' })).status, 401);
  assert.equal((await fetch(`${server.url}api/ghosts`)).status, 401, 'not even the list');
  const ok = await showName(server, NAME, { Authorization: 'Bearer sesame-ghosts' });
  assert.equal(ok.status, 201);
});

test('a fourth ghost at once is refused with why; a file sent whole needs no --record', async (t) => {
  const server = await startServer(t, { ...TWO_SIMS, addOns: [ghostAddOn()] });
  const file = readFileSync(FIXTURE);
  for (let i = 0; i < 3; i++) assert.equal((await post(server, file, 'application/x-ndjson')).status, 201);
  const fourth = await post(server, file, 'application/x-ndjson');
  assert.equal(fourth.status, 409);
  assert.match(await fourth.text(), /3 ghosts are in the arena already, the most at once/);
  const byName = await showName(server, NAME);
  assert.equal(byName.status, 404);
  assert.match(await byName.text(), /keeps no recordings/);
});

test('a ghost never moves a real car: the real car of a server gets nothing but its connection\'s stop while a ghost drives', async (t) => {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const server = await startServer(t, {
    cars: [{ name: 'real', link: car.link, codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }], addOns: [ghostAddOn()],
  });
  const page = await connect(t, wsUrl(server, '/ws?car=blue'));
  await car.holds((b) => b === 0x00, "the stop the real car's connection begins with");
  const before = car.bytes.length;
  const response = await post(server, readFileSync(FIXTURE), 'application/x-ndjson');
  assert.equal(response.status, 201);
  await page.next((m) => m.type === 'ghosts' && (m.ghosts as GhostCar[]).some((g) => g.ended), 'the ghost at its end');
  assert.equal(car.bytes.length, before, `the real car was sent ${car.describe()}`);
});
