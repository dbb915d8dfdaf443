/**
 * The WebSocket side of the server: who gets in at the upgrade (the Origin, a token presented in the
 * subprotocol, the client count: admission.ts) and to which car (`/ws?car=NAME` that car, `/ws` the first,
 * `/` and --ws-port the seed car), then a ClientSession handed to that car's world. Everything here is
 * decided before the handshake completes; what a message does to a car happens in its world.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from '../websocket/index.js';
import { Admission } from './connection/admission.js';
import { upgradeNameKey, upgradeResumeToken, upgradeToken, type TokenCheck } from './connection/auth.js';
import { ClientSession, type SessionContext } from './connection/client-session.js';
import { isOriginAllowed, type OriginPolicy } from './connection/origin.js';
import type { CarWorld } from './car/car-world.js';
import type { FaultInjection } from './fault-injection.js';
import type { Fleet } from './fleet.js';
import { unknownCar } from './http-routes.js';
import type { HostCheck } from './http/host-check.js';
import type { GhostYard } from './ghost/ghost-yard.js';
import type { Logger } from './log.js';
import { DEFAULT_LIMITS, type ControlOptions } from './options.js';
import { SUBPROTOCOL } from './protocol/messages.js';

const WS_PATHS = new Set(['/ws', '/']);
/** With a token, this many of the connection slots are kept for clients that present it at the upgrade. */
const RESERVED_FOR_TOKEN = 4;

export interface UpgradeContext {
  opts: Pick<ControlOptions, 'maxClients' | 'maxClientsPerAddress' | 'heartbeatMs'>;
  fleet: Fleet;
  /** The car of seed-era paths (`/`, --ws-port). */
  seedCar: CarWorld;
  token: TokenCheck | null;
  sessions: SessionContext;
  origins: OriginPolicy;
  secure: boolean;
  hosts: HostCheck;
  faults: FaultInjection | null;
  /** Ghosts are named in a refusal (a ghost is no car: ghost/). */
  ghosts?: Pick<GhostYard, 'get'>;
  log: Logger;
}

export interface Upgrades {
  wss: WebSocketServer;
  /** The page's listener: `/ws` and `/` only. */
  onMainUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The --ws-port listener: any path, as the seed's did. */
  onWsOnlyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export function createUpgrades(ctx: UpgradeContext): Upgrades {
  const { fleet, seedCar, log } = ctx;
  const admission = new Admission({
    maxClients: ctx.opts.maxClients ?? DEFAULT_LIMITS.maxClients,
    maxPerAddress: ctx.opts.maxClientsPerAddress ?? 16,
    reservedForToken: ctx.token === null ? 0 : RESERVED_FOR_TOKEN,
    heldSeats: () => fleet.worlds.filter((world) => world.seatHeld).length,
  });
  /** The car each accepted upgrade asked for, decided before the handshake completes. */
  const carOf = new WeakMap<IncomingMessage, CarWorld>();
  /** Whether each upgrade request carried the right token, decided once in verifyClient. */
  const tokenHolders = new WeakSet<IncomingMessage>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: ctx.sessions.limits.maxMessageBytes,
    heartbeatIntervalMs: ctx.opts.heartbeatMs ?? DEFAULT_LIMITS.heartbeatMs,
    verifyClient: (req) => {
      const origin = checkOrigin(req, ctx.origins, ctx.secure, log);
      if (origin !== true) return origin;
      const address = req.socket.remoteAddress ?? '?';
      const holder = presentsToken(req, address, ctx);
      if (holder) tokenHolders.add(req);
      return admitted(admission.check(address, holder ? 'token' : passOf(req, carOf.get(req))), address, log);
    },
    // Never echo the token-carrying protocol: answer `webracer` when offered, else none.
    handleProtocols: (offered) => (offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  // A handler of ours that throws costs its connection (1011), never the process: say so, it is a bug.
  wss.on('listenerError', (err: Error, _ws: unknown, event: string) => {
    log.error('handler_failed', { event }, err.stack ?? err.message);
  });
  let nextId = 1;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    ctx.faults?.onConnection(req); // outside any try: the WebSocket layer must contain it
    const address = req.socket.remoteAddress ?? '?';
    ws.once('close', admission.admit(address));
    const world = carOf.get(req) ?? fleet.first;
    world.attach(new ClientSession(ws, ctx.sessions, { id: `c${nextId++}`, address, tokenAtUpgrade: tokenHolders.has(req), ...pageOf(req) }));
  });
  /** Routes an upgrade to a car: `?car=NAME` (default the first car), or the seed car for seed-era paths. */
  const upgradeTo = (req: IncomingMessage, socket: Duplex, head: Buffer, seedPath: boolean): void => {
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('car');
    const world = name === null ? (seedPath ? seedCar : fleet.first) : fleet.get(name);
    if (!world) return refuseUnknownCar(socket, name!, fleet, req, log, ctx.ghosts);
    carOf.set(req, world);
    wss.handleUpgrade(req, socket, head, () => {});
  };
  return {
    wss,
    onMainUpgrade: (req, socket, head) => {
      if (!ctx.hosts.admitsUpgrade(req, socket)) return;
      const path = pathOf(req.url);
      if (!WS_PATHS.has(path)) return refuse(socket, 404, 'Not Found', 'WebSocket endpoints are /ws and /\n');
      upgradeTo(req, socket, head, path === '/');
    },
    onWsOnlyUpgrade: (req, socket, head) => {
      if (ctx.hosts.admitsUpgrade(req, socket)) upgradeTo(req, socket, head, true); // any path, as the seed's listener did
    },
  };
}

