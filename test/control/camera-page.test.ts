// The camera page's addresses: /camera for the first car, /car/NAME/camera for a named one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './helpers.js';

test('/camera and /car/NAME/camera serve the camera page; an unknown car is a 404 that names the cars', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-camera-page-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'index.html'), 'driving page');
  await writeFile(join(dir, 'camera.html'), 'camera page');
  const server = await startServer(t, {
    staticDir: dir, cars: [{ name: 'red', link: 'sim', codec: 'iracer' }, { name: 'blue', link: 'sim', codec: 'iracer' }],
  });
  for (const path of ['camera', 'camera/', 'car/red/camera', 'car/blue/camera/']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(await res.text(), 'camera page', path);
  }
  assert.equal(await (await fetch(`${server.url}car/blue`)).text(), 'driving page');
  const unknown = await fetch(`${server.url}car/green/camera`);
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /no car named 'green'; the cars are: red, blue/);
  assert.equal((await fetch(`${server.url}car/%E0/camera`)).status, 404);
  assert.equal((await fetch(`${server.url}cameras`)).status, 404);
});
