/**
 * How another device joins: the page's URLs on this machine's LAN addresses, for the QR code the CLI
 * prints at start-up and for `GET /api/join`, with which the page shows the same code (so a second phone
 * can join from the first). The token is never part of it: whoever shows the code adds it to the URL's
 * fragment from what it already knows.
 */
import { networkInterfaces } from 'node:os';
import { isLoopback } from '../connection/origin.js';

/** `GET /api/join`. */
export interface JoinInfo {
  /** The page on each LAN address, best first (e.g. http://192.168.1.20:8000/); empty when the server
   *  listens on loopback only. */
  urls: string[];
  /** Driving needs the token: a shared URL should carry it in its fragment (#token=...). */
  authRequired: boolean;
}

/** Interfaces a phone on the same Wi-Fi cannot reach: container and VM bridges. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|virbr|vmnet|vboxnet|lxcbr|cni|podman)/;

/** The addresses a phone could reach this server at, given the address it listens on. */
export function lanHosts(listenHost: string): string[] {
  if (listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '') return lanAddresses();
  if (isLoopback(listenHost.toLowerCase())) return [];
  return [listenHost.includes(':') ? `[${listenHost}]` : listenHost];
}

export function joinUrls(listenHost: string, port: number, tls: boolean): string[] {
  return lanHosts(listenHost).map((host) => `${tls ? 'https' : 'http'}://${host}:${port}/`);
}

/** This machine's non-loopback IPv4 addresses, physical interfaces first. */
export function lanAddresses(): string[] {
  const entries = Object.entries(networkInterfaces())
    .flatMap(([name, list]) => (list ?? []).map((a) => ({ name, ...a })))
    .filter((a) => a.family === 'IPv4' && !a.internal);
  const physical = entries.filter((a) => !VIRTUAL_INTERFACE.test(a.name));
  const virtual = entries.filter((a) => VIRTUAL_INTERFACE.test(a.name));
  return [...physical, ...virtual].map((a) => a.address);
}

/** A join URL with the token in its fragment, which browsers never send to a server (web/auth.ts reads it). */
export function withToken(url: string, token: string | undefined): string {
  return token === undefined ? url : `${url}#${new URLSearchParams({ token }).toString()}`;
}
