// --log-format json through the real CLI: every line it prints is one JSON object; connections, seat
// changes, refusals and the shutdown each get a line, drive messages none. The limits given as flags
// reach the server (--max-clients, --heartbeat-ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../src/control/options.js';
import { connect, upgradeStatus } from '../control/helpers.js';
import { start, WAIT_MS, WEBRACER } from './process.js';

interface Line { time: string; level: string; event: string; [field: string]: unknown }

test('--log-format json: one object per line, a line per connection, seat change and refusal, none per drive message',
  { timeout: 120_000 }, async (t) => {
    const server = start(t, [...WEBRACER, '--port', '0', '--host', '127.0.0.1', '--log-format', 'json', '--log-level', 'debug',
      '--max-clients', '2']);
    const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
    const wsUrl = `${url.replace('http', 'ws')}ws`;
    const lines = (): Line[] => server.stdout().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
    const waitForLine = async (match: (l: Line) => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + WAIT_MS;
      while (!lines().some(match) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.ok(lines().some(match), `${what}: ${server.stdout()}`);
    };

    const driver = await connect(t, wsUrl);
    const spectator = await connect(t, wsUrl);
    assert.equal(await upgradeStatus(t, wsUrl), 503, '--max-clients 2 reached the server');
    await waitForLine((l) => l.event === 'refused' && l.status === 503, 'refused');
    const before = lines().length;

    const startedAt = performance.now();
    driver.arm();
    for (let i = 0; i < 40; i++) {
      driver.send({ type: 'drive', x: 0, y: 0.9 });
      spectator.send({ type: 'drive', x: 0, y: 0.9 });
    }
    await driver.roundTrip();
    await spectator.roundTrip();
    const seconds = (performance.now() - startedAt) / 1000;
    driver.send({ type: 'stop' });
    await waitForLine((l) => l.event === 'stopped', 'stopped');
    const during = lines().slice(before).filter((l) => l.event !== 'stopped');
    // The spectator's refusals: at most one line a second (with how many were not logged); nothing else.
    assert.ok(during.every((l) => l.event === 'refused_message' && l.code === 'not_driver'), JSON.stringify(during));
    assert.ok(during.length >= 1 && during.length <= Math.ceil(seconds) + 1, `${during.length} lines in ${seconds} s`);

    driver.send({ type: 'release' });
    await waitForLine((l) => l.event === 'role' && l.role === 'driver' && l.client === spectator.welcome.clientId, 'role');
    server.kill('SIGTERM');
    const exit = await server.exited;
    assert.equal(exit.code, 0, exit.stderr);
    const all = lines(); // every line parses, or JSON.parse threw above
    for (const line of all) {
      assert.ok(!Number.isNaN(Date.parse(line.time)) && ['error', 'warn', 'info', 'debug'].includes(line.level), JSON.stringify(line));
    }
    const events = new Set(all.map((l) => l.event));
    for (const event of ['link', 'listening', 'connected', 'role', 'refused', 'closed', 'shutdown']) assert.ok(events.has(event), event);
    assert.ok(all.some((l) => l.event === 'connected' && l.client === driver.welcome.clientId && l.role === 'driver'));
    for (const line of exit.stderr.split('\n').filter((l) => l !== '')) JSON.parse(line); // the exposure warning too, if any
  });

test('--heartbeat-ms reaches the WebSocket server: an idle client is pinged long before the default would', { timeout: 90_000 }, async (t) => {
  const server = start(t, [...WEBRACER, '--port', '0', '--host', '127.0.0.1', '--no-qr', '--heartbeat-ms', '1000']);
  const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
  await connect(t, `${url.replace('http', 'ws')}ws`); // the driver, whom the seat's own liveness check pings
  const spectator = await connect(t, `${url.replace('http', 'ws')}ws`); // pinged by the heartbeat alone
  assert.equal(spectator.welcome.role, 'spectator');
  const connectedAt = performance.now();
  await new Promise<void>((resolve) => spectator.ws.once('ping', () => resolve()));
  // Without the flag the first ping cannot come before the default's 30 s of idleness: a lower bound, which
  // no load can undercut. With it, a second or two.
  const idleMs = performance.now() - connectedAt;
  t.diagnostic(`first ping after ${idleMs.toFixed(0)} ms idle`);
  assert.ok(idleMs < DEFAULT_LIMITS.heartbeatMs, `pinged only after ${idleMs.toFixed(0)} ms: the default, not --heartbeat-ms 1000`);
});
