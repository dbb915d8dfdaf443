// Issue 20: someone who skipped the name prompt goes by a default, "Driver 1"; after a reload that takes the
// held seat back (a `resume`, as the page does) they are still "Driver 1", not a new "Driver 2".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CarListing } from '../../src/control/protocol/messages.js';
import { connect, startServer, wsUrl } from './helpers.js';

test('a driver who set no name keeps their default over a reload that resumes the seat', async (t) => {
  const server = await startServer(t);
  const driverName = async () => ((await (await fetch(new URL('/api/cars', server.url))).json()) as CarListing[])[0].driverName;
  const first = await connect(t, wsUrl(server));
  assert.equal(first.welcome.role, 'driver');
  assert.equal(await driverName(), 'Driver 1');
  const { resumeToken } = first.welcome;
  first.ws.terminate(); // a reload: the seat is held for its token
  await first.closed;
  const watcher = await connect(t, wsUrl(server));
  assert.equal(await driverName(), null, 'nobody in the seat while it is held');
  const back = await connect(t, wsUrl(server));
  const mark = back.mark();
  back.send({ type: 'resume', token: resumeToken });
  await back.expect('role', (m) => m.role === 'driver', mark);
  assert.equal(await driverName(), 'Driver 1', 'the same person, the same name');
  assert.notEqual(watcher.welcome.clientId, back.welcome.clientId);
});
