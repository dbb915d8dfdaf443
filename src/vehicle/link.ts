// How bytes reach the car. Every link reports its state and never queues a write it cannot make now:
// a command that cannot reach the car is dropped and reported, so a stale command never moves a car late.
// This file is what every link (links/*) implements; create-link.ts, above them, picks one by spec.

import type { EventEmitter } from 'node:events';
import type { LinkSpec } from './link-spec.js';
import type { LinkAck } from './links/echo.js';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface LinkOptions {
  /**
   * A write not delivered within this long (TCP: acknowledged by the peer; serial: drained by the driver)
   * means the connection is lost: it is dropped and made again. Default 1000 ms.
   */
  writeTimeoutMs?: number;
  /**
   * 'echo': the far end sends back every byte it got (links/echo.ts), and a write counts as delivered once its
   * echo is back; the only way to notice a bridge whose program stopped reading. Default 'none'.
   */
  ack?: LinkAck;
}

export const DEFAULT_WRITE_TIMEOUT_MS = 1_000;

export interface Link extends EventEmitter {
  readonly spec: LinkSpec;
  readonly state: LinkState;
  /** Starts connecting; resolves once it is trying. Never rejects for a missing device: it retries. */
  open(): Promise<void>;
  /**
   * Writes when the connection can take it, else keeps these bytes as the newest (replacing older ones that
   * were waiting) and writes them as soon as it can. False (nothing kept) when not connected.
   */
  write(bytes: Uint8Array): boolean;
  /**
   * For a process on its way out: writes now, synchronously where possible, ahead of anything still waiting
   * (which is discarded). True when the bytes are with the operating system on return; false when they could
   * only be queued behind a write in progress, or when not connected.
   */
  writeNow(bytes: Uint8Array): boolean;
  /** Delivers what was written (bounded by the write timeout), then closes for good. */
  close(): Promise<void>;
  // events: 'state' (LinkState); 'failure' (Error) for each failed attempt or lost connection (informative:
  // the link keeps retrying by itself); 'listenerError' (error, eventName) when a listener threw (see
  // safe-emitter.ts); the simulator also emits 'pose' (Pose, and its time).
}
