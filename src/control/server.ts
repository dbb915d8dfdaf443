/**
 * The control server (contract C): one HTTP(S) server that serves the page and upgrades /ws and / to
 * WebSocket, an optional WebSocket-only listener for seed-era pages (--ws-port), and the cars (fleet.ts),
 * each in its own world (car/car-world.ts). This file builds them and opens, listens and closes; who gets
 * in at an upgrade and to which car is upgrades.ts's; what a message does to a car happens in its world.
 * Everything a client can send is checked before it reaches the car: the Origin and the client count at
 * the upgrade, the message size in the WebSocket layer (1009), the rest in the session and the world.
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DEFAULT_DEAD_ZONE, DEFAULT_WRITE_TIMEOUT_MS, type Driver } from '../vehicle/index.js';
import type { ServerAddOn } from './add-on.js';
import { AddressLockout, TokenCheck } from './connection/auth.js';
import type { SessionContext } from './connection/client-session.js';
import { NameKeys } from './connection/name-keys.js';
import { faultsFromEnv, type FaultInjection } from './fault-injection.js';
import { DEFAULT_CAR_NAME, Fleet } from './fleet.js';
import { createRequestAuthorizer } from './http/http-auth.js';
import { toLogger, type Logger } from './log.js';
import { createHttpHandler, unknownCar } from './http-routes.js';
import { joinUrls } from './http/join.js';
import { Raceway } from './race/raceway.js';
import { BEST_LAPS_FILE, BestLapsFile } from './race/best-laps-file.js';
import { GhostYard } from './ghost/ghost-yard.js';
import type { Limits } from './protocol/messages.js';
import { DEFAULT_LIMITS, type ControlOptions } from './options.js';
import { HostCheck, hostPolicyFor, isVouchedFor } from './http/host-check.js';
import { isOriginAllowed, type OriginPolicy } from './connection/origin.js';
import { createStaticHandler } from './http/static.js';
import { loadTls, type TlsInfo } from './http/tls.js';
import { redirectPlainHttp } from './http/http-redirect.js';
import { IceGrants } from './video/ice-grants.js';
import { checkTurn } from './video/turn-credentials.js';
import { createUpgrades, type Upgrades } from './upgrades.js';

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
  /** Recordings replayed on the arena's map, each on a simulated car of its own (ghost/). */
  ghosts: GhostYard;
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

export async function startControlServer(opts: ControlOptions): Promise<ControlServer> {
  const log = toLogger(opts.log);
  checkTurn(opts.iceServers ?? [], opts.turnSecret);
  // Read first: a missing certificate must fail before anything is opened.
  const tls = await loadTls(opts, log);
  const limits = limitsOf(opts);
  const token = opts.token === undefined ? null : new TokenCheck(opts.token);
  const faults = faultsFromEnv(process.env, log);
  const fleet = createFleet(opts, { limits, log, faults, authRequired: token !== null });
  const addOns = opts.addOns ?? [];
  for (const addOn of addOns) addOn.attach?.(fleet); // before the links start: an add-on sees everything
  const seedCar = opts.seedCar === undefined ? fleet.first : fleet.get(opts.seedCar);
  if (!seedCar) throw new Error(`--seed-car: ${unknownCar(opts.seedCar!, fleet).trim()}`);
  const now = () => performance.now();
  const ghosts = new GhostYard({ sims: fleet.worlds.filter((w) => fleet.sims.has(w.name)), log });
  // Best laps outlive a restart only where the server was given a folder for that (the CLI always gives one).
  const bestLapsFile = opts.dataDir === undefined ? undefined : new BestLapsFile(join(opts.dataDir, BEST_LAPS_FILE), log);
  const raceway = new Raceway(fleet, { now, log, authRequired: token !== null, ghosts, bestLapsFile });
  const sessions: SessionContext = { token, lockout: new AddressLockout(now), limits, log, now, nameKeys: new NameKeys() };
  const staticDir = opts.staticDir ?? DEFAULT_STATIC_DIR;
  if (!existsSync(join(staticDir, 'index.html'))) log.warn('no_page', { dir: staticDir }, `no index.html in ${staticDir} (run npm run build)`);

  const hostPolicy = hostPolicyFor(opts.allowOrigins ?? [], () => tls?.names() ?? []);
  const hosts = new HostCheck(hostPolicy, log); // every request and upgrade: the names we answer to
  const origins: OriginPolicy & { pagePorts: number[] } = {
    allowOrigins: new Set(opts.allowOrigins ?? []),
    localNames: hostPolicy.localNames,
    pagePorts: [],
    vouchedFor: (name) => isVouchedFor(name, hostPolicy),
  };
  const upgrades = createUpgrades({ opts, fleet, seedCar, token, sessions, origins, secure: tls !== null, hosts, faults, ghosts, log });
  const parts: Parts = { opts, log, tls, fleet, raceway, ghosts, addOns, upgrades, hosts, origins, staticDir, token, sessions, bound: { port: 0 } };
  const listeners = openListeners(parts);
  const { port, wsPort } = await listenAll(parts, listeners);
  const scheme = tls ? 'https' : 'http';
  return {
    url: `${scheme}://${urlHost(opts.host)}:${port}/`, port, wsPort, fleet, raceway, ghosts, driver: fleet.first.driver,
    tls: tls?.info() ?? null, emergencyStop: () => fleet.emergencyStop(), close: closer(parts, listeners),
  };
}

