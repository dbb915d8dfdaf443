// The recorder on a live server: one file per session, with every line the format promises.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, wsUrl } from '../control/helpers.js';
import { FORMAT, FORMAT_VERSION } from '../../src/recording/format.js';
import { readRecordings, recordingServer } from './helpers.js';

describe('recorder', () => {
  it('records a session: header, seat, messages, demands, bytes, poses, and the end when the driver leaves', async (t) => {
    const { server, dir } = await recordingServer(t, { resumeWindowMs: 0 });
    const driver = await connect(t, wsUrl(server));
    driver.send({ type: 'drive', x: 0, y: 1 });
    await driver.state({ direction: 'forward' });
    await new Promise((r) => setTimeout(r, 200));
    driver.send({ type: 'auth', token: 'not-kept' });
    driver.send({ type: 'stop' });
    await driver.state({ direction: 'stop' });
    driver.ws.close();
    await driver.closed;
    await server.close();

    const files = readRecordings(dir);
    assert.equal(files.length, 1);
    const { header, lines, end } = files[0].recording;
    assert.equal(header.format, FORMAT);
    assert.equal(header.version, FORMAT_VERSION);
    assert.equal(header.car, 'car');
    assert.equal(header.codec, 'iracer');
    assert.equal(header.link, 'sim');
    assert.match(header.server, /^webracer \d+\.\d+\.\d+/);
    assert.equal(header.driver, driver.welcome.clientId);
    assert.deepEqual(header.limits, { watchdogMs: 500, maxHoldMs: 2000 });
    assert.deepEqual(header.pose, { x: 0, y: 0, heading: 0, speed: 0 });
    const kinds = lines.map((l) => l.kind);
    assert.equal(kinds[0], 'seat');
    for (const kind of ['message', 'demand', 'pose', 'end']) assert.ok(kinds.includes(kind as never), `a ${kind} line: ${kinds.join(' ')}`);
    assert.ok(!JSON.stringify(lines).includes('not-kept'), 'a token is never recorded');
    assert.equal(end.reason, 'seat');
    assert.ok(lines.every((l, i) => i === 0 || l.t >= lines[i - 1].t), 'time never goes back');
  });
});
