// Serving recordings over HTTP holds no file open after the answer, whatever the request (issue 18,
// item 2), and serves regular files only: a link in the folder named like a recording is not followed
// (item 5).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordingServer, tempDir } from './helpers.js';

const EMPTY = '2026-02-01T10-00-00.000Z_car_c1.jsonl';
const LARGE = '2026-02-01T10-00-01.000Z_car_c2.jsonl';

/** A named pipe at `path` (coreutils' mkfifo); false where there is none. */
function mkfifo(path: string): boolean {
  try {
    execFileSync('mkfifo', [path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** This process's open descriptors (the server runs in it). */
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

interface Answer { status: number; body: string }

/** One request on a connection of its own (closed after it); `abort` drops it after the first bytes of the body. */
function get(port: number, path: string, { method = 'GET', headers = {}, abort = false } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (abort) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits for the descriptors to come back to `baseline` (a socket closes a little after its answer ends). */
async function descriptorsBackTo(baseline: number, slack: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let now = openDescriptors();
  while (now > baseline + slack && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    now = openDescriptors();
  }
  return now;
}

describe('serving recordings', () => {
  it('holds no descriptor after any answer: an empty file (a session just begun), aborted downloads, ranges, HEAD, tracks', { skip: process.platform !== 'linux' && 'counts /proc/self/fd' }, async (t) => {
    const dir = tempDir(t, 'webracer-rec-hardening-');
    writeFileSync(join(dir, EMPTY), ''); // every new session's file is empty until its first write
    writeFileSync(join(dir, LARGE), `${'{"t":0}\n'.repeat(512 * 1024)}`); // 4 MiB: far more than a socket buffer
    const { server } = await recordingServer(t, {}, { dir });
    const { port } = server;
    await get(port, '/api/recordings'); // whatever the first request opens for good (the page's files, caches)
    const baseline = await descriptorsBackTo(openDescriptors(), 0);

    for (let i = 0; i < 100; i++) {
      const answer = await get(port, `/api/recordings/${EMPTY}`);
      assert.deepEqual(answer, { status: 200, body: '' });
    }
    for (let i = 0; i < 20; i++) await get(port, `/api/recordings/${LARGE}`, { abort: true });
    for (let i = 0; i < 20; i++) await get(port, `/api/recordings/${LARGE}?download`, { abort: true, headers: { range: 'bytes=100-200' } });
    for (let i = 0; i < 20; i++) assert.equal((await get(port, `/api/recordings/${LARGE}`, { method: 'HEAD' })).status, 200);
    for (let i = 0; i < 20; i++) await get(port, `/api/recordings/${EMPTY}/track`);
    const whole = await get(port, `/api/recordings/${LARGE}`);
    assert.equal(whole.body.length, 4 * 1024 * 1024, 'a whole download still gets every byte');

    const after = await descriptorsBackTo(baseline, 2);
    assert.ok(after <= baseline + 2, `${after - baseline} descriptors more than before 200 requests`);
  });

  it('a link named like a recording is neither listed nor served', async (t) => {
    const dir = tempDir(t, 'webracer-rec-hardening-');
    const outside = join(tempDir(t, 'webracer-rec-hardening-secret-'), 'secret.txt');
    writeFileSync(outside, 'the server\'s private key\n');
    const link = '2026-02-01T10-00-02.000Z_car_c3.jsonl';
    symlinkSync(outside, join(dir, link));
    const { server } = await recordingServer(t, {}, { dir });

    const list = JSON.parse((await get(server.port, '/api/recordings')).body) as { recordings: Array<{ name: string }> };
    assert.deepEqual(list.recordings.map((r) => r.name), []);
    for (const path of [`/api/recordings/${link}`, `/api/recordings/${link}?download`, `/api/recordings/${link}/track`]) {
      const answer = await get(server.port, path);
      assert.equal(answer.status, 404, `${path}: ${answer.status} ${answer.body}`);
    }
  });

  it('nor is a named pipe named like a recording, which a reader would wait on forever', { timeout: 30_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'webracer-rec-hardening-'));
    const fifo = '2026-02-01T10-00-03.000Z_car_c4.jsonl';
    if (!mkfifo(join(dir, fifo))) return t.skip('no mkfifo here');
    // Whatever the server did, let a reader stuck on the pipe go, so the test can end.
    t.after(() => {
      try {
        closeSync(openSync(join(dir, fifo), constants.O_WRONLY | constants.O_NONBLOCK));
      } catch { /* nobody was reading */ }
      rmSync(dir, { recursive: true, force: true });
    });
    const { server } = await recordingServer(t, {}, { dir });

    const list = JSON.parse((await get(server.port, '/api/recordings')).body) as { recordings: Array<{ name: string }> };
    assert.deepEqual(list.recordings.map((r) => r.name), []);
    for (const path of [`/api/recordings/${fifo}`, `/api/recordings/${fifo}/track`]) {
      assert.equal((await get(server.port, path)).status, 404, path);
    }
  });
});
