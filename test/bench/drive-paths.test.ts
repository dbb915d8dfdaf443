// bench/drive-paths-moves.ts and drive-paths-section.ts: what a run of moves comes to, and the goals read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { movesResult } from '../../bench/drive-paths-moves.js';
import { drivePathsBody, type LossyPathResult, type RunResult } from '../../bench/drive-paths-section.js';

test('drive paths: a move superseded by a later one counts until the later byte; an arrival names the latest move with its byte', () => {
  const sent = [{ t: 0, byte: 0x15 }, { t: 50, byte: 0x16 }, { t: 100, byte: 0x17 }, { t: 150, byte: 0x15 }];
  // 0x15 at 30 (move 0), move 1's datagram lost, 0x17 at 130 (move 2), 0x15 at 170 (move 3, not move 0).
  const r = movesResult(sent, [{ t: 30, byte: 0x15 }, { t: 130, byte: 0x17 }, { t: 170, byte: 0x15 }]);
  assert.equal(r.moves, 4);
  assert.equal(r.missing, 0);
  assert.deepEqual([r.p50, r.max], [30, 80]); // latencies 30, 80, 30, 20
  // Stale: 30 (move 0) + 50 (move 1, newest until move 2's send) + 30 (move 2) + 20 (move 3), over 200 ms.
  assert.equal(r.staleShare, 130 / 200);
  assert.equal(r.longestStaleMs, 80); // from move 1's send to move 2's byte
});

test('drive paths: a move whose byte and every later one never came is missing', () => {
  const r = movesResult([{ t: 0, byte: 0x15 }, { t: 50, byte: 0x16 }], [{ t: 20, byte: 0x15 }]);
  assert.equal(r.missing, 1);
  assert.equal(r.p99, 20);
});

test('drive paths: the section says each goal met or MISSED from the run\'s own figures', () => {
  const run = (p99: number): RunResult => ({ moves: 10, p50: 20, p99, max: p99, missing: 0, staleShare: 0.5, longestStaleMs: p99 });
  const r: LossyPathResult = {
    moves: 10, outageMs: 2000,
    levels: [{ loss: 0, runs: { websocket: run(60), channel: run(40) } }, { loss: 2, runs: { websocket: run(140), channel: run(48) } },
      { loss: 5, runs: { websocket: run(300), channel: run(160) } }],
    outages: { websocket: { stopAfterCutMs: 505, replayedDriveBytes: 0, drivingAgainMs: 40 }, channel: { stopAfterCutMs: 502, replayedDriveBytes: 2, drivingAgainMs: 30 } },
  };
  const body = drivePathsBody(r, 'load');
  assert.match(body, /at 2% loss is 1\.20x its no-loss p99 \(goal <= 1\.25x\): met/);
  assert.match(body, /at 5% loss is 4\.00x its no-loss p99 \(goal <= 1\.25x\): MISSED/);
  assert.match(body, /At 5% loss the channel's p99 is 0\.53x the WebSocket's \(goal <= 0\.5x\): MISSED/);
  assert.match(body, /\(websocket\): the watchdog stopped the car, no stale input replayed: met/);
  assert.match(body, /\(channel\): the watchdog stopped the car, 2 STALE DRIVE BYTES: MISSED/);
});
