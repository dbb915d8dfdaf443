// The signalling budget: what one viewer may send the camera per negotiation (an offer, its answer and
// the candidates of both) and per minute, and what reaches a reader that does not read. A viewer must
// never be able to get the camera disconnected, nor its answers be a flood the camera has to swallow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CameraRelay } from '../../src/control/video/camera-relay.js';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { silentLogger } from '../../src/control/log.js';
import type { SignalMessage } from '../../src/control/protocol/messages.js';
import { NEGOTIATION, PER_MINUTE, SignalBudget } from '../../src/control/video/signal-budget.js';
import { connect, startServer, wsUrl, type Client } from './helpers.js';

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
/** As large as an SDP may be (12 000 characters): the attack's answer. */
const hugeAnswer = { type: 'answer', sdp: `v=0\r\n${'a=x-padding\r\n'.repeat(922)}`.slice(0, 12_000) };
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

async function watching(t: Parameters<typeof connect>[0], server: Parameters<typeof wsUrl>[0], cam: Client): Promise<Client> {
  const viewer = await connect(t, wsUrl(server));
  viewer.send({ type: 'watch' });
  await cam.expect('viewer', (m) => m.id === viewer.welcome.clientId && m.joined, 0);
  return viewer;
}

test('a viewer flooding large answers: the camera stays connected and keeps serving the driver; the excess is refused, not relayed', async (t) => {
  const server = await startServer(t);
  const cam = await connect(t, wsUrl(server, '/ws?role=camera'));
  cam.send({ type: 'camera-on' });
  await cam.expect('video', (m) => m.camera === cam.welcome.clientId, 0);
  const camId = cam.welcome.clientId;
  const driver = await watching(t, server, cam);
  assert.equal(driver.welcome.role, 'driver');
  const attacker = await watching(t, server, cam);
  cam.send({ type: 'signal', to: attacker.welcome.clientId, description: offer });
  await attacker.expect('signal', (m) => m.from === camId, 0);

  const refused = attacker.mark();
  for (let i = 0; i < 50; i++) attacker.send({ type: 'signal', to: camId, description: hugeAnswer });
  await attacker.roundTrip(); // every one of them has been handled, and its replies are in
  const errors = attacker.inbox.slice(refused).filter((m) => m.type === 'error' && m.ref === 'signal');
  assert.ok(errors.length >= 1 && errors.every((m) => m.code === 'rate_limited'), `the excess is refused: ${JSON.stringify(errors.slice(0, 2))}`);

  // The driver's negotiation goes through as ever, behind the flood.
  cam.send({ type: 'signal', to: driver.welcome.clientId, description: offer });
  await driver.expect('signal', (m) => m.from === camId, 0);
  driver.send({ type: 'signal', to: camId, description: { type: 'answer', sdp: 'v=0\r\ndriver\r\n' } });
  driver.send({ type: 'signal', to: camId, candidate });
  await cam.expect('signal', (m) => m.from === driver.welcome.clientId && m.candidate !== undefined, 0);
  const fromAttacker = cam.inbox.filter((m) => m.type === 'signal' && m.from === attacker.welcome.clientId);
  assert.equal(fromAttacker.length, 1, 'one answer per offer reaches the camera; the rest never left the server');
  assert.equal(cam.ws.readyState, cam.ws.OPEN);
  assert.equal(server.fleet.first.summary().video.camera, camId);
});

/** A client of the relay, as much of a ClientSession as it uses, with what was sent to it. */
function fakeSession(id: string, options: { camera?: boolean; buffered?: number } = {}) {
  const sent: Array<Record<string, unknown>> = [];
  const errors: Array<{ code: string; ref?: string }> = [];
  const session = {
    id, address: '192.0.2.1', camera: options.camera ?? false, auth: { authenticated: true },
    ws: { bufferedAmount: options.buffered ?? 0, readyState: 1 },
    send: (m: Record<string, unknown>) => sent.push(m),
    sendText: (json: string) => sent.push(JSON.parse(json) as Record<string, unknown>),
    error: (code: string, _message: string, ref?: string) => errors.push({ code, ref }),
  };
  return { session, sent, errors, as: session as unknown as ClientSession };
}

function relayOf(clients: Array<ReturnType<typeof fakeSession>>, now: () => number = () => 0): CameraRelay {
  const byId = new Map(clients.map((c) => [c.session.id, c.as]));
  return new CameraRelay({
    limit: 4, log: silentLogger, session: (id) => byId.get(id), broadcast: () => {}, driver: () => null,
    iceServers: () => ({ iceServers: [], expiresInS: null }), now,
  } as ConstructorParameters<typeof CameraRelay>[0]);
}

