// Push-to-talk while the video goes through the SFU (video/camera-relay.ts, TALK_PEER): the camera page and
// the driver's page connect directly for the driver's voice, and the server alone says who the driver is.
// The relay on fake peers and a fake SFU route (nothing reaches a Janus); the real thing in
// test/web/video-sfu.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraRelay, TALK_PEER } from '../../src/control/video/camera-relay.js';
import type { SfuRoute, SfuRouteHooks } from '../../src/control/video/sfu/sfu-route.js';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { silentLogger } from '../../src/control/log.js';
import { fakeContext, fakeSession, type FakePeer } from './fake-peer.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };
const answer = { type: 'answer' as const, sdp: 'v=0\r\n' };

/** A car's relay with a fake SFU route (up when the test says so), a driver the test sets, and clients c, d, s. */
function rig() {
  let clock = 0;
  const ctx = fakeContext(() => clock);
  const sessions = new Map<string, ClientSession>();
  const peers: Record<string, FakePeer> = {};
  for (const [id, page] of [['cam', 'camera'], ['d', 'drive'], ['s', 'drive']] as const) {
    const { session, peer } = fakeSession(ctx, { id, page });
    sessions.set(id, session);
    peers[id] = peer;
  }
  let hooks!: SfuRouteHooks;
  const route = { add() {}, remove() {}, fromCamera() {}, fromViewer() {}, cameraGone() {}, close: async () => {} } as unknown as SfuRoute;
  const seat = { driver: 'd' as string | null };
  const relay = new CameraRelay({
    limit: 4, log: silentLogger, session: (id) => sessions.get(id), broadcast: () => {}, driver: () => seat.driver,
    iceServers: () => ({ iceServers: [], expiresInS: null }), now: () => clock,
    sfu: (h) => { hooks = h; return route; },
  });
  const s = (id: string) => sessions.get(id)!;
  const talkToCamera = () => peers.cam.of('viewer').filter((m) => m.id === TALK_PEER).map((m) => m.joined);
  return { relay, peers, s, seat, up: (on: boolean) => hooks.changed(on), talkToCamera };
}

describe('push-to-talk through the SFU (fake peers)', () => {
  it('the camera connects to the driver it serves, as "talk", and to no spectator; peer to peer it never does', () => {
    const { relay, peers, s, up, talkToCamera } = rig();
    relay.cameraOn(s('cam'));
    relay.watch(s('d'));
    relay.watch(s('s'));
    assert.deepEqual(talkToCamera(), [], 'peer to peer, the talk-back rides each page\'s own connection');
    up(true);
    assert.deepEqual(talkToCamera(), [true], 'through the SFU: one talk connection, for the driver');
    relay.signal(s('cam'), { type: 'signal', to: TALK_PEER, description: offer });
    assert.deepEqual(peers.d.last('signal'), { type: 'signal', from: TALK_PEER, description: offer });
    assert.equal(peers.s.of('signal').length, 0, 'nothing of it reaches a spectator');
    relay.signal(s('d'), { type: 'signal', to: TALK_PEER, description: answer });
    assert.deepEqual(peers.cam.last('signal'), { type: 'signal', from: TALK_PEER, description: answer });
    relay.signal(s('d'), { type: 'signal', to: TALK_PEER, candidate: null });
    assert.deepEqual(peers.cam.last('signal'), { type: 'signal', from: TALK_PEER, candidate: null });
    up(false);
    assert.deepEqual(talkToCamera(), [true, false], 'Janus lost: the talk goes back to the picture\'s own connection');
    relay.signal(s('d'), { type: 'signal', to: TALK_PEER, description: answer });
    assert.equal(peers.d.last('error').code, 'unknown_peer');
  });

  it('a spectator cannot speak through the car: its offer or answer to "talk" is unknown_peer, and the driver may only answer', () => {
    const { relay, peers, s, up } = rig();
    relay.cameraOn(s('cam'));
    relay.watch(s('d'));
    relay.watch(s('s'));
    up(true);
    const before = peers.cam.of('signal').length;
    for (const description of [offer, answer]) {
      relay.signal(s('s'), { type: 'signal', to: TALK_PEER, description });
      assert.equal(peers.s.last('error').code, 'unknown_peer');
    }
    relay.signal(s('d'), { type: 'signal', to: TALK_PEER, description: offer });
    assert.equal(peers.d.last('error').code, 'invalid_message', 'the camera offers; the driver answers');
    assert.equal(peers.cam.of('signal').length, before, 'nothing reached the camera');
  });

  it('the seat passes: the camera drops the old driver\'s talk before it hears of the new driver, then connects to the new one', () => {
    const { relay, peers, s, seat, up, talkToCamera } = rig();
    relay.cameraOn(s('cam'));
    relay.watch(s('d'));
    relay.watch(s('s'));
    up(true);
    relay.signal(s('cam'), { type: 'signal', to: TALK_PEER, description: offer });
    relay.signal(s('d'), { type: 'signal', to: TALK_PEER, description: answer });
    const sent = peers.cam.sent.length;
    seat.driver = 's';
    relay.driverChanged();
    assert.deepEqual(peers.cam.messages.slice(sent).filter((m) => m.type === 'viewer'), [
      { type: 'viewer', id: TALK_PEER, joined: false }, { type: 'viewer', id: TALK_PEER, joined: true },
    ]);
    relay.signal(s('d'), { type: 'signal', to: TALK_PEER, candidate: null });
    assert.equal(peers.d.last('error').code, 'unknown_peer', 'the old driver is not heard any more');
    relay.signal(s('cam'), { type: 'signal', to: TALK_PEER, description: offer });
    assert.deepEqual(peers.s.last('signal'), { type: 'signal', from: TALK_PEER, description: offer }, 'the new driver gets the camera\'s offer');
    seat.driver = null;
    relay.driverChanged();
    assert.deepEqual(talkToCamera(), [true, false, true, false], 'no driver, no talk');
  });

  it('the driver stops watching (a hidden page): the talk ends with its picture', () => {
    const { relay, s, up, talkToCamera } = rig();
    relay.cameraOn(s('cam'));
    up(true);
    relay.watch(s('d'));
    assert.deepEqual(talkToCamera(), [true]);
    relay.unwatch(s('d'));
    assert.deepEqual(talkToCamera(), [true, false]);
  });
});
