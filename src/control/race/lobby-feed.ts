/**
 * The lobby's live feed, `GET /api/cars/live`: Server-Sent Events (text/event-stream) carrying every
 * car's status (`event: cars`, the body of `GET /api/cars`) whenever it changes, and the race
 * (`event: race`, the `race` message) whenever that changes. The lobby and the strip of other cars on a
 * car's page read it with the browser's EventSource, which reconnects by itself.
 *
 * Why a feed and not polling: one request per page instead of one a second, and changes arrive within
 * CHECK_MS. Why not the WebSocket: the lobby belongs to no car, and a car's page should not get a
 * message on its car's socket for every visitor of every other car. The cars' state is compared every
 * CHECK_MS (a few summaries: microseconds) rather than hooked into every change on the command path.
 * Streams are capped in total and per address (admission.ts), like WebSockets.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Admission } from '../connection/admission.js';
import type { RaceMessage } from '../protocol/messages.js';

/** How often the cars' state is compared with what was last sent. */
const CHECK_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 20_000;

export interface LobbyFeedOptions {
  cars: () => unknown[];
  race: () => RaceMessage;
  maxStreams?: number; // default 64
  maxPerAddress?: number; // default 16
}

export class LobbyFeed {
  private readonly streams = new Set<ServerResponse>();
  private readonly admission: Admission;
  private timer: NodeJS.Timeout | null = null;
  private lastCars = '';
  private sinceKeepalive = 0;

  constructor(private readonly opts: LobbyFeedOptions) {
    this.admission = new Admission({ maxClients: opts.maxStreams ?? 64, maxPerAddress: opts.maxPerAddress ?? 16, reservedForToken: 0 });
  }

  /** Answers `GET /api/cars/live`: the stream stays open until the page goes or the server closes. */
  open(req: IncomingMessage, res: ServerResponse): void {
    const address = req.socket.remoteAddress ?? '?';
    const verdict = this.admission.check(address, 'none');
    if (verdict !== true) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '10' });
      res.end(`${verdict.reason}\n`);
      return;
    }
    const headers = {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no', // nginx: pass each event on at once
    };
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const leave = this.admission.admit(address);
    res.writeHead(200, headers);
    req.socket.setNoDelay(true);
    // The newcomer gets the state now; the others hear of any change at the next check, as ever.
    res.write(`retry: 2000\n${event('cars', JSON.stringify(this.opts.cars()))}${event('race', JSON.stringify(this.opts.race()))}`);
    this.streams.add(res);
    res.on('close', () => {
      this.streams.delete(res);
      leave();
      if (this.streams.size === 0) this.stopChecking();
    });
    this.startChecking();
  }

  /** The race changed: every stream hears it now. */
  race(message: RaceMessage): void {
    if (this.streams.size > 0) this.push(event('race', JSON.stringify(message)));
  }

  close(): void {
    this.stopChecking();
    for (const res of this.streams) res.end();
  }

  private check(): void {
    const json = JSON.stringify(this.opts.cars());
    this.sinceKeepalive += CHECK_MS;
    if (json !== this.lastCars) {
      this.lastCars = json;
      this.push(event('cars', json));
    } else if (this.sinceKeepalive >= KEEPALIVE_MS) {
      this.push(': keep-alive\n\n');
    }
  }

  private push(text: string): void {
    this.sinceKeepalive = 0;
    for (const res of this.streams) res.write(text);
  }

  private startChecking(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  private stopChecking(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

function event(name: string, json: string): string {
  return `event: ${name}\ndata: ${json}\n\n`;
}
