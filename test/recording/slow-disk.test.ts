// When the disk falls behind the car, pose lines go first (and the file says how many), never a demand or
// a byte. A burst the disk cannot have taken yet stands in for a slow disk: the recorder queues in memory,
// and nothing reaches the file before its writer's next turn.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CarEvents } from '../../src/control/car-events.js';
import type { CarWorld } from '../../src/control/car-world.js';
import { RecordingDirectory } from '../../src/recording/directory.js';
import { parseRecording } from '../../src/recording/reader.js';
import { CarRecorder } from '../../src/recording/recorder.js';
import { POSE_BACKLOG_BYTES } from '../../src/recording/line-file.js';
import { tempDir } from './helpers.js';

/** More demand lines (about 90 bytes each) than the backlog at which poses stop being queued. */
const DEMANDS = Math.ceil((POSE_BACKLOG_BYTES * 1.2) / 80);

it('a disk behind the car costs poses, counted in the file, and no demand', async (t) => {
  const dir = tempDir(t);
  const events = new CarEvents((err) => assert.fail(err));
  const pose = { x: 1, y: 2, heading: 0, speed: 1.5 };
  const world = {
    events,
    driver: { pose, state: { link: 'connected' }, refreshMs: 0 },
    limits: { watchdogMs: 500, maxHoldMs: 2000 },
    summary: () => ({ name: 'car', codec: 'iracer', link: 'sim', linkState: 'connected', driver: null, spectators: 0 }),
  } as unknown as CarWorld;
  let now = 0;
  const recorder = new CarRecorder(world, {
    directory: new RecordingDirectory({ dir, maxFileBytes: 64 << 20, maxTotalBytes: 1 << 30, log: () => {} }),
    server: 'webracer test', now: () => now,
  });
  events.emit({ kind: 'seat', driver: 'c1', reserved: false });
  for (let i = 0; i < DEMANDS; i++) {
    now += 1;
    events.emit({ kind: 'demand', client: 'c1', demand: { kind: 'analog', x: 0, y: 1 } });
  }
  for (let i = 0; i < 10; i++) {
    now += 50;
    events.emit({ kind: 'pose', pose });
  }
  await new Promise((r) => setTimeout(r, 500)); // the disk catches up
  now += 50;
  events.emit({ kind: 'pose', pose });
  await recorder.close();

  const [name] = readdirSync(dir);
  const { lines, end } = parseRecording(readFileSync(join(dir, name), 'utf8'));
  assert.equal(lines.filter((l) => l.kind === 'demand').length, DEMANDS, 'every demand kept');
  const dropped = lines.filter((l) => l.kind === 'dropped');
  assert.deepEqual(dropped.map((l) => (l.kind === 'dropped' ? l.poses : 0)), [10], 'one dropped line with the count');
  assert.equal(lines[lines.indexOf(dropped[0]) + 1].kind, 'pose', 'just before the next pose the disk could take');
  assert.equal(end.droppedPoses, 10);
  assert.equal(end.reason, 'server-stopped');
});
