/** What a WebSocket is configured with: the server's shared settings and what one handshake agreed. */
import type { BackpressurePolicy } from './backpressure.js';
import type { PerMessageExtension } from './extension.js';

/**
 * @internal the server's settings for all its connections: one object shared by every
 * WebSocket, so that an idle connection holds a pointer instead of a copy of each field.
 * `Socket` is the WebSocket class (websocket.ts), a parameter so that this file, which it imports, need
 * not import it back.
 */
export interface ConnectionSettings<Socket> {
  maxPayload: number;
  closeTimeoutMs: number;
  /** High-water mark: above it, reading from the peer pauses and sends follow `backpressure`. */
  maxBufferedAmount: number;
  backpressure?: BackpressurePolicy;
  /** Bytes per second a peer may make us inflate (0 or absent: no limit). */
  maxInflateRate?: number;
  /** Called once when a connection is closed (the server forgets it). */
  onClosed?: (ws: Socket) => void;
  /** An application handler of this connection threw (the server reports it as 'listenerError'). */
  onListenerError?: (error: unknown, ws: Socket, event: string) => void;
}

/** @internal what the handshake agreed with this peer. */
export interface Negotiated {
  protocol: string;
  extensions: string;
  extension?: PerMessageExtension;
}
