// A session with a race in it: the recording says what the race did to the car (the hold, the grid
// slot it was put on, the go), so its replay ends where the car did (issue 20 item 2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RaceMessage } from '../../src/control/protocol/messages.js';
import { join } from 'node:path';
import { CIRCUIT } from '../../src/control/track/circuit.js';
import { RecordingDirectory } from '../../src/recording/directory.js';
import { replayAtOnce } from '../../src/recording/dry-run.js';
import { RecordingSummaries } from '../../src/recording/summaries.js';
import { createCodec } from '../../src/vehicle/index.js';
import { connect, wsUrl, type Client } from '../control/helpers.js';
import { readRecordings, recordingServer } from './helpers.js';

const sims = (...names: string[]) => ({ cars: names.map((name) => ({ name, link: 'sim', codec: 'iracer' as const })) });
const phase = (client: Client, p: RaceMessage['phase']) =>
  client.expect('race', (m) => (m as unknown as RaceMessage).phase === p, 0);

/** The stick held for `ms`, refreshed as the page does; then let go (`stop`) or left to the race. */
async function drive(client: Client, x: number, y: number, ms: number, stop: boolean): Promise<void> {
  for (const until = performance.now() + ms; performance.now() < until;) {
    client.send({ type: 'drive', x, y });
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!stop) return;
  client.send({ type: 'stop' });
  await client.state({ direction: 'stop' });
}

describe('a session with a race in it', { timeout: 60_000 }, () => {
  it('records the hold, the grid slot and the go, and its dry run ends where the car did (not metres away)', async (t) => {
    const { server, dir } = await recordingServer(t, { resumeWindowMs: 0, ...sims('red', 'blue') });
    const red = await connect(t, wsUrl(server, '/ws?car=red'));
    red.arm();
    await drive(red, 0.6, 1, 700, false); // off the grid slot, turning, and still moving when the race starts
    red.send({ type: 'race-start', laps: 1 });
    await phase(red, 'countdown');
    await phase(red, 'running');
    red.send({ type: 'drive', x: 0, y: 0 }); // the stick back at the centre: the hold's stop disarmed it
    await drive(red, -0.4, 1, 500, true); // from the grid slot, the other way
    red.ws.close();
    await red.closed;
    await server.close();

    const [{ recording, name }] = readRecordings(dir).filter((r) => r.name.includes('_red_'));
    assert.equal(recording.header.version, 2);
    const kinds = recording.lines.map((l) => l.kind);
    const hold = kinds.indexOf('hold');
    const place = kinds.indexOf('place');
    const release = kinds.indexOf('release');
    assert.ok(hold > 0 && place > hold && release > place, `hold, place, release in order: ${kinds.join(' ')}`);
    const placed = recording.lines[place] as { pose: { x: number; y: number; heading: number } };
    assert.deepEqual([placed.pose.x, placed.pose.y, placed.pose.heading], [0, 0, 0], 'red is put on the pole position');
    const stop = recording.lines.findIndex((l, i) => i > hold && l.kind === 'demand');
    assert.ok(stop > hold && stop < place, 'the moving car is stopped (the server\'s demand) before it is placed');

    const end = recording.end.pose!;
    const dry = await replayAtOnce(recording, { codec: createCodec('iracer') });
    const cm = Math.hypot(dry.pose.x - end.x, dry.pose.y - end.y) * 100;
    assert.ok(cm < 0.1 && Math.abs(dry.pose.heading - end.heading) < 1e-4,
      `the dry run ends ${cm.toFixed(2)} cm from the recorded end (${JSON.stringify(dry.pose)} vs ${JSON.stringify(end)})`);
    assert.deepEqual(dry.timeline.filter((e) => e.kind === 'race' || e.kind === 'place').map((e) => e.kind), ['race', 'place', 'race']);

    // The page's map: the arena's circuit, and the path jumps to the grid slot (no line drawn to it) and
    // ends where the car did.
    const directory = new RecordingDirectory({ dir, maxFileBytes: 32 << 20, maxTotalBytes: 1 << 30, log: () => {} });
    const track = await new RecordingSummaries(directory).track(join(dir, name));
    assert.deepEqual(track.circuit, CIRCUIT);
    const jumps = track.points.filter((p) => p.placed);
    assert.deepEqual(jumps.map((p) => [p.x, p.y]), [[0, 0]]);
    const last = track.points.at(-1)!;
    assert.ok(Math.hypot(last.x - end.x, last.y - end.y) < 1e-3, `the map's path ends where the car did: ${JSON.stringify(last)}`);
  });
});
