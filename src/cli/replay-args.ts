/**
 * `webracer replay FILE [options]`: its own few options, checked like the server's (flags.ts checks the
 * link and the codec the same way), so a typo stops before anything connects (exit 2).
 */
import type { CodecName, RcAppCharmap } from '../vehicle/index.js';
import { DEFAULT_LINK_TIMEOUT_MS } from './flags.js';
import { argumentName, charmap, codec, integer, link, shown, ValueError } from './flag-values.js';

export interface ReplayCliOptions {
  file: string;
  /** The car to drive; the simulator when not given. */
  link?: string;
  /** The target car's protocol; the recorded car's when not given. */
  codec?: CodecName;
  /** The rc-app codec's characters (--charmap FILE, as the server takes it). */
  charmap?: RcAppCharmap;
  /** --link-timeout-ms, as the server takes it; the link's default when not given. */
  linkTimeoutMs?: number;
  speed: number;
  fromMs: number;
  dryRun: boolean;
  /** A running server (http(s)://host:port): show the recording there as a ghost instead (ghost-client.ts). */
  to?: string;
  /** With --to: the server's token (--token, else WEBRACER_TOKEN). */
  token?: string;
}

export const REPLAY_USAGE = `Usage: webracer replay FILE [options]

Drives a car (the simulator unless --link says otherwise) through a recorded session (--record): the
same demands at the same relative times, through the same driver, watchdog and safety rules as a live
driver. Prints every byte as it is sent. Ctrl+C stops the car and ends the replay.

  --link SPEC           the car to drive: sim | serial:PATH[@BAUD] | tcp:HOST:PORT (default sim)
  --codec NAME          the car's protocol (default: the recorded car's)
  --charmap FILE        the rc-app codec speaks the characters in FILE, as the server's --charmap
                        (give the one the session was recorded with; a replay whose bytes differ
                        from the recorded ones is refused)
  --link-timeout-ms N   a write the car's link has not taken within N ms ends the replay, as the
                        server's option (default ${DEFAULT_LINK_TIMEOUT_MS}, 100 to 60000)
  --speed X             play X times as fast, 0.1 to 10 (default 1; holds scale too, the watchdog not)
  --from SECONDS        start this far into the recording, with the car stopped (default 0)
  --dry-run             print the byte timeline the replay would send (and, for the simulator, where
                        the car ends), at once, without connecting to any car
  --to URL              show the recording as a ghost in a running server's arena (its simulated cars'
                        maps) instead: a simulated car of its own that nobody drives, never a real car;
                        it runs to the recording's end, and Ctrl+C removes it (at most 2 MiB)
  --token TOKEN         with --to, the server's token (default: the WEBRACER_TOKEN environment variable)
  -h, --help            print this help, then exit

A recording cut short (no end line: the server was killed, or the power went) is replayed up to its
last sound line, with a warning, and the car is stopped there.

Exit codes: 0 replayed to the end, 1 cannot replay this file (nothing was driven), 2 bad command line,
3 the close was cut short, 4 an internal fault (the car was stopped), 5 cut short for safety: the car's
link was lost, the replay fell behind its timeline, or it wrote far more than its recording did (the car
was stopped).
`;

type Parsed = { kind: 'help' } | { kind: 'replay'; options: ReplayCliOptions };

/** Parses the arguments after `replay`. Throws a ValueError with a one-line reason. */
export function parseReplayArgs(argv: readonly string[]): Parsed {
  let file: string | undefined;
  const options: Omit<ReplayCliOptions, 'file'> = { speed: 1, fromMs: 0, dryRun: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (!arg.startsWith('--')) {
      if (file !== undefined) throw new ValueError(`${argumentName(arg, i + 2)} is a second FILE: one only ('${shown(file)}' came first)`);
      file = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (seen.has(name)) throw new ValueError(`option ${argumentName(arg, i + 2)} given more than once`);
    seen.add(name);
    if (name === 'dry-run') {
      if (eq >= 0) throw new ValueError("option '--dry-run' takes no value");
      options.dryRun = true;
      continue;
    }
    if (!['link', 'codec', 'charmap', 'link-timeout-ms', 'speed', 'from', 'to', 'token'].includes(name)) throw new ValueError(`unknown option ${argumentName(arg, i + 2)}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else throw new ValueError(`option '--${name}' needs a value`);
    try {
      if (name === 'link') options.link = link(value);
      else if (name === 'codec') options.codec = codec(value);
      else if (name === 'charmap') options.charmap = charmap(value);
      else if (name === 'link-timeout-ms') options.linkTimeoutMs = integer(value, 100, 60_000);
      else if (name === 'speed') options.speed = decimal(value, 0.1, 10);
      else if (name === 'to') options.to = serverUrl(value);
      else if (name === 'token') options.token = value;
      else options.fromMs = Math.round(decimal(value, 0, 1e7) * 1000);
    } catch (err) {
      if (err instanceof ValueError) throw new ValueError(`--${name}: ${err.message}`);
      throw err;
    }
  }
  if (file === undefined) throw new ValueError('which recording? webracer replay FILE');
  checkGhostOptions(options, seen);
  if (options.charmap !== undefined && options.codec !== undefined && options.codec !== 'rc-app') {
    throw new ValueError(`--charmap is for the rc-app codec, not ${options.codec}`);
  }
  return { kind: 'replay', options: { file, ...options } };
}

/** --to shows a ghost on a server, which drives nothing here: the options of a replay on this machine do not go with it. */
function checkGhostOptions(options: Omit<ReplayCliOptions, 'file'>, seen: ReadonlySet<string>): void {
  if (options.to === undefined) {
    if (options.token !== undefined) throw new ValueError('--token goes with --to URL (the server to show the ghost on)');
    return;
  }
  const local = ['link', 'codec', 'charmap', 'link-timeout-ms', 'speed', 'from', 'dry-run'].filter((name) => seen.has(name));
  if (local.length > 0) {
    throw new ValueError(`--to shows the recording as a ghost on a server's simulated arena, as recorded; ${local.map((n) => `--${n}`).join(', ')} `
      + `${local.length > 1 ? 'are' : 'is'} for a replay from this machine`);
  }
}

/** `http(s)://host[:port][/]`: the server's page address, as it prints it. */
function serverUrl(v: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ValueError(`must be the server's address, e.g. http://192.168.1.20:8000, got '${shown(v)}'`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new ValueError(`must be the server's address, http(s)://HOST:PORT and nothing else, got '${shown(v)}'`);
  }
  return url.origin;
}

function decimal(v: string, min: number, max: number): number {
  const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new ValueError(`must be a number, got '${shown(v)}'`);
  if (n < min || n > max) throw new ValueError(`must be between ${min} and ${max}, got ${n}`);
  return n;
}
