/**
 * `--tls self-signed`: a certificate for this machine's host name and addresses, so a phone on the LAN
 * gets a secure context (browsers refuse the camera to http://192.168.x.y). It is made once and kept in
 * the data directory (`<data-dir>/tls/`), so a phone that trusted it keeps trusting it after a restart.
 *
 * The key is made once and kept for good: its SPKI hash (what Chromium's
 * --ignore-certificate-errors-spki-list pins) never changes. The certificate is made again, with the
 * same key, only when it nears its end or when this machine has a name or address it does not cover;
 * the reason is reported, because a browser that trusted the old one asks again.
 *
 * Made with @peculiar/x509 (docs/video.md says why) on Node's own WebCrypto: an ECDSA P-256 key, a
 * certificate that is not a CA (Firefox refuses a CA certificate as a server's), for server auth only,
 * valid 800 days (Apple accepts at most 825 for a certificate a user trusts by hand).
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { machineNames } from '../connection/origin.js';

export const VALID_DAYS = 800;
/** Made again when fewer days than this are left, so it never runs out under a running server. */
export const RENEW_DAYS = 30;
/** A certificate names at most this many hosts (names come and go with VPNs and containers). */
const MAX_NAMES = 64;
const DAY_MS = 86_400_000;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Identity {
  /** Certificate in PEM, and its private key (PKCS #8 PEM). */
  cert: string;
  key: string;
}

export interface SelfSigned extends Identity {
  certPath: string;
  /** What happened: made for the first time, taken as it was, or made again (`why` says why). */
  outcome: 'created' | 'reused' | 'renewed';
  why?: string;
}

/** The names a certificate for this machine should carry: its host names and usable addresses. */
export function machineHostNames(): string[] {
  return [...machineNames()].filter((name) => !isLinkLocal(name));
}

/** The self-signed certificate in `dir` (its `tls/` folder), made or made again as needed. */
export async function selfSignedCertificate(dir: string, names = machineHostNames(), now = new Date()): Promise<SelfSigned> {
  const folder = join(dir, 'tls');
  const keyPath = join(folder, 'key.pem');
  const certPath = join(folder, 'cert.pem');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  let key = await readFile(keyPath, 'utf8').catch(notFound);
  const existing = key === null ? null : await readFile(certPath, 'utf8').catch(notFound);
  let why: string | undefined;
  if (key === null) {
    key = await newKey();
    await writeAtomically(keyPath, key, 0o600);
  } else if (existing !== null) {
    why = renewalReason(existing, key, names, now);
    if (why === undefined) return { cert: existing, key, certPath, outcome: 'reused' };
    names = [...new Set([...names, ...certificateNames(existing)])].slice(0, MAX_NAMES); // an address gone today may be back tomorrow
  }
  const cert = await issue(key, names, now);
  await writeAtomically(certPath, cert, 0o644);
  return { cert, key, certPath, outcome: existing === null ? 'created' : 'renewed', ...(why === undefined ? {} : { why }) };
}

/** SHA-256 of the certificate, as browsers show it: `AB:CD:...`. */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Base64 SHA-256 of the certificate's public key (SPKI), as --ignore-certificate-errors-spki-list takes it. */
export function spkiHash(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Why `certPem` will not do any more, or undefined when it will. */
function renewalReason(certPem: string, keyPem: string, names: readonly string[], now: Date): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'the saved certificate could not be read';
  }
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'the saved certificate is not for the saved key';
  const left = (Date.parse(cert.validTo) - now.getTime()) / DAY_MS;
  if (left < RENEW_DAYS) return left <= 0 ? 'it has expired' : `it ends in ${Math.floor(left)} days`;
  if (Date.parse(cert.validFrom) > now.getTime()) return 'it is not valid yet (has the clock changed?)';
  const covered = new Set(certificateNames(certPem));
  const missing = names.filter((n) => !covered.has(n));
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  return undefined;
}

/** The host names and addresses a certificate names (its subjectAltName), lower case; none when unreadable. */
export function certificateNames(certPem: string): string[] {
  let san: string;
  try {
    san = new X509Certificate(certPem).subjectAltName ?? '';
  } catch {
    return []; // unreadable: it names nothing
  }
  return san.split(', ').map((entry) => {
    const [kind, ...rest] = entry.split(':');
    const value = rest.join(':').toLowerCase();
    return kind === 'IP Address' ? normalizeIp(value) : value;
  }).filter(Boolean);
}

async function newKey(): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function issue(keyPem: string, names: readonly string[], now: Date): Promise<string> {
  // The library needs a Reflect polyfill (its dependency injection), loaded only when a certificate is made.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]); // Node's WebCrypto is the standard one
  const privateKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' }), EC, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', createPublicKey(keyPem).export({ type: 'spki', format: 'der' }), EC, true, ['verify']);
  const notBefore = new Date(now.getTime() - DAY_MS); // a phone whose clock is a little behind
  const host = names.find((n) => isIP(n) === 0 && n !== 'localhost') ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=webracer on ${host.replace(/[,+="\\<>;#]/g, '')}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + VALID_DAYS * DAY_MS),
    signingAlgorithm: EC,
    keys: { privateKey, publicKey } as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) ? { type: 'ip', value: n } : { type: 'dns', value: n }))),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return cert.toString('pem');
}

/** A positive 64-bit serial in hex (RFC 5280: positive, unique per issuer). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(8));
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return Buffer.from(bytes).toString('hex');
}

function isLinkLocal(name: string): boolean {
  return /^169\.254\./.test(name) || (isIP(name) === 6 && /^fe[89ab]/i.test(name));
}

/** An IP address as Node prints it in a certificate (IPv6 written out in full) back to its short form. */
function normalizeIp(text: string): string {
  if (isIP(text) !== 6) return text;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text;
  }
}

/** Written whole or not at all: a crash halfway must not leave a broken file that a restart trusts. */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode });
  await chmod(temp, mode); // the umask may have taken bits away
  await rename(temp, path);
}

function notFound(err: NodeJS.ErrnoException): null {
  if (err.code === 'ENOENT') return null;
  throw err;
}
