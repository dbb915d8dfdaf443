/**
 * The Origin check at the WebSocket upgrade, against cross-site WebSocket hijacking: a browser sends
 * the page's origin with every upgrade (RFC 6455 section 4.1 and 10.2), and a page from another site must
 * not drive the car with the visitor's network position. Allowed:
 * 1. no Origin header: not a browser (a script or a device), so no hijacking to fear;
 * 2. the server's own origin: Origin equals the request's scheme://Host, and Host names this machine
 *    (an IP literal, localhost, or its hostname) or another name the server vouches for (a name on its
 *    certificate, a host of --allow-origin: host-check.ts); any other DNS name must be listed (3.), which
 *    defeats DNS rebinding, where evil.example resolves to 127.0.0.1 and becomes "same-origin" with us;
 * 3. an origin given with --allow-origin (exact scheme://host[:port]);
 * 4. the page this server serves on its HTTP port(s) at one of this machine's own names or addresses,
 *    which is how a page on :8000 reaches the seed-era --ws-port 9876 listener.
 */
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

export interface OriginPolicy {
  /** Normalized origins from --allow-origin. */
  allowOrigins: ReadonlySet<string>;
  /** Lower-case host names and addresses of this machine (IPv6 without brackets). */
  localNames: ReadonlySet<string>;
  /** The ports the page is served on (the HTTP port). */
  pagePorts: readonly number[];
  /** Other names the server vouches for (host-check.ts: the certificate's, --allow-origin's hosts). */
  vouchedFor?(name: string): boolean;
}

/** Normalizes an origin (`http://Host:80` -> `http://host`); throws on anything else than http(s)/ws(s). */
export function normalizeOrigin(text: string): string {
  // No message quotes more than the scheme or the origin: the rest may be a password, or a page's
  // address with its #token= pasted whole.
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('not a URL: an origin is scheme://host[:port], e.g. https://car.example.com');
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`not an http(s) origin: '${url.protocol}' is not http: or https:`);
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new Error(`an origin is scheme://host[:port] only, without a path, query, fragment, user or password: ${url.origin}?`);
  }
  return url.origin;
}

/** This machine's names: loopback, its hostname, and every interface address. */
export function machineNames(): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  const host = hostname().toLowerCase();
  names.add(host);
  names.add(`${host}.local`); // mDNS name, as phones on the LAN reach it
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''));
  }
  return names;
}

export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  secure: boolean,
  policy: OriginPolicy,
): boolean {
  if (origin === undefined) return true;
  let page: URL;
  try {
    page = new URL(normalizeOrigin(origin));
  } catch {
    return false; // includes the opaque "null" origin of sandboxed and file: pages
  }
  if (policy.allowOrigins.has(page.origin)) return true;
  const pageHost = bare(page.hostname);
  const pagePort = Number(page.port || (page.protocol === 'https:' ? 443 : 80));
  const ownName = (name: string) => isLoopback(name) || policy.localNames.has(name) || isIP(name) !== 0 || policy.vouchedFor?.(name) === true;
  if (host !== undefined) {
    let self: URL | undefined;
    try {
      self = new URL(`${secure ? 'https' : 'http'}://${host}`);
    } catch {
      self = undefined;
    }
    if (self && self.origin === page.origin && ownName(bare(self.hostname))) return true;
  }
  return (isLoopback(pageHost) || policy.localNames.has(pageHost)) && policy.pagePorts.includes(pagePort);
}

/** URL keeps IPv6 hosts in brackets; the policy stores them bare. */
function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function isLoopback(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
