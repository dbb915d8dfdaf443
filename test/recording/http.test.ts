// /recordings and /api/recordings: the list, one file (and as a download), its simulated track; only for
// token holders when a token is set; no way out of the folder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, wsUrl } from '../control/helpers.js';
import { readRecordings, recordingServer, tempDir } from './helpers.js';

async function get(port: number, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A folder holding one recorded session (a drive forward, then a stop). */
async function recordOne(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = tempDir(t);
  const { server } = await recordingServer(t, { resumeWindowMs: 0 }, { dir });
  const driver = await connect(t, wsUrl(server));
  driver.arm();
  driver.send({ type: 'drive', x: 0, y: 1 });
  await driver.state({ direction: 'forward' });
  await new Promise((r) => setTimeout(r, 300));
  driver.send({ type: 'stop' });
  await driver.state({ direction: 'stop' });
  driver.ws.close();
  await driver.closed;
  await server.close();
  return dir;
}

describe('recordings over HTTP', () => {
  it('lists the sessions, serves one and its track, and offers it as a download', async (t) => {
    const dir = await recordOne(t);
    const [{ name, recording }] = readRecordings(dir);
    const { server } = await recordingServer(t, {}, { dir });

    const page = await get(server.port, '/recordings');
    assert.equal(page.status, 200, page.text);
    const list = JSON.parse((await get(server.port, '/api/recordings')).text) as { recordings: Array<Record<string, unknown>> };
    assert.equal(list.recordings.length, 1);
    const [summary] = list.recordings;
    assert.equal(summary.name, name);
    assert.equal(summary.car, 'car');
    assert.deepEqual(summary.drivers, [recording.header.driver]);
    assert.equal(summary.complete, true);
    assert.ok((summary.durationMs as number) >= 300);
    // 1.5 m/s for ~0.3 s, to the step
    assert.ok((summary.distanceM as number) > 0.2 && (summary.distanceM as number) < 1.5, String(summary.distanceM));

    const file = await get(server.port, `/api/recordings/${name}`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    assert.equal(file.headers.get('content-disposition'), null);
    assert.equal(file.text.split('\n').length, recording.lines.length + 2);
    const saved = await get(server.port, `/api/recordings/${name}?download`);
    assert.equal(saved.headers.get('content-disposition'), `attachment; filename="${name}"`);

    const track = JSON.parse((await get(server.port, `/api/recordings/${name}/track`)).text) as {
      points: Array<{ x: number; y: number }>; recorded: Array<{ x: number; y: number }>; distanceM: number;
    };
    assert.ok(track.points.length > 2);
    const end = recording.end.pose!;
    const last = track.points.at(-1)!;
    assert.ok(Math.hypot(last.x - end.x, last.y - end.y) < 0.001, 'the simulator, fed the recorded bytes, ends where the car did');
    assert.ok(track.recorded.length > 2, 'and the poses recorded live are there too');
  });

  it('lists a driver by the name it gave, not its connection id', async (t) => {
    const dir = tempDir(t);
    const recorder = await recordingServer(t, { resumeWindowMs: 0 }, { dir });
    const driver = await connect(t, wsUrl(recorder.server));
    driver.arm();
    driver.send({ type: 'name', name: 'Ada' });
    driver.send({ type: 'drive', x: 0, y: 1 });
    await driver.state({ direction: 'forward' });
    driver.send({ type: 'stop' });
    await driver.state({ direction: 'stop' });
    driver.ws.close();
    await driver.closed;
    await recorder.server.close();
    const [{ recording }] = readRecordings(dir);
    assert.ok(recording.lines.some((l) => l.kind === 'message' && 'type' in l.message && l.message.type === 'name'), 'the file has the name');
    const { server } = await recordingServer(t, {}, { dir });
    const list = JSON.parse((await get(server.port, '/api/recordings')).text) as { recordings: Array<{ drivers: string[] }> };
    assert.deepEqual(list.recordings[0].drivers, ['Ada']);
  });

  it('no way out of the folder, whatever the name', async (t) => {
    const dir = await recordOne(t);
    const { server } = await recordingServer(t, {}, { dir });
    for (const path of ['/api/recordings/..%2F..%2Fetc%2Fpasswd', '/api/recordings/%2e%2e', '/api/recordings/..',
      '/api/recordings/package.json', '/api/recordings/%00', '/api/recordings/a%2Fb.jsonl', '/api/recordings/%E0%A4%A']) {
      const res = await get(server.port, path);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    }
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/api/recordings`, { method: 'DELETE' })).status, 405);
  });

  it('with a token: 401 without it or with a wrong one, the list with it; wrong tries count against the address', async (t) => {
    const dir = await recordOne(t);
    const { server } = await recordingServer(t, { token: 'sesame' }, { dir });
    const [{ name }] = readRecordings(dir);
    for (const path of ['/api/recordings', `/api/recordings/${name}`, `/api/recordings/${name}/track`]) {
      const none = await get(server.port, path);
      assert.equal(none.status, 401, path);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="webracer recordings"');
      assert.ok(!none.text.includes('"'), 'nothing of the recordings in the refusal');
      assert.equal((await get(server.port, path, { Authorization: 'Bearer sesame' })).status, 200, path);
    }
    assert.equal((await get(server.port, '/recordings')).status, 200, 'the page itself holds nothing private');
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await get(server.port, '/api/recordings', { Authorization: `Bearer guess${i}` })).status;
    assert.equal(status, 429, 'a guesser is locked out, as on the WebSocket');
    assert.equal((await get(server.port, '/api/recordings', { Authorization: 'Bearer sesame' })).status, 429, 'even with the right token, for the window');
  });
});
