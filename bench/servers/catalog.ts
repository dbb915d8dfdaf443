/**
 * The echo servers the benchmark compares, each started as its own child process with the same Node
 * and the same tsx loader, so only the server code differs.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServerName = 'ours' | 'ws plain' | 'ws native' | 'net';

export interface ServerDef {
  name: ServerName;
  /** 'ws' servers speak RFC 6455; 'tcp' is the raw echo, driven with wsload's tcp:// modes. */
  protocol: 'ws' | 'tcp';
  /** Whether the server can be started with permessage-deflate on (workload 6). */
  deflate: boolean;
  /** Node arguments after `node` (script and its flags). */
  args(port: number, deflate: boolean): string[];
  env: Record<string, string>;
  /** Why the server cannot run here, or null when it can. */
  unavailable(): string | null;
}

export const OUR_ECHO_SERVER = join(root, 'src', 'websocket', 'echo-server.ts');
/** `--ours PATH` swaps in another copy of our echo server (an A/B test of a patched copy). */
let ourScript = OUR_ECHO_SERVER;
export function useOurScript(path: string): void {
  ourScript = path;
}
const tsx = ['--import', 'tsx'];

export const SERVERS: readonly ServerDef[] = [
  {
    name: 'ours',
    protocol: 'ws',
    deflate: true,
    args: (port, deflate) => [...tsx, ourScript, '--port', String(port), '--host', '127.0.0.1', ...(deflate ? ['--deflate'] : [])],
    env: {},
    unavailable: () => (existsSync(ourScript) ? null : `${ourScript} does not exist (yet)`),
  },
  {
    name: 'ws plain',
    protocol: 'ws',
    deflate: true,
    args: (port, deflate) => [...tsx, join(root, 'bench', 'servers', 'ws-echo.ts'), '--port', String(port), '--mode', 'plain', ...(deflate ? ['--deflate'] : [])],
    // ws reads these to skip its optional native helpers and use its JavaScript fallbacks.
    env: { WS_NO_BUFFER_UTIL: '1', WS_NO_UTF_8_VALIDATE: '1' },
    unavailable: () => null,
  },
  {
    name: 'ws native',
    protocol: 'ws',
    deflate: true,
    args: (port, deflate) => [...tsx, join(root, 'bench', 'servers', 'ws-echo.ts'), '--port', String(port), '--mode', 'native', ...(deflate ? ['--deflate'] : [])],
    env: {},
    unavailable: () => null,
  },
  {
    name: 'net',
    protocol: 'tcp',
    deflate: false,
    args: (port) => [...tsx, join(root, 'bench', 'servers', 'net-echo.ts'), '--port', String(port)],
    env: {},
    unavailable: () => null,
  },
];

export const ROOT = root;
