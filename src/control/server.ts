/**
 * The control server (contract C): one HTTP(S) server that serves the page and upgrades /ws and / to
 * WebSocket, an optional WebSocket-only listener for seed-era pages (--ws-port), and the cars (fleet.ts),
 * each in its own world (car-world.ts). This file only admits and routes: `/ws?car=NAME` reaches that car,
 * `/ws` the first, `/` and --ws-port the seed car; what a message does to a car happens in its world.
 * Everything a client can send is checked before it reaches the car: the Origin and the client count at
 * the upgrade, the message size in the WebSocket layer (1009), the rest in the session and the world.
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DEFAULT_DEAD_ZONE, DEFAULT_WRITE_TIMEOUT_MS, type Driver } from '../vehicle/index.js';
import { WebSocketServer, type WebSocket } from '../websocket/index.js';
import type { ServerAddOn } from './add-on.js';
import { Admission } from './admission.js';
import { AddressLockout, TokenCheck, upgradeResumeToken, upgradeToken } from './auth.js';
import type { CarWorld } from './car-world.js';
import { ClientSession, type SessionContext } from './client-session.js';
import { faultsFromEnv } from './fault-injection.js';
import { DEFAULT_CAR_NAME, Fleet } from './fleet.js';
import { createRequestAuthorizer } from './http-auth.js';
import { toLogger, type Logger } from './log.js';
import { createHttpHandler, unknownCar } from './http-routes.js';
import { joinUrls } from './join.js';
import { Raceway } from './raceway.js';
import { SUBPROTOCOL, type Limits } from './messages.js';
import { DEFAULT_LIMITS, type ControlOptions } from './options.js';
import { HostCheck, hostPolicyFor, isVouchedFor } from './host-check.js';
import { isOriginAllowed, type OriginPolicy } from './origin.js';
import { createStaticHandler } from './static.js';
import { loadTls, type TlsInfo } from './tls.js';
import { redirectPlainHttp } from './http-redirect.js';
import { IceGrants } from './ice-grants.js';
import { checkTurn } from './turn-credentials.js';

export type { ControlOptions } from './options.js';

export interface ControlServer {
  /** http(s)://host:port/ of the page. */
  url: string;
  port: number;
  wsPort?: number;
  /** The cars by name; `driver` is the first car's. */
  fleet: Fleet;
  /** The arena, its laps and races, and the lobby's feed (raceway.ts). */
  raceway: Raceway;
  driver: Driver;
  /** The certificate served (with https), as the command line reports it; null for plain http. */
  tls: TlsInfo | null;
  /** Writes the stop to every car now, synchronously and without waiting for anything: the first step
   *  of every shutdown, and the last resort when the process is failing. Never throws. */
  emergencyStop(): void;
  /** Stops the car, closes clients with 1001, closes the listeners. Safe to call twice. */
  close(): Promise<void>;
}

/** dist/web of this package: this file sits in src/control/ (tsx) or dist/control/ (built), two levels down. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const WS_PATHS = new Set(['/ws', '/']);
/** With a token, this many of the connection slots are kept for clients that present it at the upgrade. */
const RESERVED_FOR_TOKEN = 4;

