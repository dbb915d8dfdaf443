// When the disk falls behind the car, pose lines go first (and the file says how many), never a demand or
// a byte. A burst the disk cannot have taken yet stands in for a slow disk: the recorder queues in memory,
// and nothing reaches the file before its writer's next turn.
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CarEvents } from '../../src/control/car/car-events.js';
import type { CarWorld } from '../../src/control/car/car-world.js';
import { RecordingDirectory } from '../../src/recording/directory.js';
import { parseRecording } from '../../src/recording/reader.js';
import { CarRecorder } from '../../src/recording/recorder.js';
import { POSE_BACKLOG_BYTES, WRITE_BATCH_BYTES } from '../../src/recording/line-file.js';
import { tempDir } from './helpers.js';

/**
 * More demand lines (about 80 bytes each) than the backlog at which poses stop being queued, even if the
 * file was open in time for its first batch to leave during the burst (one write at a time, and none
 * completes while the recorder is busy with the burst).
 */
const DEMANDS = Math.ceil(((POSE_BACKLOG_BYTES + WRITE_BATCH_BYTES) * 1.2) / 80);

/** Whether the file's last line so far is the demand at time `t` (everything queued before it is written). */
function endsWithDemandAt(path: string, t: number): boolean {
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (size === 0) return false;
  const fd = openSync(path, 'r');
  try {
    const tail = Buffer.alloc(Math.min(size, 200));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString('utf8').includes(`{"t":${t},"kind":"demand"`) && tail.at(-1) === 0x0a;
  } finally {
    closeSync(fd);
  }
}

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
    events.emit({ kind: 'pose', pose, at: now });
  }
  // The disk catches up: the last demand is on it (the poses after it were not queued).
  const path = (): string => join(dir, readdirSync(dir)[0] ?? 'none yet');
  for (let i = 0; i < 1000 && !endsWithDemandAt(path(), DEMANDS); i++) await new Promise((r) => setTimeout(r, 10));
  now += 50;
  events.emit({ kind: 'pose', pose, at: now });
  await recorder.close();

  const { lines, end } = parseRecording(readFileSync(path(), 'utf8'));
  assert.equal(lines.filter((l) => l.kind === 'demand').length, DEMANDS, 'every demand kept');
  const dropped = lines.filter((l) => l.kind === 'dropped');
  assert.deepEqual(dropped.map((l) => (l.kind === 'dropped' ? l.poses : 0)), [10], 'one dropped line with the count');
  assert.equal(lines[lines.indexOf(dropped[0]) + 1].kind, 'pose', 'just before the next pose the disk could take');
  assert.equal(end.droppedPoses, 10);
  assert.equal(end.reason, 'server-stopped');
});
