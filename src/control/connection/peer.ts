/**
 * What a client session needs of its connection, and no more: the seam between the control server and
 * the WebSocket layer. Our WebSocket (src/websocket) is one, as it is; a test's fake is another
 * (test/control/fake-peer.ts), so the car-level objects are tested with fake time and no socket.
 */

/** 1 is open (RFC 6455's OPEN); 0 connecting, 2 closing, 3 closed. */
export type PeerState = 0 | 1 | 2 | 3;

export interface Peer {
  readonly readyState: PeerState;
  /** Bytes queued for the peer and not yet written: how far behind a slow reader is. */
  readonly bufferedAmount: number;
  send(text: string): void;
  /** A close frame with a code and a reason (RFC 6455 section 5.5.1). */
  close(code: number, reason: string): void;
  /** Drops the connection at once, for a peer that would not answer a close frame. */
  terminate(): void;
  /** A ping: the peer's pong tells it is still there. */
  ping(): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'pong', listener: () => void): unknown;
}
