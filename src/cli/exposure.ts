/**
 * The start-up warning for a server anyone on the network can drive: it listens beyond loopback and no
 * token is set. One line, on stderr, saying how to fix it; silent when --host is loopback or a token is set.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { TOKEN_ENV } from './args.js';

export function exposureWarning(options: { host: string; token?: string }): string | null {
  if (options.token !== undefined || isLoopback(options.host)) return null;
  const where = options.host === '0.0.0.0' || options.host === '::' ? 'every network interface' : options.host;
  return `webracer: warning: listening on ${where} with no token: anyone on the network can drive the car. `
    + `Set one with ${TOKEN_ENV}=<secret> (e.g. ${TOKEN_ENV}=$(openssl rand -hex 16) webracer ...), `
    + 'or keep it to this machine with --host 127.0.0.1.';
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped), and the name localhost, which resolves to them. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true; // RFC 6761 section 6.3
  if (isIPv4(name)) return name.startsWith('127.');
  if (!isIPv6(name)) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name);
  if (mapped) return mapped[1].startsWith('127.');
  return /^(0{0,4}:){2,7}0{0,3}1$/.test(name); // ::1, 0:0:0:0:0:0:0:1 and the spellings between
}
