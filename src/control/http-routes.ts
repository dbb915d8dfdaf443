/**
 * What the HTTP side answers besides the page's files: the cars (`GET /api/cars`, JSON, and its live
 * feed `GET /api/cars/live`, lobby-feed.ts), how another device joins (`GET /api/join`, JSON: join.ts),
 * each car's page (`/car/NAME`: the same page, which drives the car its path names), the camera page
 * (`/camera`, `/car/NAME/camera`), the lobby at `/` when there are several cars, and everything else
 * from the page's folder.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpContext, ServerAddOn } from './add-on.js';
import type { Fleet } from './fleet.js';
import type { JoinInfo } from './http/join.js';
import type { Raceway } from './race/raceway.js';
import type { GhostYard } from './ghost/ghost-yard.js';
import { send, type StaticHandler } from './http/static.js';

const CAR_PAGE = /^\/car\/([^/]+)\/?$/;
/** The camera page: `/camera` for the first car, `/car/NAME/camera` for a named one (docs/video.md). */
const CAMERA_PAGE = /^(?:\/car\/([^/]+))?\/camera\/?$/;

/** The lobby's parts: its list of cars, its live feed, and whether the page's folder has its page. */
export interface Lobby extends Pick<Raceway, 'cars' | 'feed'> {
  page: boolean;
}

export interface HttpRoutes {
  fleet: Fleet;
  serveStatic: StaticHandler;
  lobby: Lobby;
  /** `GET /api/join` (default: no URLs, no token). */
  join?: () => JoinInfo;
  /** Asked first, in order (add-on.ts). */
  addOns?: readonly ServerAddOn[];
  /** Who holds the token, for add-ons' routes (default: everyone). */
  authorize?: HttpContext['authorize'];
  ghosts: GhostYard;
  /** Whether a request's Origin may change state (default: every one). */
  originAllowed?: HttpContext['originAllowed'];
}

export function createHttpHandler(routes: HttpRoutes): (req: IncomingMessage, res: ServerResponse) => void {
  const { fleet, serveStatic, lobby, addOns = [] } = routes;
  const join = routes.join ?? ((): JoinInfo => ({ urls: [], authRequired: false }));
  const ctx: HttpContext = { authorize: routes.authorize ?? (() => 'ok'), serveStatic, ghosts: routes.ghosts, originAllowed: routes.originAllowed ?? (() => true) };
  return (req, res) => {
    for (const addOn of addOns) if (addOn.handle?.(req, res, ctx)) return;
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/api/cars') return sendJson(req, res, () => lobby.cars());
    if (path === '/api/cars/live') {
      return req.method === 'GET' || req.method === 'HEAD' ? lobby.feed.open(req, res) : sendJson(req, res, () => null); // 405
    }
    if (path === '/api/join') return sendJson(req, res, join);
    // One car: `/` is its page, as it always was. Several: the lobby, with a way to each car's page.
    if (path === '/' && fleet.worlds.length > 1 && lobby.page) return serveStatic(req, res, '/lobby.html');
    const car = CAR_PAGE.exec(path);
    if (car) {
      const name = safeDecode(car[1]);
      if (name === null || !fleet.get(name)) return send(res, 404, unknownCarPage(name ?? car[1], fleet, routes.ghosts), 'text/html; charset=utf-8');
      return serveStatic(req, res, '/index.html');
    }
    const camera = CAMERA_PAGE.exec(path);
    if (camera) {
      const name = camera[1] === undefined ? undefined : safeDecode(camera[1]);
      if (name === null || (name !== undefined && !fleet.get(name))) return send(res, 404, unknownCar(name ?? camera[1], fleet));
      return serveStatic(req, res, '/camera.html');
    }
    serveStatic(req, res);
  };
}

function sendJson(req: IncomingMessage, res: ServerResponse, body: () => unknown): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed');
  }
  send(res, 200, JSON.stringify(body()), 'application/json; charset=utf-8');
}

/** The reply to a car name no car has: the names that exist, so a typo is easy to fix; a ghost's, that nobody drives it. */
export function unknownCar(name: string, fleet: Fleet, ghosts?: Pick<GhostYard, 'get'>): string {
  return `${ghostNote(name, ghosts)}no car named '${name.slice(0, 64)}'; the cars are: ${fleet.names.join(', ')}\n`;
}

/** `ghost-2 is a ghost ...: ` when the name is a ghost's (ghost/ghost-yard.ts): a replay on the map, never a seat. */
function ghostNote(name: string, ghosts?: Pick<GhostYard, 'get'>): string {
  const ghost = ghosts?.get(name);
  return ghost === undefined ? '' : `${ghost.id} is a ghost (${ghost.label}): a recording replayed on the map, which nobody can drive, watch or take over; `;
}

/** The same, as a page a person can use: a link to each car (names are escaped: a path is anyone's text). */
export function unknownCarPage(name: string, fleet: Fleet, ghosts?: Pick<GhostYard, 'get'>): string {
  const links = fleet.names.map((n) => `<li><a href="/car/${encodeURIComponent(n)}">${escapeHtml(n)}</a></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>No such car</title><link rel="stylesheet" href="/style.css"></head><body class="lobby"><main class="lobby-main">`
    + `<h1>No car named ${escapeHtml(name.slice(0, 64))}</h1><p>${escapeHtml(ghostNote(name, ghosts))}The cars here:</p><ul>${links}</ul>`
    + `<p><a href="/">All the cars</a></p></main></body></html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
