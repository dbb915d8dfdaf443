// Debian's coturn (`turnserver`) on a free loopback port, with use-auth-secret (the server's
// --turn-secret), for the tests and benches that need a real TURN server: bench/signalling.ts --turn and
// test/web/drive-channel-relay.test.ts. Its log is a file of its own; allocations() reads who got a relay.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { freePort, whenReady } from './spawn-service.js';

export interface Coturn {
  port: number;
  process: ChildProcess;
  logFile: string;
  /** Ends coturn and removes its files. */
  stop(): void;
}

/** Why coturn cannot run here (no `turnserver`), or null. */
export function coturnMissing(): string | null {
  try {
    execFileSync('sh', ['-c', 'command -v turnserver'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'coturn is not installed (Debian package coturn; .ci/run installs it)';
  }
}

/**
 * Starts coturn; resolves once it listens. `tag` names its files in /tmp (unique per user of it).
 * `relayIp`: the address its relays use (loopback unless given). A peer that offers only its host
 * candidates (the server's end of a drive channel, which never relays) has no loopback one, so coturn
 * must relay from this machine's own address for the peer's answers to match the permission it holds.
 */
export async function startCoturn(secret: string, tag: string, waitMs: number, relayIp = '127.0.0.1'): Promise<Coturn> {
  const port = await freePort();
  const name = `/tmp/webracer-${tag}-coturn-${port}`;
  const child = spawn('turnserver', [
    '-n', '--listening-ip=127.0.0.1', `--relay-ip=${relayIp}`, `--listening-port=${port}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=webracer.test', '--no-tls', '--no-dtls',
    '--allow-loopback-peers', '--no-cli', `--log-file=${name}.log`, '--simple-log', '--verbose',
    '--min-port=49152', '--max-port=49407', `--pidfile=${name}.pid`,
  ], { stdio: 'ignore' });
  const logFile = `${name}.log`;
  const stop = (): void => {
    child.kill();
    for (const file of [logFile, `${name}.pid`]) rmSync(file, { force: true });
  };
  try {
    await whenReady(child, 'coturn', () => existsSync(logFile) && /Total General servers/.test(readFileSync(logFile, 'utf8')), waitMs, 50);
  } catch (err) {
    stop();
    throw err;
  }
  return { port, process: child, logFile, stop };
}

/** The clients coturn made a relay for: its log names each allocation's user, `<expiry>:<client>`. */
export function allocations(logFile: string): string[] {
  const log = readFileSync(logFile, 'utf8');
  return [...new Set([...log.matchAll(/user <\d+:(c\d+)>: incoming packet ALLOCATE processed, success/g)].map((m) => m[1]))];
}

/** This machine's first IPv4 address that is not loopback (traffic to it stays on the machine), or null. */
export function ownAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) return info.address;
  }
  return null;
}
