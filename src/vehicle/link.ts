// How bytes reach the car. Every link reports its state and never queues a write it cannot make now:
// a command that cannot reach the car is dropped and reported, so a stale command never moves a car late.

import type { EventEmitter } from 'node:events';
import type { LinkSpec } from './link-spec.js';
import { createSerialLink } from './links/serial.js';
import { SimLink } from './links/sim.js';
import { createTcpLink } from './links/tcp.js';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface Link extends EventEmitter {
  readonly spec: LinkSpec;
  readonly state: LinkState;
  /** Starts connecting; resolves once it is trying. Never rejects for a missing device: it retries. */
  open(): Promise<void>;
  /** Writes now, or returns false (nothing queued) when not connected. */
  write(bytes: Uint8Array): boolean;
  /** Flushes what was written, then closes for good. */
  close(): Promise<void>;
  // events: 'state' (LinkState); 'failure' (Error) for each failed attempt or lost connection (informative:
  // the link keeps retrying by itself); the simulator also emits 'pose' (Pose).
}

export function createLink(spec: LinkSpec): Link {
  switch (spec.kind) {
    case 'sim': return new SimLink();
    case 'serial': return createSerialLink(spec);
    case 'tcp': return createTcpLink(spec);
  }
}
