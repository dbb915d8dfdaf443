// The video pages' pure parts: the figures read from WebRTC stats, where a camera page connects, what it
// asks the camera for, how problems and the battery are put into words, and when ICE servers are renewed.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeBattery } from '../../web/battery.js';
import { captureConstraints, captureProblem, DEFAULT_CAPTURE } from '../../web/capture-settings.js';
import { cameraSocketUrl } from '../../web/camera-url.js';
import { IceRenewal, RENEW_BEFORE_S } from '../../web/ice-renewal.js';
import { describeFigures, videoFigures } from '../../web/video-stats.js';

const stat = (type: string, id: string, fields: Record<string, unknown>) => ({ type, id, ...fields });

test('stats: fps, size and round trip from the transport\'s selected pair (Chromium\'s report)', () => {
  const figures = videoFigures([
    stat('inbound-rtp', 'in', { kind: 'video', timestamp: 2000, framesPerSecond: 29.6, frameWidth: 640, frameHeight: 480, framesDecoded: 300 }),
    stat('transport', 't', { selectedCandidatePairId: 'p2' }),
    stat('candidate-pair', 'p1', { state: 'succeeded', nominated: true, currentRoundTripTime: 0.5 }),
    stat('candidate-pair', 'p2', { state: 'succeeded', nominated: true, currentRoundTripTime: 0.0042 }),
  ], null);
  assert.deepEqual(figures, { fps: 29.6, width: 640, height: 480, rttMs: 4.2, framesDecoded: 300, at: 2000 });
  assert.equal(describeFigures(figures), '30 fps · 640×480 · RTT 4.2 ms');
});

test('stats: the frame rate from decoded frames where none is reported; any nominated pair; unknowns left out', () => {
  const first = videoFigures([stat('inbound-rtp', 'in', { mediaType: 'video', timestamp: 1000, framesDecoded: 10 })], null);
  assert.equal(first.fps, null);
  const second = videoFigures([
    stat('inbound-rtp', 'in', { mediaType: 'video', timestamp: 1500, framesDecoded: 25 }),
    stat('candidate-pair', 'p', { state: 'succeeded', nominated: true, currentRoundTripTime: 0.031 }),
    stat('inbound-rtp', 'audio', { kind: 'audio', timestamp: 1500 }),
  ], first);
  assert.equal(second.fps, 30);
  assert.equal(second.rttMs, 31);
  assert.equal(describeFigures(second), '30 fps · RTT 31 ms');
  assert.equal(describeFigures(videoFigures([], null)), '');
});

test('the camera page connects as a camera, to the car its path names', () => {
  const at = (protocol: string, pathname: string) => cameraSocketUrl({ protocol, host: 'car.local:8000', pathname });
  assert.equal(at('http:', '/camera'), 'ws://car.local:8000/ws?role=camera');
  assert.equal(at('https:', '/camera/'), 'wss://car.local:8000/ws?role=camera');
  assert.equal(at('https:', '/car/red%20one/camera'), 'wss://car.local:8000/ws?role=camera&car=red%20one');
  assert.equal(at('http:', '/car/%E0/camera'), 'ws://car.local:8000/ws?role=camera&car=%25E0');
});

test('the camera is asked for video only, the rear one by default, 640x480 at up to 30 fps', () => {
  assert.deepEqual(captureConstraints(DEFAULT_CAPTURE), {
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30, max: 30 } },
  });
  const chosen = captureConstraints({ ...DEFAULT_CAPTURE, deviceId: 'abc', frameRate: 15 }).video;
  assert.deepEqual(chosen.deviceId, { exact: 'abc' });
  assert.equal(chosen.facingMode, undefined);
  assert.match(captureProblem({ name: 'NotAllowedError' }), /refused/);
  assert.match(captureProblem({ name: 'NotFoundError' }), /no camera/);
  assert.match(captureProblem(new Error('boom')), /boom/);
});

test('the battery in words, low when at 20 % or less and not charging', () => {
  assert.deepEqual(describeBattery(null), { text: 'unknown', low: false });
  assert.deepEqual(describeBattery({ level: 0.834, charging: true }), { text: '83 % (charging)', low: false });
  assert.deepEqual(describeBattery({ level: 0.2, charging: false }), { text: '20 %', low: true });
  assert.deepEqual(describeBattery({ level: 0.1, charging: true }), { text: '10 % (charging)', low: false });
});

test('ICE servers are asked for again two minutes before they expire, never in a loop, and not when nothing expires', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let asks = 0;
  const renewal = new IceRenewal(() => { asks++; });
  renewal.schedule(600);
  mock.timers.tick((600 - RENEW_BEFORE_S) * 1000 - 1);
  assert.equal(asks, 0);
  mock.timers.tick(1);
  assert.equal(asks, 1, 'at eight minutes of ten');
  renewal.schedule(150); // credentials given again with little left: half of it, not 30 s
  mock.timers.tick(74_999);
  assert.equal(asks, 1);
  mock.timers.tick(1);
  assert.equal(asks, 2);
  renewal.schedule(3);
  mock.timers.tick(9_999);
  assert.equal(asks, 2, 'never sooner than 10 s');
  mock.timers.tick(1);
  assert.equal(asks, 3);
  renewal.schedule(600);
  renewal.schedule(null); // new servers with nothing to expire replace the plan
  renewal.schedule(600);
  renewal.cancel(); // stopped watching
  mock.timers.tick(3_600_000);
  assert.equal(asks, 3);
});