test('a relayed signal to a reader with a backlog is dropped, not the reader; its own state messages still go', () => {
  const camera = fakeSession('c1', { camera: true });
  const viewer = fakeSession('c2');
  const late = fakeSession('c3');
  const relay = relayOf([camera, viewer, late]);
  relay.cameraOn(camera.as);
  relay.watch(viewer.as);
  relay.signal(camera.as, { type: 'signal', to: 'c2', description: offer } as SignalMessage);
  camera.session.ws.bufferedAmount = 8 << 20; // the camera's phone stopped reading
  relay.signal(viewer.as, { type: 'signal', to: 'c1', description: { type: 'answer', sdp: 'v=0' } } as SignalMessage);
  assert.deepEqual(camera.sent.filter((m) => m.type === 'signal'), [], 'nothing relayed into the backlog');
  relay.watch(late.as);
  assert.deepEqual(camera.sent.at(-1), { type: 'viewer', id: 'c3', joined: true }, 'the camera is still told who to serve');
  camera.session.ws.bufferedAmount = 0; // reading again: the next one goes
  relay.signal(viewer.as, { type: 'signal', to: 'c1', candidate } as SignalMessage);
  assert.deepEqual(camera.sent.at(-1), { type: 'signal', from: 'c2', candidate });
  assert.deepEqual(camera.errors, []);
});

const step = (message: Omit<SignalMessage, 'type' | 'to'>): SignalMessage => ({ type: 'signal', to: 'c1', ...message }) as SignalMessage;
const OFFER = step({ description: { type: 'offer', sdp: 'v=0' } });
const ANSWER = step({ description: { type: 'answer', sdp: 'v=0' } });
const CANDIDATE = step({ candidate });

test('per negotiation: the camera\'s offer opens it; one answer, and candidates up to the count and the bytes', () => {
  const budget = new SignalBudget(() => 0);
  assert.equal(budget.charge('v', 'viewer', ANSWER, 100)?.code, 'invalid_message', 'nothing to answer before an offer');
  assert.equal(budget.charge('v', 'viewer', OFFER, 100)?.code, 'invalid_message', 'a viewer does not offer');
  assert.equal(budget.charge('v', 'camera', ANSWER, 100)?.code, 'invalid_message', 'the camera does not answer');
  assert.equal(budget.charge('v', 'camera', OFFER, 6000), null);
  assert.equal(budget.charge('v', 'viewer', ANSWER, 5000), null);
  assert.equal(budget.charge('v', 'viewer', ANSWER, 5000)?.code, 'rate_limited', 'one answer per offer');
  for (let i = 0; i < NEGOTIATION.candidates; i++) assert.equal(budget.charge('v', 'viewer', CANDIDATE, 200), null, `candidate ${i}`);
  assert.match(budget.charge('v', 'viewer', CANDIDATE, 200)!.message, /50 ICE candidates per negotiation/);
  assert.equal(budget.charge('v', 'camera', CANDIDATE, NEGOTIATION.bytes)?.code, 'rate_limited', 'the bytes of the camera\'s side too');
  assert.equal(budget.charge('v', 'camera', OFFER, 6000), null, 'a new offer: a new negotiation');
  assert.equal(budget.charge('v', 'viewer', ANSWER, 5000), null);
  budget.close('v'); // no longer served
  assert.equal(budget.charge('v', 'viewer', CANDIDATE, 200)?.code, 'invalid_message');
  assert.equal(budget.charge('other', 'camera', OFFER, 6000), null, 'each viewer has its own');
});

test('per minute: the signals and bytes of a side, whatever the negotiations, and new asks for video', () => {
  let now = 0;
  const budget = new SignalBudget(() => now);
  let sent = 0;
  while (budget.charge('v', 'camera', OFFER, 100) === null) sent++;
  assert.equal(sent, PER_MINUTE.signals, 'a minute\'s worth of offers at once, then no more');
  assert.match(budget.charge('v', 'camera', OFFER, 100)!.message, /a minute/);
  now += 60_000 / PER_MINUTE.signals;
  assert.equal(budget.charge('v', 'camera', OFFER, 100), null, 'refilled at the minute\'s rate');
  assert.equal(budget.charge('w', 'camera', OFFER, PER_MINUTE.bytes + 1)?.code, 'rate_limited', 'bytes count too');
  for (let i = 0; i < PER_MINUTE.asks; i++) assert.ok(budget.ask('v'));
  assert.equal(budget.ask('v'), false);
  budget.forget('v'); // it left: a new connection is a new client
  assert.ok(budget.ask('v'));
});

test('a viewer over its budget hears so once a second, however much it sends, and is not closed for it', () => {
  let now = 0;
  const camera = fakeSession('c1', { camera: true });
  const viewer = fakeSession('c2');
  const relay = relayOf([camera, viewer], () => now);
  relay.cameraOn(camera.as);
  relay.watch(viewer.as);
  relay.signal(camera.as, { type: 'signal', to: 'c2', description: offer } as SignalMessage);
  const answer = { type: 'signal', to: 'c1', description: { type: 'answer', sdp: 'v=0' } } as SignalMessage;
  for (let i = 0; i < 30; i++) relay.signal(viewer.as, answer);
  assert.deepEqual(viewer.errors, [{ code: 'rate_limited', ref: 'signal' }]);
  now += 999;
  relay.signal(viewer.as, answer);
  assert.equal(viewer.errors.length, 1);
  now += 1;
  relay.signal(viewer.as, answer);
  assert.equal(viewer.errors.length, 2);
  assert.equal(camera.sent.filter((m) => m.type === 'signal').length, 1, 'one answer went through');
});
