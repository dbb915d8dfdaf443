/**
 * The names this server answers to, checked on every HTTP request and upgrade: the page, `/api/*`, the
 * lobby's feed, `/recordings`, the plain-HTTP redirect and the seed's --ws-port listener. Against DNS
 * rebinding: a hostile site points its own name at this machine, and the visitor's browser then takes our
 * answers for that site's and lets its script read them (`/api/cars`; `/api/recordings` with a token the
 * page was given). The Host header names the site the browser thinks it talks to, so a name we cannot
 * vouch for is refused, with 421 Misdirected Request (RFC 9110 section 15.5.20: "not able to produce a
 * response for that target") and a line saying how to allow it.
 *
 * Vouched for, as for the WebSocket's Origin (origin.ts): an IP address (a browser sends one only when it
 * was given one), `localhost`, this machine's names, the names on the certificate we serve (--tls-cert:
 * whoever holds it owns them), and the hosts of --allow-origin (a reverse proxy's or a tunnel's public
 * name, however it is reached). A request without Host (HTTP/1.0 from a script) comes from no browser and
 * cannot be a rebinding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';
import { isLoopback, machineNames } from '../connection/origin.js';
import { send } from './static.js';

export interface HostPolicy {
  /** This machine's names and addresses, lower case (origin.ts machineNames). */
  localNames: ReadonlySet<string>;
  /** The host names of --allow-origin, lower case. */
  allowedHosts: ReadonlySet<string>;
  /** The names on the certificate served now (it may be renewed), lower case; `*.example.com` allowed. */
  certificateNames(): readonly string[];
}

/** The policy of a server with these --allow-origin origins and this certificate (none without TLS). */
export function hostPolicyFor(allowOrigins: readonly string[], certificateNames: () => readonly string[]): HostPolicy {
  const allowedHosts = new Set(allowOrigins.map((origin) => hostName(new URL(origin).host)).filter((n): n is string => n !== null));
  return { localNames: machineNames(), allowedHosts, certificateNames };
}

/** A Host header's name: lower case, without port, brackets or a final dot; null when it is no host. */
export function hostName(header: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]/@\s]+)(?::\d{1,5})?$/i.exec(header.trim());
  if (match === null) return null;
  const name = match[1].replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return name === '' ? null : name;
}

/** Whether `name` (as hostName gives it) is one this server can vouch for. */
export function isVouchedFor(name: string, policy: HostPolicy): boolean {
  if (isIP(name) !== 0 || isLoopback(name) || policy.localNames.has(name) || policy.allowedHosts.has(name)) return true;
  return policy.certificateNames().some((pattern) => matchesCertificateName(name, pattern));
}

/** RFC 6125 section 6.4.3: a wildcard stands for exactly one whole label, the left-most. */
function matchesCertificateName(name: string, pattern: string): boolean {
  if (!pattern.startsWith('*.')) return name === pattern;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot) === pattern.slice(1);
}

/** Whether a request's Host header (absent: not a browser) names this server. */
export function isHostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return true;
  const name = hostName(header);
  return name !== null && isVouchedFor(name, policy);
}

/** The body of a 421: what to do about it. The name is repeated only when it is a plain host name. */
export function misdirectedText(header: string): string {
  const name = hostName(header);
  const shown = name !== null && /^[a-z0-9.-]{1,253}$/.test(name) ? name : null;
  const which = shown === null ? 'that name' : `the name '${shown}'`;
  const allow = shown === null ? 'https://NAME' : `https://${shown}`;
  return `421 Misdirected Request: webracer does not answer to ${which}. If it is this server's (a reverse\n`
    + `proxy's or a tunnel's name), start webracer with --allow-origin ${allow} (docs/control.md).\n`;
}

/** Refusals are logged at most this often (with how many more there were): a client cannot flood the log. */
const LOG_INTERVAL_MS = 1000;

/** The check as the server uses it: on requests, on upgrades, and its log lines. */
export class HostCheck {
  private loggedAt = -Infinity;
  private unlogged = 0;

  constructor(private readonly policy: HostPolicy, private readonly log: Logger, private readonly now = () => performance.now()) {}

  allows(header: string | undefined): boolean {
    return isHostAllowed(header, this.policy);
  }

  /** Wraps a request handler: a request for a name this server does not answer to gets 421 instead. */
  guard(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      const host = req.headers.host;
      if (this.allows(host)) return handler(req, res);
      this.noteRefusal(req, host!);
      send(res, 421, misdirectedText(host!));
    };
  }

  /** For an upgrade: true when it may go on; otherwise the socket has been answered 421 and closed. */
  admitsUpgrade(req: IncomingMessage, socket: Duplex): boolean {
    const host = req.headers.host;
    if (this.allows(host)) return true;
    this.noteRefusal(req, host!);
    const body = misdirectedText(host!);
    socket.on('error', () => {});
    socket.end(`HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.once('finish', () => socket.destroy());
    return false;
  }

  private noteRefusal(req: IncomingMessage, host: string): void {
    const now = this.now();
    if (now - this.loggedAt < LOG_INTERVAL_MS) {
      this.unlogged += 1;
      return;
    }
    this.log.warn('refused', {
      address: req.socket.remoteAddress, status: 421, reason: 'unknown host name (see --allow-origin)',
      host: host.slice(0, 100), alsoSinceLast: this.unlogged || undefined,
    });
    this.loggedAt = now;
    this.unlogged = 0;
  }
}
