// The state machine every real link shares: connect, and after a failed attempt or a lost connection,
// retry with exponential backoff until closed.
//
//   closed --open()--> connecting --ok--> connected --lost--> reconnecting --timer--> (attempt) ...
//                      connecting --fail--> reconnecting --timer--> (attempt) --ok--> connected
//   any --close()--> closed (final)
//
// A write is made only in 'connected'; otherwise it is refused at once (never buffered for later).

import { EventEmitter } from 'node:events';
import type { Link, LinkState } from '../link.js';
import type { LinkSpec } from '../link-spec.js';

/** One live connection to the device. */
export interface Transport {
  write(bytes: Uint8Array): void;
  /** Flush pending output, then close. */
  end(): Promise<void>;
}

/** Opens one connection; calls lost() (once) if it later drops. Rejects if the device is absent. */
export type Connector = (lost: (err: Error) => void) => Promise<Transport>;

export interface BackoffOptions {
  initialDelayMs?: number; // default 250
  maxDelayMs?: number;     // default 5_000
  factor?: number;         // default 2
}

export function backoffDelay(attempt: number, o: Required<BackoffOptions>): number {
  return Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** attempt);
}

export class ReconnectingLink extends EventEmitter implements Link {
  #state: LinkState = 'closed';
  #transport: Transport | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #generation = 0; // bumps on every attempt and on close, so a late answer from an old attempt is ignored
  #closing = false;
  readonly #backoff: Required<BackoffOptions>;

  constructor(readonly spec: LinkSpec, private readonly connector: Connector, backoff: BackoffOptions = {}) {
    super();
    this.#backoff = { initialDelayMs: 250, maxDelayMs: 5_000, factor: 2, ...backoff };
  }

  get state(): LinkState {
    return this.#state;
  }

  async open(): Promise<void> {
    if (this.#closing || this.#state !== 'closed' || this.#generation > 0) return;
    this.#setState('connecting');
    this.#attempt();
  }

  write(bytes: Uint8Array): boolean {
    if (this.#state !== 'connected' || this.#transport === null) return false;
    this.#transport.write(bytes);
    return true;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#generation++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const t = this.#transport;
    this.#transport = null;
    if (t) await t.end().catch((err: Error) => this.emit('failure', err));
    this.#setState('closed');
  }

  #attempt(): void {
    const generation = ++this.#generation;
    let live = false; // this attempt's connection is the current one; a loss ends that once
    const lost = (err: Error): void => {
      if (!live || generation !== this.#generation || this.#closing) return;
      live = false;
      this.#transport = null;
      this.emit('failure', err);
      this.#retry();
    };
    this.connector(lost).then(
      (transport) => {
        if (generation !== this.#generation || this.#closing) {
          void transport.end().catch(() => {});
          return;
        }
        this.#failures = 0;
        this.#transport = transport;
        live = true;
        this.#setState('connected');
      },
      (err: Error) => {
        if (generation !== this.#generation || this.#closing) return;
        this.emit('failure', err);
        this.#retry();
      },
    );
  }

  #retry(): void {
    this.#setState('reconnecting');
    const delay = backoffDelay(this.#failures++, this.#backoff);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closing) this.#attempt();
    }, delay);
    this.#timer.unref?.();
  }

  #setState(s: LinkState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.emit('state', s);
  }
}