/**
 * What kind of page connects (`role=camera`, `role=watch`, else a driving page), whether it is on the
 * server's own machine, and the name key it offered.
 */
function pageOf(req: IncomingMessage): { page: 'drive' | 'camera' | 'watch'; onServerMachine: boolean; nameKey?: string } {
  const role = new URL(req.url ?? '/', 'http://x').searchParams.get('role');
  const page = role === 'camera' || role === 'watch' ? role : 'drive';
  const onServerMachine = req.socket.localAddress !== undefined && req.socket.localAddress === req.socket.remoteAddress;
  return { page, onServerMachine, nameKey: upgradeNameKey(req.headers['sec-websocket-protocol']) };
}

/** Whether the upgrade presents the right token (a wrong one counts against its address). */
function presentsToken(req: IncomingMessage, address: string, ctx: UpgradeContext): boolean {
  const { token, sessions, log } = ctx;
  const offered = token === null ? undefined : upgradeToken(req.headers['sec-websocket-protocol']);
  if (offered === undefined || sessions.lockout.locked(address)) return false;
  if (token!.matches(offered)) return true;
  if (sessions.lockout.fail(address)) log.warn('locked_out', { address, reason: 'too many wrong tokens' });
  return false;
}

function checkOrigin(req: IncomingMessage, policy: OriginPolicy, secure: boolean,
  log: Logger): true | { status: number; reason: string } {
  const origin = req.headers.origin;
  if (isOriginAllowed(origin, req.headers.host, secure, policy)) return true;
  log.warn('refused', { address: req.socket.remoteAddress, status: 403, reason: 'origin not allowed (see --allow-origin)', origin: origin?.slice(0, 200) });
  return { status: 403, reason: 'origin not allowed' };
}

/** A returning driver's pass: the resume token it offered at the upgrade holds its car's seat (not used up here). */
function passOf(req: IncomingMessage, world: CarWorld | undefined): 'resume' | 'none' {
  const key = upgradeResumeToken(req.headers['sec-websocket-protocol']);
  return key !== undefined && world?.seatHeldFor(key) === true ? 'resume' : 'none';
}

/** A full server or a greedy address: the verdict, logged when it is a refusal. */
function admitted(verdict: ReturnType<Admission['check']>, address: string, log: Logger): ReturnType<Admission['check']> {
  if (verdict !== true) log.warn('refused', { address, status: verdict.status, reason: verdict.reason });
  return verdict;
}

function refuseUnknownCar(socket: Duplex, name: string, fleet: Fleet, req: IncomingMessage, log: Logger, ghosts?: Pick<GhostYard, 'get'>): void {
  log.warn('refused', { address: req.socket.remoteAddress, status: 404, reason: 'no such car', car: name.slice(0, 64) });
  refuse(socket, 404, 'Not Found', unknownCar(name, fleet, ghosts));
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?', 1)[0];
}

function refuse(socket: Duplex, status: number, reason: string, body = ''): void {
  socket.on('error', () => {});
  const length = Buffer.byteLength(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n`
    + `Content-Length: ${length}\r\n\r\n${body}`);
  socket.once('finish', () => socket.destroy());
}
