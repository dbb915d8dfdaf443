/**
 * Test-only fault hooks, for the fault-injection suite (test/safety/): they make the server fail in the
 * places a real bug would, so the suite can prove that the car still stops. Off unless the environment
 * has WEBRACER_FAULTS=1; when off, nothing here is reachable (the server holds `null`).
 *
 * - an upgrade whose URL has `fault=connection`: the handler that takes the new WebSocket throws;
 * - `{"type":"ping","id":"fault:message"}`: the message handler throws;
 * - `{"type":"ping","id":"fault:uncaught"}`: a timer throws (an uncaughtException);
 * - `{"type":"ping","id":"fault:rejection"}`: a promise is rejected with no handler (an unhandledRejection);
 * - `{"type":"ping","id":"fault:link-state"}`: from then on a listener of the car link's 'state' throws.
 */
import type { IncomingMessage } from 'node:http';
import type { Link } from '../vehicle/index.js';
import type { Logger } from './log.js';

export const FAULTS_ENV = 'WEBRACER_FAULTS';

export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

export interface FaultInjection {
  onConnection(req: IncomingMessage): void;
  onPing(id: number | string, link: Link): void;
}

/** The hooks when the environment asks for them, else null. */
export function faultsFromEnv(env: Readonly<Record<string, string | undefined>>,
  log: Logger): FaultInjection | null {
  if (env[FAULTS_ENV] !== '1') return null;
  log.warn('fault_hooks', {}, `${FAULTS_ENV}=1: test-only fault hooks are on; never run a real car like this`);
  return {
    onConnection(req) {
      if (new URL(req.url ?? '/', 'http://x').searchParams.get('fault') === 'connection') {
        throw new InjectedFault('injected fault: connection handler');
      }
    },
    onPing(id, link) {
      switch (id) {
        case 'fault:message':
          throw new InjectedFault('injected fault: message handler');
        case 'fault:uncaught':
          setTimeout(() => {
            throw new InjectedFault('injected fault: uncaught exception');
          }, 0);
          return;
        case 'fault:rejection':
          void Promise.reject(new InjectedFault('injected fault: unhandled rejection'));
          return;
        case 'fault:link-state':
          link.on('state', () => {
            throw new InjectedFault('injected fault: link state listener');
          });
          return;
      }
    },
  };
}
