// The text form of "where is the car": 'sim', 'serial:PATH[@BAUD]' or 'tcp:HOST:PORT'.

export type LinkSpec =
  | { kind: 'sim' }
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'tcp'; host: string; port: number };

/** The i-Racer's and the HC-05/HC-06 modules' factory setting (8N1 is implied everywhere). */
export const DEFAULT_BAUD = 9600;

const USAGE = "expected 'sim', 'serial:PATH[@BAUD]' (e.g. serial:/dev/rfcomm0, serial:COM5@115200) or 'tcp:HOST:PORT'";

function fail(spec: string, why: string): never {
  throw new Error(`invalid link '${spec}': ${why}; ${USAGE}`);
}

function parseSerial(spec: string, rest: string): LinkSpec {
  let path = rest;
  let baudRate = DEFAULT_BAUD;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const baud = rest.slice(at + 1);
    if (!/^\d+$/.test(baud)) fail(spec, `baud rate '${baud}' is not a whole number`);
    baudRate = Number(baud);
    if (baudRate < 50 || baudRate > 4_000_000) fail(spec, `baud rate ${baudRate} is out of range 50-4000000`);
    path = rest.slice(0, at);
  }
  if (path === '') fail(spec, 'the serial path is empty');
  return { kind: 'serial', path, baudRate };
}

function parseTcp(spec: string, rest: string): LinkSpec {
  // The last colon separates the port, so a bracketed IPv6 address keeps its own colons.
  const colon = rest.lastIndexOf(':');
  if (colon < 0) fail(spec, 'the port is missing');
  let host = rest.slice(0, colon);
  const port = rest.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') fail(spec, 'the host is empty');
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail(spec, `port '${port}' is not in 1-65535`);
  return { kind: 'tcp', host, port: Number(port) };
}

export function parseLinkSpec(spec: string): LinkSpec {
  if (typeof spec !== 'string') throw new Error(`invalid link: ${USAGE}`);
  if (spec === 'sim') return { kind: 'sim' };
  if (spec.startsWith('serial:')) return parseSerial(spec, spec.slice('serial:'.length));
  if (spec.startsWith('tcp:')) return parseTcp(spec, spec.slice('tcp:'.length));
  return fail(spec, 'unknown kind');
}

export function formatLinkSpec(spec: LinkSpec): string {
  switch (spec.kind) {
    case 'sim': return 'sim';
    case 'serial': return spec.baudRate === DEFAULT_BAUD ? `serial:${spec.path}` : `serial:${spec.path}@${spec.baudRate}`;
    case 'tcp': return `tcp:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
  }
}