export async function startControlServer(opts: ControlOptions): Promise<ControlServer> {
  const log = toLogger(opts.log);
  checkTurn(opts.iceServers ?? [], opts.turnSecret);
  // Read first: a missing certificate must fail before anything is opened.
  const tls = await loadTls(opts, log);
  const limits: Limits = {
    watchdogMs: opts.watchdogMs,
    maxMessageBytes: opts.maxMessageBytes ?? 16 * 1024,
    driveRatePerSecond: opts.driveRatePerSecond ?? DEFAULT_LIMITS.driveRatePerSecond,
    idleTakeoverMs: opts.idleTakeoverMs ?? DEFAULT_LIMITS.idleTakeoverMs,
    maxHoldMs: opts.maxHoldMs ?? 2_000,
    driverSilenceMs: opts.driverSilenceMs ?? DEFAULT_LIMITS.driverSilenceMs,
    resumeWindowMs: opts.resumeWindowMs ?? DEFAULT_LIMITS.resumeWindowMs,
    deadZone: DEFAULT_DEAD_ZONE, // every car's Driver quantizes with the default (fleet.ts)
  };
  const token = opts.token === undefined ? null : new TokenCheck(opts.token);
  const faults = faultsFromEnv(process.env, log);
  const cars = opts.cars ?? [{ name: DEFAULT_CAR_NAME, link: opts.link, codec: opts.codec, ack: opts.linkAck }];
  const iceGrants = new IceGrants({ servers: opts.iceServers ?? [], secret: opts.turnSecret, log });
  const fleet = Fleet.create(cars, opts.watchdogMs, {
    limits, log, faults, authRequired: token !== null, maxViewers: opts.maxViewers ?? 4,
    iceServers: (client) => iceGrants.grant(client),
    linkTimeoutMs: opts.linkTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS, refreshMs: opts.linkRefreshMs ?? 0, charmap: opts.charmap,
  });
  const addOns = opts.addOns ?? [];
  for (const addOn of addOns) addOn.attach?.(fleet); // before the links start: an add-on sees everything
  const seedCar = opts.seedCar === undefined ? fleet.first : fleet.get(opts.seedCar);
  if (!seedCar) throw new Error(`--seed-car: ${unknownCar(opts.seedCar!, fleet).trim()}`);
  const now = () => performance.now();
  const raceway = new Raceway(fleet, { now, log, authRequired: token !== null });
  const sessions: SessionContext = { token, lockout: new AddressLockout(now), limits, log, now };
  const admission = new Admission({
    maxClients: opts.maxClients ?? DEFAULT_LIMITS.maxClients,
    maxPerAddress: opts.maxClientsPerAddress ?? 16,
    reservedForToken: token === null ? 0 : RESERVED_FOR_TOKEN,
    heldSeats: () => fleet.worlds.filter((world) => world.seatHeld).length,
  });
  const staticDir = opts.staticDir ?? DEFAULT_STATIC_DIR;
  if (!existsSync(join(staticDir, 'index.html'))) log.warn('no_page', { dir: staticDir }, `no index.html in ${staticDir} (run npm run build)`);

  const makeServer = (): HttpServer => {
    // 16 KiB of headers is plenty for a browser; slow-loris requests are cut after 10 s.
    const settings = { maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 30_000 };
    if (!tls) return createHttpServer(settings);
    const server = createHttpsServer({ ...settings, ...tls.identity() });
    tls.serve(server);
    return server;
  };

  const hostPolicy = hostPolicyFor(opts.allowOrigins ?? [], () => tls?.names() ?? []);
  const hosts = new HostCheck(hostPolicy, log); // every request and upgrade: the names we answer to
  const policy: OriginPolicy & { pagePorts: number[] } = {
    allowOrigins: new Set(opts.allowOrigins ?? []),
    localNames: hostPolicy.localNames,
    pagePorts: [],
    vouchedFor: (name) => isVouchedFor(name, hostPolicy),
  };
  /** Whether each upgrade request carried the right token, decided once in verifyClient. */
  const tokenHolders = new WeakSet<IncomingMessage>();
  const presentsToken = (req: IncomingMessage, address: string): boolean => {
    const offered = token === null ? undefined : upgradeToken(req.headers['sec-websocket-protocol']);
    if (offered === undefined || sessions.lockout.locked(address)) return false;
    if (token!.matches(offered)) return true;
    if (sessions.lockout.fail(address)) log.warn('locked_out', { address, reason: 'too many wrong tokens' });
    return false;
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    heartbeatIntervalMs: opts.heartbeatMs ?? DEFAULT_LIMITS.heartbeatMs,
    verifyClient: (req) => {
      const origin = checkOrigin(req, policy, tls !== null, log);
      if (origin !== true) return origin;
      const address = req.socket.remoteAddress ?? '?';
      const holder = presentsToken(req, address);
      if (holder) tokenHolders.add(req);
      return admitted(admission.check(address, holder ? 'token' : passOf(req, carOf.get(req))), address, log);
    },
    // Never echo the token-carrying protocol: answer `webracer` when offered, else none.
    handleProtocols: (offered) => (offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  /** The car each accepted upgrade asked for, decided before the handshake completes. */
  const carOf = new WeakMap<IncomingMessage, CarWorld>();
  // A handler of ours that throws costs its connection (1011), never the process: say so, it is a bug.
  wss.on('listenerError', (err: Error, _ws: unknown, event: string) => {
    log.error('handler_failed', { event }, err.stack ?? err.message);
  });
  let nextId = 1;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    faults?.onConnection(req); // outside any try: the WebSocket layer must contain it
    const address = req.socket.remoteAddress ?? '?';
    ws.once('close', admission.admit(address));
    const world = carOf.get(req) ?? fleet.first;
    const role = new URL(req.url ?? '/', 'http://x').searchParams.get('role');
    const onServerMachine = req.socket.localAddress !== undefined && req.socket.localAddress === req.socket.remoteAddress;
    world.attach(new ClientSession(`c${nextId++}`, ws, address, sessions, tokenHolders.has(req), role === 'camera', role === 'watch', onServerMachine));
  });
  /** Routes an upgrade to a car: `?car=NAME` (default the first car), or the seed car for seed-era paths. */
  const upgradeTo = (req: IncomingMessage, socket: Duplex, head: Buffer, seedPath: boolean): void => {
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('car');
    const world = name === null ? (seedPath ? seedCar : fleet.first) : fleet.get(name);
    if (!world) return refuseUnknownCar(socket, name!, fleet, req, log);
    carOf.set(req, world);
    wss.handleUpgrade(req, socket, head, () => {});
  };
  const servers: HttpServer[] = [];
  let main: HttpServer;
  try {
    main = makeServer(); // throws on a certificate and key that do not match
  } catch (err) {
    wss.close();
    tls?.close();
    throw new Error(`cannot use the TLS certificate and key: ${(err as Error).message}`);
  }
  servers.push(main);
  const lobbyPage = existsSync(join(staticDir, 'lobby.html')); // a seed page's folder (--static-dir) has none
  const redirect = tls ? redirectPlainHttp(main, (host) => hosts.allows(host)) : null; // http:// on this port is sent to https://
  main.on('request', hosts.guard(createHttpHandler(fleet, createStaticHandler(staticDir), { cars: () => raceway.cars(), feed: raceway.feed, page: lobbyPage },
    () => ({ urls: joinUrls(opts.host, port, tls !== null), authRequired: token !== null }),
    addOns, createRequestAuthorizer(token, sessions.lockout, log))));
  main.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!hosts.admitsUpgrade(req, socket)) return;
    const path = pathOf(req.url);
    if (!WS_PATHS.has(path)) return refuse(socket, 404, 'Not Found', 'WebSocket endpoints are /ws and /\n');
    upgradeTo(req, socket, head, path === '/');
  });
  let wsOnly: HttpServer | undefined;
  if (opts.wsPort !== undefined) {
    wsOnly = makeServer();
    wsOnly.on('request', hosts.guard((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'close' });
      res.end('this port speaks WebSocket only\n');
    }));
    wsOnly.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (hosts.admitsUpgrade(req, socket)) upgradeTo(req, socket, head, true); // any path, as the seed's listener did
    });
    servers.push(wsOnly);
  }

  let port: number;
  let wsPort: number | undefined;
  try {
    port = await listen(main, opts.port, opts.host);
    if (wsOnly) wsPort = await listen(wsOnly, opts.wsPort!, opts.host);
    policy.pagePorts.push(port);
    await fleet.start();
  } catch (err) {
    for (const server of servers) server.close();
    wss.close();
    raceway.close();
    tls?.close();
    redirect?.close();
    await fleet.close();
    await closeAddOns(addOns);
    throw err;
  }

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const carStopped = fleet.close(); // the stops are written first, then the links close
      raceway.close();
      const clientsGone = new Promise<void>((resolve) => wss.close(resolve));
      tls?.close();
      redirect?.close();
      const addOnsClosed = carStopped.then(() => closeAddOns(addOns)); // after the cars' last moments
      await Promise.all([carStopped, clientsGone, addOnsClosed, ...servers.map(stopListening)]);
    })();
    return closing;
  };

  const scheme = tls ? 'https' : 'http';
  return {
    url: `${scheme}://${urlHost(opts.host)}:${port}/`, port, wsPort, fleet, raceway, driver: fleet.first.driver,
    tls: tls?.info() ?? null, emergencyStop: () => fleet.emergencyStop(), close,
  };
}

async function closeAddOns(addOns: readonly ServerAddOn[]): Promise<void> {
  await Promise.all(addOns.map((a) => a.close?.()));
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

function refuseUnknownCar(socket: Duplex, name: string, fleet: Fleet, req: IncomingMessage, log: Logger): void {
  log.warn('refused', { address: req.socket.remoteAddress, status: 404, reason: 'no such car', car: name.slice(0, 64) });
  refuse(socket, 404, 'Not Found', unknownCar(name, fleet));
}

function listen(server: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stopListening(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // page requests held open by keep-alive
  });
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

/** A host to put in a URL: the wildcard addresses become loopback, IPv6 gets brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
