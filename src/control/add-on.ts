/**
 * Behaviour wired into the server from outside src/control (the session recorder, src/recording/), which
 * control must not import: an add-on is told of the cars before their links start (to listen to their
 * events, car-events.ts), may answer HTTP requests before the page's files, and is closed after the cars
 * have stopped, so their last moments are its to keep.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fleet } from './fleet.js';
import type { RequestAuthorization } from './http/http-auth.js';
import type { StaticHandler } from './http/static.js';
import type { GhostYard } from './ghost/ghost-yard.js';

export interface HttpContext {
  authorize(req: IncomingMessage): RequestAuthorization;
  serveStatic: StaticHandler;
  /** The arena's ghosts (ghost/): who may start one is the add-on's route to decide, with authorize. */
  ghosts: GhostYard;
  /** Whether a request's Origin may change state here: none (not a browser), or one the WebSocket would take (origin.ts). */
  originAllowed(req: IncomingMessage): boolean;
}

export interface ServerAddOn {
  attach?(fleet: Fleet): void;
  /** True when the request was this add-on's to answer (it has answered, or will). */
  handle?(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): boolean;
  close?(): Promise<void>;
}
