// The recordings folder: names, the size limit (oldest first, never a file being written, never a file
// that is not a recording), client-given names that could climb out, and disk problems reported once.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RecordingDirectory, RECORDING_NAME } from '../../src/recording/directory.js';
import { tempDir } from './helpers.js';

const name = (second: number, car = 'car'): string => `2026-11-29T20-06-${String(second).padStart(2, '0')}.123Z_${car}_c1.jsonl`;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

describe('RecordingDirectory', () => {
  it('keeps the folder under its limit: the oldest recordings go, other files and the open one stay', async (t) => {
    const dir = tempDir(t);
    for (const s of [1, 2, 3]) writeFileSync(join(dir, name(s)), 'x'.repeat(400));
    writeFileSync(join(dir, 'notes.txt'), 'x'.repeat(4000)); // not a recording: never counted, never deleted
    const logs: string[] = [];
    const directory = new RecordingDirectory({ dir, maxFileBytes: 500, maxTotalBytes: 1000, log: (l) => logs.push(l) });
    await directory.ready;
    await until(() => !existsSync(join(dir, name(1))), 'the oldest deleted');
    assert.deepEqual(readdirSync(dir).sort(), [name(2), name(3), 'notes.txt']);

    const { name: fresh, file } = directory.create('2026-11-29T20-07-00.000Z_car_c9');
    assert.match(fresh, RECORDING_NAME);
    file.append('y'.repeat(900));
    await until(() => !existsSync(join(dir, name(3))), 'older ones make room for the one being written');
    assert.ok(existsSync(join(dir, fresh)), 'the file being written is never deleted');
    assert.ok(existsSync(join(dir, 'notes.txt')));
    await file.close();
    directory.closed(fresh);
    assert.deepEqual(logs, []);
  });

  it('looks up only its own recordings by exact name: nothing a client sends becomes a path', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, name(1)), '{}\n');
    mkdirSync(join(dir, 'sub'));
    const directory = new RecordingDirectory({ dir, maxFileBytes: 1e6, maxTotalBytes: 1e7, log: () => {} });
    assert.equal(await directory.pathOf(name(1)), join(dir, name(1)));
    for (const bad of ['../' + name(1), `sub/${name(1)}`, name(2), '/etc/passwd', '..', name(1).replace('.jsonl', '.json'),
      `${name(1)}\0`, name(1).toUpperCase()]) {
      assert.equal(await directory.pathOf(bad), null, bad);
    }
  });

  it('makes its folder 0700 and each recording 0600; a folder that exists open to others is used as it is, and said once', async (t) => {
    const parent = tempDir(t, 'webracer-rec-hardening-');
    const logs: string[] = [];
    const made = join(parent, 'new', 'recordings');
    const directory = new RecordingDirectory({ dir: made, maxFileBytes: 1e6, maxTotalBytes: 1e7, log: (l) => logs.push(l) });
    assert.equal(statSync(made).mode & 0o777, 0o700);
    const { name: fresh, file } = directory.create('2026-11-29T20-07-00.000Z_car_c9');
    file.append('{}');
    await file.close('{}');
    assert.equal(statSync(join(made, fresh)).mode & 0o777, 0o600);
    assert.equal(logs.length, 0, logs.join('\n'));

    const shared = join(parent, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    new RecordingDirectory({ dir: shared, maxFileBytes: 1e6, maxTotalBytes: 1e7, log: (l) => logs.push(l) });
    assert.equal(statSync(shared).mode & 0o777, 0o755, 'the owner\'s folder keeps its modes');
    assert.equal(logs.length, 1);
    assert.match(logs[0], /^recording: the folder .*shared is open to other users \(mode 0755\).*chmod 700/);
  });

  it('opens a recording without following a link: one put in place of a listed file is refused, and so is anything not a regular file', async (t) => {
    const dir = tempDir(t, 'webracer-rec-hardening-');
    const secret = join(tempDir(t, 'webracer-rec-hardening-secret-'), 'secret');
    writeFileSync(secret, 'private');
    writeFileSync(join(dir, name(1)), '{}\n');
    symlinkSync(secret, join(dir, name(2)));
    mkdirSync(join(dir, name(3)));
    const directory = new RecordingDirectory({ dir, maxFileBytes: 1e6, maxTotalBytes: 1e7, log: () => {} });
    assert.deepEqual(await directory.list(), [name(1)], 'a link or a folder is not a recording');
    const opened = await directory.openRecording(name(1));
    assert.equal(opened?.size, 3);
    await opened?.handle.close();
    // The folder changes between the listing and the open: what is opened is what counts.
    for (const swapped of [name(2), name(3)]) {
      directory.pathOf = async () => join(dir, swapped);
      assert.equal(await directory.openRecording(name(1)), null, swapped);
    }
  });

  it('a folder it cannot write is reported once, whatever else fails, until a write works again', async (t) => {
    const dir = tempDir(t);
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const logs: string[] = [];
    const directory = new RecordingDirectory({ dir: join(blocker, 'recordings'), maxFileBytes: 1e6, maxTotalBytes: 1e7, log: (l) => logs.push(l) });
    for (const s of [1, 2]) {
      const { file } = directory.create(name(s).replace('.jsonl', ''));
      file.append('{}');
      await file.close('{}');
    }
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0], /^recording: cannot write .* \(ENOTDIR\); driving goes on, unrecorded/);
  });
});
