// Video signalling: one camera per car, viewers up to the limit, and offers, answers and candidates
// relayed only between the camera and a viewer it serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, startServer, wsUrl, type Client } from './helpers.js';

const cameraUrl = (server: Parameters<typeof wsUrl>[0]) => wsUrl(server, '/ws?role=camera');
const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };

async function camera(t: Parameters<typeof connect>[0], server: Parameters<typeof wsUrl>[0]): Promise<Client> {
  const cam = await connect(t, cameraUrl(server));
  cam.send({ type: 'camera-on' });
  await cam.expect('video', (m) => m.camera === cam.welcome.clientId);
  return cam;
}

test('a camera page does not take the seat; viewers that watch are served and the camera hears of each', async (t) => {
  const server = await startServer(t);
  const cam = await connect(t, cameraUrl(server));
  assert.equal(cam.welcome.role, 'spectator', 'a camera never sits in the driver\'s seat by itself');
  assert.deepEqual(cam.welcome.video, { camera: null, viewers: 0, limit: 4 });
  assert.equal('iceServers' in cam.welcome, false, 'ICE servers only for video: in the answer to camera-on or watch');
  const driver = await connect(t, wsUrl(server));
  assert.equal(driver.welcome.role, 'driver');
  const watching = driver.mark();
  driver.send({ type: 'watch' });
  assert.equal((await driver.expect('viewing', undefined, watching)).status, 'waiting', 'no camera yet');
  const mark = cam.mark();
  cam.send({ type: 'camera-on' });
  assert.deepEqual(await cam.expect('ice-servers', undefined, mark), { type: 'ice-servers', iceServers: [], expiresInS: null }, 'a LAN: none');
  const joined = await cam.expect('viewer', undefined, mark);
  assert.deepEqual(joined, { type: 'viewer', id: driver.welcome.clientId, joined: true });
  assert.equal((await driver.expect('viewing', (m) => m.status === 'admitted', watching)).camera, cam.welcome.clientId);
  await driver.expect('video', (m) => m.camera === cam.welcome.clientId && m.viewers === 1, 0);
  // "N watching" counts people: the camera page watches nothing.
  assert.equal(server.fleet.worlds[0].summary().spectators, 0, 'the camera page is not a spectator');
  const spectator = await connect(t, wsUrl(server));
  await spectator.expect('state', (m) => m.spectators === 1 && m.driver === driver.welcome.clientId, 0);
  cam.ws.close();
  await driver.expect('video', (m) => m.camera === null, 0);
  assert.equal(server.fleet.worlds[0].summary().spectators, 1, 'and its leaving changes no count');
});

test('signals go between the camera and a served viewer only, named by sender; everything else is unknown_peer', async (t) => {
  const server = await startServer(t);
  const cam = await camera(t, server);
  const viewer = await connect(t, wsUrl(server));
  const bystander = await connect(t, wsUrl(server));
  const camId = cam.welcome.clientId;
  const viewerId = viewer.welcome.clientId;
  viewer.send({ type: 'watch' });
  await cam.expect('viewer', (m) => m.id === viewerId, 0);

  cam.send({ type: 'signal', to: viewerId, description: offer });
  assert.deepEqual(await viewer.expect('signal', undefined, 0), { type: 'signal', from: camId, description: offer });
  const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  viewer.send({ type: 'signal', to: camId, candidate });
  assert.deepEqual(await cam.expect('signal', undefined, 0), { type: 'signal', from: viewerId, candidate });
  viewer.send({ type: 'signal', to: camId, candidate: null });
  assert.equal((await cam.expect('signal', (m) => m.candidate === null)).from, viewerId);

  const refusals: Array<[Client, object]> = [
    [bystander, { type: 'signal', to: camId, description: offer }], // did not ask for video
    [cam, { type: 'signal', to: bystander.welcome.clientId, description: offer }], // not watching
    [viewer, { type: 'signal', to: bystander.welcome.clientId, candidate }], // viewers talk to the camera only
    [cam, { type: 'signal', to: 'c999', candidate }],
  ];
  for (const [client, msg] of refusals) {
    const mark = client.mark();
    client.send(msg);
    const error = await client.expect('error', undefined, mark);
    assert.equal(error.code, 'unknown_peer', JSON.stringify(msg));
    assert.equal(error.field, 'to');
  }
  await bystander.roundTrip();
  assert.equal(bystander.inbox.filter((m) => m.type === 'signal').length, 0, 'nothing reached the bystander');
});

test('malformed signals are refused by the schema and change nothing', async (t) => {
  const server = await startServer(t);
  const cam = await camera(t, server);
  for (const [msg, field] of [
    [{ type: 'signal', to: 'c2' }, undefined],
    [{ type: 'signal', to: 'c2', description: offer, candidate: null }, undefined],
    [{ type: 'signal', to: 'c2', description: { type: 'pranswer', sdp: '' } }, 'description.type'],
    [{ type: 'signal', to: 'c2', description: { type: 'offer', sdp: 'x'.repeat(12_001) } }, 'description.sdp'],
    [{ type: 'signal', to: 'c2', candidate: { candidate: 'x', extra: 1 } }, 'candidate'],
    [{ type: 'camera-on', now: true }, 'now'],
  ] as const) {
    const mark = cam.mark();
    cam.send(msg);
    const error = await cam.expect('error', undefined, mark);
    assert.equal(error.code, 'invalid_message', JSON.stringify(msg));
    if (field) assert.equal(error.field, field, `${JSON.stringify(msg)}: ${error.message}`);
  }
  assert.equal(cam.ws.readyState, cam.ws.OPEN);
  assert.equal(cam.latestState().driver, null);
});