/** What the server is made of, for the steps below. */
interface Parts {
  opts: ControlOptions;
  log: Logger;
  tls: Awaited<ReturnType<typeof loadTls>>;
  fleet: Fleet;
  raceway: Raceway;
  ghosts: GhostYard;
  addOns: readonly ServerAddOn[];
  upgrades: Upgrades;
  hosts: HostCheck;
  /** Whose pages may open a WebSocket; the page's port joins it once listening. */
  origins: OriginPolicy & { pagePorts: number[] };
  staticDir: string;
  token: TokenCheck | null;
  sessions: SessionContext;
  /** The page's port once listening (for /api/join's URLs). */
  bound: { port: number };
}

interface Listeners {
  main: HttpServer;
  wsOnly?: HttpServer;
  servers: HttpServer[];
  redirect: ReturnType<typeof redirectPlainHttp> | null;
}

function limitsOf(opts: ControlOptions): Limits {
  return {
    watchdogMs: opts.watchdogMs,
    maxMessageBytes: opts.maxMessageBytes ?? 16 * 1024,
    driveRatePerSecond: opts.driveRatePerSecond ?? DEFAULT_LIMITS.driveRatePerSecond,
    idleTakeoverMs: opts.idleTakeoverMs ?? DEFAULT_LIMITS.idleTakeoverMs,
    maxHoldMs: opts.maxHoldMs ?? 2_000,
    driverSilenceMs: opts.driverSilenceMs ?? DEFAULT_LIMITS.driverSilenceMs,
    resumeWindowMs: opts.resumeWindowMs ?? DEFAULT_LIMITS.resumeWindowMs,
    deadZone: DEFAULT_DEAD_ZONE, // every car's Driver quantizes with the default (fleet.ts)
  };
}

function createFleet(opts: ControlOptions, ctx: { limits: Limits; log: Logger; faults: FaultInjection | null; authRequired: boolean }): Fleet {
  const cars = opts.cars ?? [{ name: DEFAULT_CAR_NAME, link: opts.link, codec: opts.codec, ack: opts.linkAck }];
  const iceGrants = new IceGrants({ servers: opts.iceServers ?? [], secret: opts.turnSecret, log: ctx.log });
  return Fleet.create(cars, opts.watchdogMs, {
    ...ctx, maxViewers: opts.maxViewers ?? 4,
    iceServers: (client) => iceGrants.grant(client),
    linkTimeoutMs: opts.linkTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS, refreshMs: opts.linkRefreshMs ?? 0, charmap: opts.charmap,
    maxSpeed: opts.maxSpeed, driveChannels: opts.driveChannels ?? true, sfu: opts.sfu,
  });
}

