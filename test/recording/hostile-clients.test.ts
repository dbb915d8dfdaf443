// What a hostile client can make a recording server do, over real WebSockets as an attacker on the LAN
// would come (issue 18, items 1 and 3): never crash it, never put in a file what it was refused or a
// field the protocol does not know, never write more than its own accepted driving, never push the
// earlier recordings out of the folder.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connect, wsUrl, type Client } from '../control/helpers.js';
import { MAX_MESSAGE_LINE_BYTES } from '../../src/recording/format.js';
import { readRecordings, recordingServer, tempDir } from './helpers.js';

const TOKEN = 'sesame';
const WITH_TOKEN = { protocols: ['webracer', `webracer.token.${Buffer.from(TOKEN).toString('base64url')}`] };
const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
/** 12 KB of JSON, 6,000 arrays deep: parses, but JSON.stringify of it overflows the stack. */
const DEEP = `${'['.repeat(6000)}${']'.repeat(6000)}`;

/** A folder holding `count` genuine earlier recordings; returns it, their names and their total size. */
function folderWithEarlierRecordings(t: TestContext, count: number): { dir: string; earlier: string[]; bytes: number } {
  const dir = tempDir(t, 'webracer-rec-hardening-');
  const earlier = Array.from({ length: count }, (_, i) => `2026-01-0${i + 1}T10-00-00.000Z_car_c1.jsonl`);
  for (const name of earlier) copyFileSync(FIXTURE, join(dir, name));
  return { dir, earlier, bytes: earlier.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0) };
}

/** The recordings this server wrote (the ones not there before). */
function written(dir: string, earlier: string[]) {
  return readRecordings(dir).filter((f) => !earlier.includes(f.name));
}

/** A round trip from each client: every message each sent before it has been handled. */
async function settled(clients: Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.roundTrip()));
}

