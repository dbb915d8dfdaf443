// TLS for phones on a LAN: the self-signed certificate (made once, kept, reused on restart, made again
// with the same key when it no longer fits), plain http:// on the TLS port sent to https://, and
// --tls-cert/--tls-key files reloaded on change without dropping a connection.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { redirectFor } from '../../src/control/http/http-redirect.js';
import { fingerprint, selfSignedCertificate, spkiHash } from '../../src/control/http/self-signed.js';
import { WAIT_MS, connect, startServer } from './helpers.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The certificate a TLS client is served on a new connection to this port. */
function servedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/** What a plain (not TLS) HTTP request to this port gets back. */
function plainRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => (text += d));
    socket.once('close', () => resolve(text));
    socket.once('error', reject);
  });
}

function makePair(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

test('--tls self-signed: https and wss with a certificate kept in the data directory and reused on restart', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startServer(t, { tls: 'self-signed', dataDir });
  assert.match(first.url, /^https:/);
  assert.equal(first.tls?.source, 'self-signed');
  assert.match(first.tls!.note!, /made now/);
  assert.equal(await servedCertificate(first.port), first.tls!.fingerprint, 'the fingerprint reported is the one served');
  const client = await connect(t, `wss://127.0.0.1:${first.port}/ws`, { rejectUnauthorized: false });
  assert.equal(client.welcome.type, 'welcome');
  const key = await stat(join(dataDir, 'tls', 'key.pem'));
  assert.equal(key.mode & 0o077, 0, 'the private key is for its owner only');
  const cert = new X509Certificate(await readFile(join(dataDir, 'tls', 'cert.pem')));
  assert.ok(cert.checkIP('127.0.0.1') && cert.checkHost('localhost'), `names this machine: ${cert.subjectAltName}`);
  assert.equal(cert.ca, false, 'a server certificate, not a CA');
  await first.close();

  const again = await startServer(t, { tls: 'self-signed', dataDir });
  assert.equal(again.tls!.note, 'reused');
  assert.equal(again.tls!.fingerprint, first.tls!.fingerprint);
  assert.equal(await servedCertificate(again.port), first.tls!.fingerprint);
});

test('the self-signed certificate is made again, with the same key, when a name is missing or its end is near', async (t) => {
  const dir = await tempDir(t);
  const now = new Date('2030-01-01T00:00:00Z');
  const made = await selfSignedCertificate(dir, ['localhost', '127.0.0.1'], now);
  assert.equal(made.outcome, 'created');
  const same = await selfSignedCertificate(dir, ['127.0.0.1'], now);
  assert.equal(same.outcome, 'reused');
  const moved = await selfSignedCertificate(dir, ['localhost', '10.1.2.3'], now);
  assert.equal(moved.outcome, 'renewed');
  assert.match(moved.why!, /does not name 10\.1\.2\.3/);
  assert.equal(spkiHash(moved.cert), spkiHash(made.cert), 'the same key: a pinned SPKI hash still matches');
  assert.notEqual(fingerprint(moved.cert), fingerprint(made.cert));
  assert.ok(new X509Certificate(moved.cert).checkIP('127.0.0.1'), 'names it had are kept');
  const late = await selfSignedCertificate(dir, ['localhost'], new Date(now.getTime() + 790 * 86_400_000));
  assert.equal(late.outcome, 'renewed');
  assert.match(late.why!, /ends in \d+ days/);
  await writeFile(join(dir, 'tls', 'cert.pem'), 'garbage');
  assert.equal((await selfSignedCertificate(dir, ['localhost'], now)).outcome, 'renewed');
});

test('plain http:// on the TLS port is sent to https:// on the same host, port and path', async (t) => {
  const server = await startServer(t, { tls: 'self-signed', dataDir: await tempDir(t) });
  const host = `127.0.0.1:${server.port}`;
  const reply = await plainRequest(server.port, `GET /car/red?x=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  assert.match(reply, /^HTTP\/1\.1 307 /);
  assert.match(reply, new RegExp(`\r\nLocation: https://${host.replace(/\./g, '\\.')}/car/red\\?x=1\r\n`));
  assert.equal(await servedCertificate(server.port), server.tls!.fingerprint, 'TLS still served on the same port');
  assert.match(redirectFor('GET / HTTP/1.1\r\nHost: a b'), /^HTTP\/1\.1 400 /, 'a Host that is no host name');
  assert.match(redirectFor('GET http://x/ HTTP/1.1\r\nHost: x'), /^HTTP\/1\.1 400 /, 'not a path');
  assert.match(redirectFor('nonsense'), /^HTTP\/1\.1 400 /);
});

test('--tls-cert/--tls-key: a changed pair is served to new connections, open ones carry on; a broken one is refused', async (t) => {
  const dir = await tempDir(t);
  const a = makePair(dir, 'a');
  const b = makePair(dir, 'b');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await writeFile(cert, await readFile(a.cert));
  await writeFile(key, await readFile(a.key));
  const lines: string[] = [];
  let logged: () => void = () => {};
  const server = await startServer(t, { tlsCert: cert, tlsKey: key, tlsCheckIntervalMs: 50, log: (line) => { lines.push(line); logged(); } });
  const fingerprintA = fingerprint(await readFile(a.cert, 'utf8'));
  const fingerprintB = fingerprint(await readFile(b.cert, 'utf8'));
  assert.equal(server.tls!.fingerprint, fingerprintA);
  const client = await connect(t, `wss://127.0.0.1:${server.port}/ws`, { rejectUnauthorized: false });
  const nextLog = (match: RegExp) => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no log line ${match} within ${WAIT_MS} ms: ${lines.join(' | ')}`)), WAIT_MS);
    logged = () => {
      const line = lines.find((l) => match.test(l));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(line);
    };
  });

  // A half-done renewal (the new certificate with the old key) does not load: the old pair stays.
  let refused = nextLog(/does not load/);
  await writeFile(cert, await readFile(b.cert));
  await refused;
  assert.equal(await servedCertificate(server.port), fingerprintA);
  const reloaded = nextLog(/certificate reloaded/);
  await writeFile(key, await readFile(b.key));
  assert.match(await reloaded, new RegExp(fingerprintB));
  assert.equal(await servedCertificate(server.port), fingerprintB, 'new connections get the new certificate');
  await client.roundTrip(); // the connection from before the renewal carries on
  assert.equal(client.ws.readyState, client.ws.OPEN);

  refused = nextLog(/does not load/);
  lines.length = 0;
  await writeFile(key, 'not a key');
  await refused;
  assert.equal(await servedCertificate(server.port), fingerprintB);
});
