// `webracer replay FILE --to URL` with the real CLI against a running server: the recording becomes a
// ghost on that server's map, the CLI waits for its end or removes it on Ctrl+C; a file it cannot trust,
// a missing token or an unreachable server send nothing and say why.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { GhostCar } from '../../src/control/protocol/messages.js';
import { ghostAddOn } from '../../src/recording/add-on.js';
import { run, start, WEBRACER } from '../cli/process.js';
import { connect, startServer, wsUrl } from '../control/helpers.js';
import { tempDir } from './helpers.js';

const FIXTURE = new URL('../fixtures/recordings/sim-iracer.jsonl', import.meta.url);
const FIXTURE_PATH = FIXTURE.pathname;
const TWO_SIMS = { cars: [{ name: 'red', link: 'sim', codec: 'iracer' as const }, { name: 'blue', link: 'sim', codec: 'iracer' as const }] };

/** A loopback port nothing listens on (one that just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('webracer replay --to', { timeout: 120_000 }, () => {
  it('shows the recording as a ghost on the running server\'s map until its end, then exits 0', async (t) => {
    const server = await startServer(t, { ...TWO_SIMS, addOns: [ghostAddOn()] });
    const page = await connect(t, wsUrl(server, '/ws?car=red'));
    const cli = start(t, [...WEBRACER, 'replay', FIXTURE_PATH, '--to', server.url]);
    await cli.waitFor(/is in the arena at http:\/\/127\.0\.0\.1:\d+ as ghost-1 \(ghost · a drive on car\), 2\.0 s; Ctrl\+C removes it/);
    await page.next((m) => m.type === 'ghosts' && (m.ghosts as GhostCar[]).some((g) => g.id === 'ghost-1' && g.pose.y > 0), 'the ghost driving');
    await cli.waitFor(/ghost-1 has ended/);
    const exit = await cli.exited;
    assert.equal(exit.code, 0, exit.stderr);
  });

  it('Ctrl+C removes the ghost at once', async (t) => {
    const server = await startServer(t, { ...TWO_SIMS, addOns: [ghostAddOn()] });
    const page = await connect(t, wsUrl(server, '/ws?car=blue'));
    // The session as recorded, its end a minute later (the car parked): still running whenever the signal comes.
    const long = join(tempDir(t), 'long.jsonl');
    writeFileSync(long, readFileSync(FIXTURE, 'utf8').replace(/"t":2018\.564,"kind":"end"/, '"t":60000,"kind":"end"'));
    const cli = start(t, [...WEBRACER, 'replay', long, '--to', server.url]);
    await cli.waitFor(/Ctrl\+C removes it/);
    await page.next((m) => m.type === 'ghosts' && (m.ghosts as GhostCar[]).length === 1, 'the ghost');
    cli.kill('SIGINT');
    await cli.waitFor(/ghost-1 removed/);
    assert.equal((await cli.exited).code, 0);
    await page.next((m) => m.type === 'ghosts' && (m.ghosts as GhostCar[]).length === 0, 'the ghost gone');
  });

  it('refusals: a missing or corrupt file, no token, a wrong address, options of a local replay; nothing is sent', async (t) => {
    const server = await startServer(t, { ...TWO_SIMS, token: 'sesame-cli', addOns: [ghostAddOn()] });
    const dir = tempDir(t);
    const corrupt = join(dir, 'corrupt.jsonl');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    lines[2] = '{"t":6.1,"kind":"nonsense"}';
    writeFileSync(corrupt, lines.join('\n'));
    const missing = await run(t, [...WEBRACER, 'replay', join(dir, 'nope.jsonl'), '--to', server.url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl: no such file; nothing was sent/);
    const bad = await run(t, [...WEBRACER, 'replay', corrupt, '--to', server.url, '--token', 'sesame-cli']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /corrupt\.jsonl: line 3: .*; nothing was sent/);
    const noToken = await run(t, [...WEBRACER, 'replay', FIXTURE_PATH, '--to', server.url]);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /refused the ghost \(401\): ghosts need the token/);
    const closed = await closedPort();
    const wrong = await run(t, [...WEBRACER, 'replay', FIXTURE_PATH, '--to', `http://127.0.0.1:${closed}`]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\); nothing was sent`));
    const local = await run(t, [...WEBRACER, 'replay', FIXTURE_PATH, '--to', server.url, '--link', 'sim']);
    assert.equal(local.code, 2);
    assert.match(local.stderr, /--link is for a replay from this machine/);
    const path = await run(t, [...WEBRACER, 'replay', FIXTURE_PATH, '--to', `${server.url}api/ghosts`]);
    assert.equal(path.code, 2);
    const list = await fetch(`${server.url}api/ghosts`, { headers: { Authorization: 'Bearer sesame-cli' } });
    assert.deepEqual(((await list.json()) as { ghosts: unknown[] }).ghosts, [], 'nothing was started');
  });
});
