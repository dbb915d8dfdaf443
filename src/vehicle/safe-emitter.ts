// Listeners from other layers cannot break the emitter that calls them. Node's EventEmitter stops at the
// first listener that throws and unwinds into the emitter's own code: a link's state machine left half-way,
// a Driver whose stop is never written, the listeners after it never called. Here every listener runs, in
// order; one that throws is reported as 'listenerError' (error, eventName) to whoever listens for that, or,
// when nobody does, as a process warning on stderr. Every emitter in src/vehicle/ extends this.

import { EventEmitter } from 'node:events';

export const LISTENER_ERROR = 'listenerError';

type Listener = (...args: unknown[]) => unknown;

export class SafeEmitter extends EventEmitter {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    // A copy, as EventEmitter takes: listeners added or removed by a listener apply from the next emit on.
    const listeners = this.rawListeners(event) as Listener[];
    if (listeners.length === 0) return event === 'error' ? super.emit(event, ...args) : false;
    for (const listener of listeners) {
      try {
        listener.apply(this, args);
      } catch (err) {
        this.#report(err, event);
      }
    }
    return true;
  }

  #report(err: unknown, event: string | symbol): void {
    // A throwing 'listenerError' listener ends up in the warning below instead of looping.
    if (event !== LISTENER_ERROR && this.listenerCount(LISTENER_ERROR) > 0) {
      this.emit(LISTENER_ERROR, err, event);
      return;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.emitWarning(`a '${String(event)}' listener of ${this.constructor.name} threw: ${detail}`, {
      code: 'WEBRACER_LISTENER_ERROR',
    });
  }
}
