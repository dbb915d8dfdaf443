// A drive channel's far end for the control tests, as a page would open one (docs/protocol.md "Drive
// channel"), with node-datachannel standing in for the browser: ask, answer the server's offer, trade
// candidates, and keep what arrives on the channel.
import type { TestContext } from 'node:test';
import nodeDataChannel from 'node-datachannel';
import type { Client, Message } from '../control/helpers.js';

export interface ChannelClient {
  send(value: object | string): void;
  /** Beats heard so far. */
  beats(): number;
  /** Resolves when the channel closes (the server ended it). */
  readonly closed: Promise<void>;
  close(): void;
}

/** Asks the server for a drive channel on `client`'s connection and resolves once it is open. */
export async function openChannel(t: TestContext, client: Client, timeoutMs = 20_000): Promise<ChannelClient> {
  let pc!: nodeDataChannel.PeerConnection;
  const fromServer = (raw: Buffer): void => {
    const m = JSON.parse(String(raw)) as Message;
    if (m.type !== 'channel') return;
    if (m.description) pc.setRemoteDescription(m.description.sdp, m.description.type);
    if (m.candidate) pc.addRemoteCandidate(m.candidate.candidate, m.candidate.sdpMid ?? '0');
  };
  client.ws.on('message', fromServer);
  t.after(() => client.ws.off('message', fromServer));
  t.after(() => pc.close());
  let beats = 0;
  const channel = await new Promise<nodeDataChannel.DataChannel>((resolve, reject) => {
    const ask = (): void => {
      pc?.close();
      pc = new nodeDataChannel.PeerConnection('test-page', { iceServers: [] });
      pc.onLocalDescription((sdp, type) => client.send({ type: 'channel', description: { type, sdp } }));
      pc.onLocalCandidate((candidate, sdpMid) => client.send({ type: 'channel', candidate: { candidate, sdpMid } }));
      pc.onDataChannel((dc) => {
        dc.onMessage(() => { beats++; });
        const opened = (): void => { clearTimeout(timer); clearTimeout(again); resolve(dc); };
        if (dc.isOpen()) opened(); else dc.onOpen(opened);
      });
      client.send({ type: 'channel', open: true });
    };
    // As the page does (web/drive-channel.ts), a channel that has not opened is asked for again, once here,
    // with a fresh peer connection: in one clean-clone CI run a first channel never opened (ICE on a machine
    // where other tests add and remove network devices); the server replaces the first with the second.
    const again = setTimeout(ask, timeoutMs / 2);
    const timer = setTimeout(() => reject(new Error(`the drive channel did not open (peer connection ${pc.state()}, ICE ${pc.iceState()}, gathering ${pc.gatheringState()})`)), timeoutMs);
    ask();
  });
  const closed = new Promise<void>((resolve) => {
    channel.onClosed(() => resolve());
    pc.onStateChange((state) => { if (state === 'closed' || state === 'failed' || state === 'disconnected') resolve(); });
  });
  return {
    send: (value) => { channel.sendMessage(typeof value === 'string' ? value : JSON.stringify(value)); },
    beats: () => beats,
    closed,
    close: () => pc.close(),
  };
}