test('one camera at a time: a second gets camera_taken; with a token, being the camera needs it', async (t) => {
  const server = await startServer(t, { token: 'secret' });
  const first = await connect(t, cameraUrl(server));
  first.send({ type: 'camera-on' });
  assert.equal((await first.expect('error')).code, 'unauthorized');
  first.send({ type: 'auth', token: 'secret' });
  await first.expect('role', (m) => m.authenticated);
  assert.equal(first.latestState().driver, null, 'the camera page stays out of the seat after auth too');
  first.send({ type: 'camera-on' });
  await first.expect('video', (m) => m.camera === first.welcome.clientId, 0);
  const second = await connect(t, cameraUrl(server));
  second.send({ type: 'auth', token: 'secret' });
  await second.expect('role');
  second.send({ type: 'camera-on' });
  const error = await second.expect('error');
  assert.equal(error.code, 'camera_taken');
  assert.match(error.message, new RegExp(first.welcome.clientId));
});

test('past the viewer limit a viewer waits as limited, and is served when a slot frees', async (t) => {
  const server = await startServer(t, { maxViewers: 2 });
  const cam = await camera(t, server);
  const viewers = [await connect(t, wsUrl(server)), await connect(t, wsUrl(server)), await connect(t, wsUrl(server))];
  for (const v of viewers) v.send({ type: 'watch' });
  assert.equal((await viewers[0].expect('viewing', undefined, 0)).status, 'admitted');
  assert.equal((await viewers[1].expect('viewing', undefined, 0)).status, 'admitted');
  const limited = await viewers[2].expect('viewing', undefined, 0);
  assert.deepEqual(limited, { type: 'viewing', status: 'limited', camera: cam.welcome.clientId, limit: 2 });
  const mark = cam.mark();
  viewers[0].ws.close(); // a viewer leaves: its slot goes to the one waiting
  assert.deepEqual(await cam.expect('viewer', (m) => !m.joined, mark), { type: 'viewer', id: viewers[0].welcome.clientId, joined: false });
  await cam.expect('viewer', (m) => m.joined && m.id === viewers[2].welcome.clientId, mark);
  assert.equal((await viewers[2].expect('viewing', (m) => m.status === 'admitted', 0)).limit, 2);
});

test('the camera leaves: viewers wait and hear it at once; a new camera serves them without them asking again', async (t) => {
  const server = await startServer(t);
  const cam = await camera(t, server);
  const viewer = await connect(t, wsUrl(server));
  viewer.send({ type: 'watch' });
  await viewer.expect('viewing', (m) => m.status === 'admitted');
  const mark = viewer.mark();
  cam.ws.terminate();
  assert.equal((await viewer.expect('viewing', undefined, mark)).status, 'waiting');
  await viewer.expect('video', (m) => m.camera === null, mark);
  const again = await camera(t, server);
  assert.deepEqual(await again.expect('viewer', undefined, 0), { type: 'viewer', id: viewer.welcome.clientId, joined: true });
  await viewer.expect('viewing', (m) => m.status === 'admitted' && m.camera === again.welcome.clientId, mark);
  const [left, told] = [viewer.mark(), again.mark()];
  viewer.send({ type: 'unwatch' });
  assert.equal((await viewer.expect('viewing', (m) => m.status === 'off', left)).camera, again.welcome.clientId);
  await again.expect('viewer', (m) => !m.joined, told);
});

test('only a camera page with the token becomes the camera: not a driving page, and no one without the token, even once the camera is lost', async (t) => {
  const server = await startServer(t, { token: 'secret' });
  const withToken = { protocols: ['webracer', `webracer.token.${Buffer.from('secret').toString('base64url')}`] };
  const cam = await connect(t, cameraUrl(server), withToken);
  cam.send({ type: 'camera-on' });
  await cam.expect('video', (m) => m.camera === cam.welcome.clientId, 0);
  const intruder = await connect(t, cameraUrl(server));
  const refusals = intruder.mark();
  intruder.send({ type: 'camera-on' });
  assert.equal((await intruder.expect('error', undefined, refusals)).code, 'unauthorized', 'refused for the token, whatever the camera does');
  cam.ws.terminate(); // the camera's phone drops off the network
  await intruder.expect('video', (m) => m.camera === null, 0);
  intruder.send({ type: 'camera-on' });
  assert.equal((await intruder.expect('error', undefined, refusals + 1)).code, 'unauthorized');
  const driving = await connect(t, wsUrl(server), withToken); // holds the token, but is a driving page
  driving.send({ type: 'camera-on' });
  const error = await driving.expect('error', (m) => m.ref === 'camera-on');
  assert.equal(error.code, 'unauthorized');
  assert.match(error.message, /role=camera/);
  await intruder.roundTrip();
  assert.equal(server.fleet.first.summary().video.camera, null, 'the car has no camera until its camera page is back');
});