describe('hostile clients and the recorder', () => {
  it('a message nested thousands deep, from a spectator without the token or from the driver, is recorded with the schema\'s fields only, and the server stays up', async (t) => {
    const { server, dir } = await recordingServer(t, { token: TOKEN, resumeWindowMs: 0 }, { dir: tempDir(t, 'webracer-rec-hardening-') });
    const driver = await connect(t, wsUrl(server), WITH_TOKEN);
    driver.arm();
    driver.send({ type: 'drive', x: 0, y: 1 });
    await driver.state({ direction: 'forward' });
    const spectator = await connect(t, wsUrl(server));
    spectator.sendText(`{"command":"stop","pad":${DEEP}}`);
    driver.sendText(`{"command":"up","speed":3,"pad":${DEEP},"data":${DEEP.slice(5000, 7000)}}`); // within 16 KiB
    await driver.state({ direction: 'forward', lastCommand: 'up' });
    await settled([driver, spectator]);
    await settled([driver, spectator]); // a second turn: the recorder has built those lines by now
    await server.close();

    const [file] = written(dir, []);
    const text = JSON.stringify(file.recording);
    assert.ok(!text.includes('pad') && !text.includes('[['), 'no field the protocol does not know');
    const up = file.recording.lines.find((l) => l.kind === 'message' && 'command' in l.message);
    assert.deepEqual(up?.kind === 'message' ? up.message : null, { command: 'up', speed: 3 });
    assert.ok(!file.recording.lines.some((l) => 'client' in l && l.client === spectator.welcome.clientId),
      'nothing of the spectator\'s refused stop but a count');
    assert.equal(file.recording.end.reason, 'server-stopped');
  });

  it('fifteen spectators without the token sending padded stops: refused, so only counted; no token and no padding on disk; the earlier recordings stay', async (t) => {
    const { dir, earlier, bytes } = folderWithEarlierRecordings(t, 3);
    const { server } = await recordingServer(t, { token: TOKEN }, { dir, maxTotalBytes: bytes + 256 * 1024 });
    const driver = await connect(t, wsUrl(server), WITH_TOKEN);
    driver.arm();
    driver.send({ type: 'drive', x: 0, y: 1 });
    await driver.state({ direction: 'forward' });
    const spectators = await Promise.all(Array.from({ length: 15 }, () => connect(t, wsUrl(server))));
    const stop = JSON.stringify({ command: 'stop', token: 'a-guess-at-the-token', pad: 'x'.repeat(15_000) });
    for (let i = 0; i < 55; i++) for (const s of spectators) s.sendText(stop); // within each one's burst of 60
    await settled([driver, ...spectators]);
    await server.close();

    for (const name of earlier) assert.ok(existsSync(join(dir, name)), `${name} is still there`);
    const [file] = written(dir, earlier);
    const raw = readFileSync(join(dir, file.name), 'utf8');
    assert.ok(!raw.includes('a-guess-at-the-token') && !raw.includes('xxxx'), 'neither their token nor their padding');
    const ids = new Set(spectators.map((s) => s.welcome.clientId));
    assert.deepEqual(file.recording.lines.filter((l) => 'client' in l && ids.has(l.client as string)), [], 'no line of theirs');
    const refused = (file.recording.end as { refused?: number }).refused ?? 0;
    assert.ok(refused >= spectators.length, `the end line counts their refused messages (${refused})`);
    assert.ok(raw.length < 64 * 1024, `${raw.length} bytes`);
  });

  it('a driver flooding the largest messages it may send writes at most its message rate times the bound of one message\'s lines, and the earlier recordings stay', async (t) => {
    const { dir, earlier, bytes } = folderWithEarlierRecordings(t, 3);
    const rate = 60;
    const { server } = await recordingServer(t, { driveRatePerSecond: rate }, { dir, maxTotalBytes: bytes + 1024 * 1024 });
    const driver = await connect(t, wsUrl(server));
    driver.arm(); // so its drives are taken (and recorded as messages), not refused as a new driver's
    const largest = [
      JSON.stringify({ command: 'up', speed: 15, duration: 0.1, pad: 'x'.repeat(15_000) }),
      JSON.stringify({ command: 'left', speed: 15, data: 'y'.repeat(15_000) }),
      JSON.stringify({ type: 'ping', id: '\u0001'.repeat(64) }), // each character escaped to six
      JSON.stringify({ type: 'name', name: '"'.repeat(24) }),
      JSON.stringify({ type: 'drive', x: 0.12345678901234566, y: -0.9876543210987654 }),
      JSON.stringify({ type: 'accessory', name: 'horn', on: true }), // this car has none: refused
    ];
    // About 3,000 messages a second for a second and a half (50 times the rate), paced by a timer: the
    // load's shape, not a wait for an outcome. The bound holds however late the server reads them: it
    // cannot take more than the rate from the first message to the close.
    const started = performance.now();
    for (let burst = 0; performance.now() - started < 1500; burst++) {
      for (let i = 0; i < 30; i++) driver.sendText(largest[(burst + i) % largest.length]);
      await new Promise((r) => setTimeout(r, 10)); // a burst every 10 ms for 1.5 s: the flood is the point
    }
    await server.close();
    const seconds = (performance.now() - started) / 1000;

    for (const name of earlier) assert.ok(existsSync(join(dir, name)), `${name} is still there`);
    const files = written(dir, earlier);
    const size = files.reduce((sum, f) => sum + statSync(join(dir, f.name)).size, 0);
    // The server takes at most `rate` messages a second (a bucket that starts full). Each makes at most
    // three lines: the message (a line of at most MAX_MESSAGE_LINE_BYTES) or its refusal, a demand, the
    // bytes written; a refusal, demand or write line is well under 200 bytes. Add the poses (20 a second
    // while the car moves) and each file's header and end line.
    const perMessage = MAX_MESSAGE_LINE_BYTES + 2 * 200;
    const bound = (rate * seconds + rate) * perMessage + 20 * seconds * 150 + files.length * 2048;
    t.diagnostic(`${size} bytes in ${seconds.toFixed(2)} s; the bound: ${Math.round(bound)}`);
    assert.ok(size <= bound, `${size} bytes in ${seconds.toFixed(2)} s, over the bound of ${Math.round(bound)}`);
    const messages = files.flatMap((f) => f.recording.lines).filter((l) => l.kind === 'message');
    assert.ok(messages.length > rate / 2, `the driver's accepted messages are recorded (${messages.length})`);
  });
});
