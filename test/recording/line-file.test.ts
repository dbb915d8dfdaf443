// The background writer: lines in order, a bounded queue that gives up poses first, and a disk that
// fails reported once without throwing at the caller.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LineFile, MAX_BACKLOG_BYTES, POSE_BACKLOG_BYTES } from '../../src/recording/line-file.js';
import { tempDir } from './helpers.js';

describe('LineFile', () => {
  it('writes every line in order, the last one at close', async (t) => {
    const path = join(tempDir(t), 'a.jsonl');
    const errors: Error[] = [];
    const file = new LineFile(path, { onError: (e) => errors.push(e) });
    for (let i = 0; i < 1000; i++) file.append(`{"i":${i}}`);
    await file.close('{"end":true}');
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 1002);
    assert.equal(lines[999], '{"i":999}');
    assert.equal(lines[1000], '{"end":true}');
    assert.equal(lines[1001], '');
    assert.deepEqual(errors, []);
  });

  it('while the disk has not caught up, poses are refused first (counted), then everything past the hard bound', async (t) => {
    const path = join(tempDir(t), 'b.jsonl');
    const file = new LineFile(path, { onError: () => {} });
    // One synchronous burst: the disk cannot have taken any of it yet.
    const line = 'x'.repeat(1023);
    let appended = 0;
    while (file.backlog < POSE_BACKLOG_BYTES) {
      assert.equal(file.append(line), true);
      appended++;
    }
    assert.equal(file.append('{"pose":1}', true), false, 'a pose waits for nobody');
    assert.equal(file.droppedPoses, 1);
    assert.equal(file.append(line), true, 'a command line is still kept');
    appended++;
    while (file.backlog < MAX_BACKLOG_BYTES) {
      file.append(line);
      appended++;
    }
    assert.equal(file.append(line), false);
    assert.equal(file.lost, 1);
    await file.close('{"end":true}');
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, appended + 2, 'everything kept was written, and the end line');
  });

  it('a file that cannot be made reports once, refuses lines, and closes without throwing', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'taken.jsonl'), 'another run\n');
    const errors: Error[] = [];
    for (const path of [join(dir, 'missing', 'c.jsonl'), join(dir, 'taken.jsonl')]) {
      const file = new LineFile(path, { onError: (e) => errors.push(e) });
      file.append('{"a":1}');
      await file.close('{"end":true}');
      assert.equal(file.failed, true);
      assert.equal(file.append('{"b":2}'), false);
    }
    assert.deepEqual(errors.map((e) => (e as NodeJS.ErrnoException).code), ['ENOENT', 'EEXIST']);
    assert.equal(readFileSync(join(dir, 'taken.jsonl'), 'utf8'), 'another run\n', 'never overwrites');
    assert.equal(existsSync(join(dir, 'missing')), false);
  });
});