function makeServer(tls: Parts['tls']): HttpServer {
  // 16 KiB of headers is plenty for a browser; slow-loris requests are cut after 10 s.
  const settings = { maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 30_000 };
  if (!tls) return createHttpServer(settings);
  const server = createHttpsServer({ ...settings, ...tls.identity() });
  tls.serve(server);
  return server;
}

/** The page's listener (pages, APIs, add-ons' routes, upgrades), and the --ws-port one; not listening yet. */
function openListeners(parts: Parts): Listeners {
  const { opts, tls, upgrades, hosts, staticDir, raceway, token, ghosts, origins } = parts;
  let main: HttpServer;
  try {
    main = makeServer(tls); // throws on a certificate and key that do not match
  } catch (err) {
    upgrades.wss.close();
    tls?.close();
    throw new Error(`cannot use the TLS certificate and key: ${(err as Error).message}`);
  }
  const servers = [main];
  const lobbyPage = existsSync(join(staticDir, 'lobby.html')); // a seed page's folder (--static-dir) has none
  const redirect = tls ? redirectPlainHttp(main, (host) => hosts.allows(host)) : null; // http:// on this port is sent to https://
  main.on('request', hosts.guard(createHttpHandler({
    fleet: parts.fleet, serveStatic: createStaticHandler(staticDir), lobby: { cars: () => raceway.cars(), feed: raceway.feed, page: lobbyPage },
    join: () => ({ urls: joinUrls(opts.host, parts.bound.port, tls !== null), authRequired: token !== null }),
    addOns: parts.addOns, authorize: createRequestAuthorizer(token, parts.sessions.lockout, parts.log),
    ghosts, originAllowed: (req) => isOriginAllowed(req.headers.origin, req.headers.host, tls !== null, origins),
  })));
  main.on('upgrade', upgrades.onMainUpgrade);
  if (opts.wsPort === undefined) return { main, servers, redirect };
  const wsOnly = makeServer(tls);
  wsOnly.on('request', hosts.guard((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'close' });
    res.end('this port speaks WebSocket only\n');
  }));
  wsOnly.on('upgrade', upgrades.onWsOnlyUpgrade);
  servers.push(wsOnly);
  return { main, wsOnly, servers, redirect };
}

/** Listens, then starts the cars' links; on any failure closes everything opened and throws. */
async function listenAll(parts: Parts, listeners: Listeners): Promise<{ port: number; wsPort?: number }> {
  const { opts, fleet, raceway, tls, addOns } = parts;
  try {
    const port = await listen(listeners.main, opts.port, opts.host);
    parts.bound.port = port;
    const wsPort = listeners.wsOnly ? await listen(listeners.wsOnly, opts.wsPort!, opts.host) : undefined;
    parts.origins.pagePorts.push(port);
    await fleet.start();
    return { port, wsPort };
  } catch (err) {
    for (const server of listeners.servers) server.close();
    parts.upgrades.wss.close();
    const bestLapsSaved = raceway.close();
    tls?.close();
    listeners.redirect?.close();
    await Promise.all([fleet.close(), parts.ghosts.close(), bestLapsSaved]);
    await closeAddOns(addOns);
    throw err;
  }
}

/** The server's close: the cars stop first (their stops written), then clients, listeners and add-ons. Safe to call twice. */
function closer(parts: Parts, listeners: Listeners): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      const carStopped = parts.fleet.close(); // the stops are written first, then the links close
      const ghostsStopped = parts.ghosts.close(); // their simulators too
      const bestLapsSaved = parts.raceway.close();
      const clientsGone = new Promise<void>((resolve) => parts.upgrades.wss.close(resolve));
      parts.tls?.close();
      listeners.redirect?.close();
      const addOnsClosed = carStopped.then(() => closeAddOns(parts.addOns)); // after the cars' last moments
      await Promise.all([carStopped, ghostsStopped, bestLapsSaved, clientsGone, addOnsClosed, ...listeners.servers.map(stopListening)]);
    })();
    return closing;
  };
}

async function closeAddOns(addOns: readonly ServerAddOn[]): Promise<void> {
  await Promise.all(addOns.map((a) => a.close?.()));
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

/** A host to put in a URL: the wildcard addresses become loopback, IPv6 gets brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
