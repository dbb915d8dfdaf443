// The camera relay of one car (video/camera-relay.ts), unit-tested through its car world on fake peers
// (fake-world.ts; one viewer at a time): camera-on and off, who watches, and where each signal goes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld } from './fake-world.js';

const offer = { type: 'offer', sdp: 'v=0\r\n' };

describe('CameraRelay (fake peers)', () => {
  it('a camera page turns on: it gets ICE servers, every page hears of it; a second camera is refused; off tells the viewer to wait', async (t) => {
    const { join } = await fakeWorld(t);
    const driver = join('d');
    const camera = join('cam', 'camera');
    camera.say({ type: 'camera-on' });
    assert.deepEqual(camera.last('ice-servers'), { type: 'ice-servers', iceServers: [], expiresInS: null });
    assert.equal(driver.last('video').camera, 'cam');
    const second = join('cam2', 'camera');
    second.say({ type: 'camera-on' });
    assert.equal(second.last('error').code, 'camera_taken');
    driver.say({ type: 'camera-on' });
    assert.equal(driver.last('error').code, 'unauthorized', 'only a camera page may be the camera');
    driver.say({ type: 'watch' });
    assert.equal(driver.last('viewing').status, 'admitted');
    camera.say({ type: 'camera-off' });
    assert.equal(driver.last('viewing').status, 'waiting');
    assert.equal(driver.last('video').camera, null);
  });

  it('the driver is served before a spectator, even one that asked first; the camera hears who joined and left', async (t) => {
    const { join } = await fakeWorld(t); // one viewer at a time
    const driver = join('d');
    const spectator = join('s');
    const camera = join('cam', 'camera');
    camera.say({ type: 'camera-on' });
    spectator.say({ type: 'watch' });
    assert.equal(spectator.last('viewing').status, 'admitted');
    driver.say({ type: 'watch' });
    assert.equal(driver.last('viewing').status, 'admitted');
    assert.equal(spectator.last('viewing').status, 'limited', 'the driver took the latest spectator\'s slot');
    assert.deepEqual(camera.of('viewer').map((m) => [m.id, m.joined]), [['s', true], ['s', false], ['d', true]]);
  });

  it('signals go only between the camera and a viewer it serves, naming their sender; a reader that is behind does not get them', async (t) => {
    const { join } = await fakeWorld(t);
    const driver = join('d');
    const spectator = join('s');
    const camera = join('cam', 'camera');
    spectator.say({ type: 'signal', to: 'cam', description: offer });
    assert.equal(spectator.last('error').code, 'unknown_peer', 'no camera yet');
    camera.say({ type: 'camera-on' });
    driver.say({ type: 'watch' });
    camera.say({ type: 'signal', to: 'd', description: offer });
    assert.deepEqual(driver.last('signal'), { type: 'signal', from: 'cam', description: offer });
    driver.say({ type: 'signal', to: 'cam', candidate: null });
    assert.deepEqual(camera.last('signal'), { type: 'signal', from: 'd', candidate: null });
    camera.say({ type: 'signal', to: 's', description: offer });
    assert.equal(camera.last('error').code, 'unknown_peer', 's is not watching');
    assert.equal(spectator.of('signal').length, 0);
    spectator.say({ type: 'signal', to: 'd', description: offer });
    assert.equal(spectator.last('error').code, 'unknown_peer', 'a viewer signals only the camera');
    const before = driver.of('signal').length;
    driver.bufferedAmount = 10 * 1024 * 1024; // far behind
    camera.say({ type: 'signal', to: 'd', candidate: null });
    assert.equal(driver.of('signal').length, before, 'dropped, not queued');
    assert.equal(driver.closedWith, null, 'and never closed for it');
  });
});
