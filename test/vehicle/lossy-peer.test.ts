// The fault injector itself: a cut network delivers nothing and answers nothing, and a restored one
// delivers what the sender's kernel kept retransmitting.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { lossyPeerUnsupported, startLossyPeer } from '../support/lossy-peer.js';

describe('lossy peer', { skip: lossyPeerUnsupported(), timeout: 60_000 }, () => {
  it('records bytes, drops everything while cut, and gets the retransmission once restored', async (t) => {
    const peer = await startLossyPeer();
    t.after(() => peer.close());
    assert.match(peer.spec, /^tcp:169\.254\.\d+\.\d+:\d+$/);
    const socket = net.connect({ host: peer.host, port: peer.port });
    t.after(() => socket.destroy());
    await once(socket, 'connect');
    socket.write(Uint8Array.of(1, 2));
    await peer.until(() => peer.bytes.length === 2, 'the first bytes');

    await peer.cut();
    socket.write(Uint8Array.of(3));
    // The bytes reached our kernel (the write completed) and went nowhere: no ACK came back either.
    await new Promise<void>((resolve) => socket.write(new Uint8Array(0), () => resolve()));
    await new Promise((r) => setTimeout(r, 300)); // the point: nothing arrives meanwhile (no event to wait for)
    assert.deepEqual(peer.connections, [[1, 2]]);

    await peer.restore();
    await peer.until(() => peer.bytes.length === 3, 'the retransmitted byte', 30_000);
    assert.deepEqual(peer.connections, [[1, 2, 3]]);
    assert.equal(peer.lastByte, 3);
  });

  it('a stalled peer stops reading and keeps its connection', async (t) => {
    const peer = await startLossyPeer();
    t.after(() => peer.close());
    await peer.stall();
    const socket = net.connect({ host: peer.host, port: peer.port });
    t.after(() => socket.destroy());
    await once(socket, 'connect');
    await peer.until(() => peer.connections.length === 1, 'the connection');
    socket.write(Uint8Array.of(9));
    await new Promise((r) => setTimeout(r, 200)); // the point: the stalled peer reads nothing meanwhile
    assert.deepEqual(peer.connections, [[]]);
    await peer.unstall();
    await peer.until(() => peer.lastByte === 9, 'the byte, read at last');
  });
});
