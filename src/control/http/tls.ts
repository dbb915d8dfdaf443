/**
 * The server's certificate: files given with --tls-cert/--tls-key, or one made for this machine
 * (--tls self-signed, self-signed.ts). Files are watched, and a changed pair (a Let's Encrypt renewal) is
 * taken for new connections with setSecureContext while every open connection carries on; a pair that
 * does not load (half written, key and certificate not matching) is reported and the old one kept.
 */
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { defaultDataDir } from '../data-dir.js';
import type { Logger } from '../log.js';
import { certificateNames, fingerprint, selfSignedCertificate, spkiHash, type Identity } from './self-signed.js';

export interface TlsSettings {
  tls?: 'self-signed';
  tlsCert?: string;
  tlsKey?: string;
  dataDir?: string;
  /** How often the certificate files are checked for changes (default 2000 ms). */
  tlsCheckIntervalMs?: number;
}

/** What the CLI prints about the certificate. */
export interface TlsInfo {
  source: 'files' | 'self-signed';
  /** The certificate's file. */
  certPath: string;
  /** SHA-256 of the certificate as browsers show it (AB:CD:...). */
  fingerprint: string;
  /** Base64 SHA-256 of its public key (Chromium's --ignore-certificate-errors-spki-list). */
  spkiHash: string;
  /** For a self-signed one: made now, reused, or made again (and why). */
  note?: string;
}

export interface ServerTls {
  /** The certificate and key in use now (for https.createServer). */
  identity(): Identity;
  info(): TlsInfo;
  /** The host names and addresses the certificate served now names (lower case): the server answers to them. */
  names(): readonly string[];
  /** Keeps these servers on the current certificate from now on. */
  serve(server: TlsServer): void;
  close(): void;
}

const DEFAULT_CHECK_MS = 2_000;
/** A renewal writes the key and the certificate one after the other: read them once both are done. */
const SETTLE_MS = 300;

/** The certificate the options ask for, or null for plain http. Throws a clear error when it cannot be had. */
export async function loadTls(opts: TlsSettings, log: Logger): Promise<ServerTls | null> {
  if (opts.tls === 'self-signed') {
    if (opts.tlsCert !== undefined || opts.tlsKey !== undefined) throw new Error('--tls self-signed makes its own certificate: leave out --tls-cert and --tls-key');
    const dir = opts.dataDir ?? defaultDataDir();
    const made = await selfSignedCertificate(dir).catch((err: Error) => {
      throw new Error(`cannot make or read the self-signed certificate in ${dir}: ${err.message}`);
    });
    const note = made.outcome === 'reused' ? 'reused' : made.outcome === 'created' ? 'made now' : `made again: ${made.why}`;
    return fixed(made, { source: 'self-signed', certPath: made.certPath, fingerprint: fingerprint(made.cert), spkiHash: spkiHash(made.cert), note });
  }
  if (opts.tlsCert === undefined || opts.tlsKey === undefined) return null;
  return watchedFiles(opts.tlsCert, opts.tlsKey, opts.tlsCheckIntervalMs ?? DEFAULT_CHECK_MS, log);
}

function describe(identity: Identity, certPath: string): TlsInfo {
  return { source: 'files', certPath, fingerprint: fingerprint(identity.cert), spkiHash: spkiHash(identity.cert) };
}

function fixed(identity: Identity, info: TlsInfo): ServerTls {
  const names = certificateNames(identity.cert);
  return { identity: () => identity, info: () => info, names: () => names, serve: () => {}, close: () => {} };
}

async function readPair(certPath: string, keyPath: string): Promise<Identity> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  createSecureContext({ cert, key }); // throws when they do not load or do not match
  return { cert, key };
}

async function watchedFiles(certPath: string, keyPath: string, intervalMs: number, log: Logger): Promise<ServerTls> {
  let current = await readPair(certPath, keyPath).catch((err: Error) => {
    throw new Error(`cannot use the TLS certificate and key: ${err.message}`);
  });
  let info = describe(current, certPath);
  let names = certificateNames(current.cert);
  const servers: TlsServer[] = [];
  let settle: NodeJS.Timeout | undefined;
  let closed = false;
  const reload = async (): Promise<void> => {
    let next: Identity;
    try {
      next = await readPair(certPath, keyPath);
    } catch (err) {
      log.warn('tls_reload_failed', { cert: certPath, key: keyPath },
        `TLS: the changed certificate or key does not load (${(err as Error).message.split('\n')[0]}); still serving the one from before`);
      return;
    }
    if (closed || (next.cert === current.cert && next.key === current.key)) return;
    for (const server of servers) server.setSecureContext(next); // new connections only; open ones carry on
    current = next;
    info = describe(next, certPath);
    names = certificateNames(next.cert);
    log.info('tls_reloaded', { cert: certPath, fingerprint: info.fingerprint }, 'TLS: certificate reloaded');
  };
  const changed = (now: { mtimeMs: number; ino: number }, before: { mtimeMs: number; ino: number }): void => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino) return; // only read (atime)
    clearTimeout(settle);
    settle = setTimeout(() => void reload(), SETTLE_MS);
    settle.unref();
  };
  // Polled: stat follows symbolic links, so a renewal that points live/ at new files is seen as well as
  // one that rewrites them in place.
  const watch = { interval: intervalMs, persistent: false };
  watchFile(certPath, watch, changed);
  watchFile(keyPath, watch, changed);
  return {
    identity: () => current,
    info: () => info,
    names: () => names,
    serve: (server) => void servers.push(server),
    close: () => {
      closed = true;
      clearTimeout(settle);
      unwatchFile(certPath, changed);
      unwatchFile(keyPath, changed);
    },
  };
}
