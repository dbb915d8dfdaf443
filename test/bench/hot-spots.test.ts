// The profile summary used for the bench's findings: self time per function from a .cpuprofile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hotSpots, type CpuProfile } from '../../bench/hot-spots.js';

test('self time is summed per function across nodes and ranked', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' } },
      { id: 2, callFrame: { functionName: 'applyMask', url: 'file:///repo/src/websocket/mask.ts' } },
      { id: 3, callFrame: { functionName: 'writev', url: '' } },
      // the same function reached through another caller is another node
      { id: 4, callFrame: { functionName: 'applyMask', url: 'file:///repo/src/websocket/mask.ts' } },
      { id: 5, callFrame: { functionName: '', url: 'file:///repo/src/x.ts' } },
    ],
    samples: [2, 3, 4, 2, 5, 99],
    timeDeltas: [1000, 3000, 2000, 1000, 1000, 500],
  };
  const spots = hotSpots(profile, '/repo');
  assert.deepEqual(spots.map((s) => [s.name, s.selfMs]), [
    ['applyMask src/websocket/mask.ts', 4],
    ['writev', 3],
    ['(anonymous) src/x.ts', 1],
  ]);
  assert.equal(spots[0].share, 0.5); // 4 of the 8 ms that fell on known nodes
});
