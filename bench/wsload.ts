/**
 * The native load generator (../shared/tools/wsload): build it out of tree into bench/out/, run it,
 * and parse the one machine-readable line it ends with (`wsload MODE key=value ...`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const WSLOAD_SOURCE_DIR = join(here, '..', '..', 'shared', 'tools', 'wsload');
export const OUT_DIR = join(here, 'out');

/** One parsed result line: the mode word(s) and every key=value pair (numbers where they parse). */
export interface WsloadResult {
  mode: string;
  fields: Record<string, number | string>;
  line: string;
}

/**
 * Parses the last line of wsload's stdout that starts with "wsload " and is a final result (the idle
 * mode also prints an intermediate `wsload idle all_open ...` line, which is not the result).
 */
export function parseWsloadOutput(stdout: string): WsloadResult {
  const lines = stdout.split('\n').filter((l) => l.startsWith('wsload ') && !l.startsWith('wsload idle all_open '));
  const line = lines.at(-1);
  if (line === undefined) throw new Error(`no "wsload ..." result line in output: ${JSON.stringify(stdout.slice(-300))}`);
  return parseWsloadLine(line);
}

/** `wsload MODE [WORD...] key=value ...`: the bare words after "wsload" form the mode ("idle all_open"). */
export function parseWsloadLine(line: string): WsloadResult {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'wsload' || words.length < 2) throw new Error(`not a wsload result line: ${line}`);
  let i = 1;
  while (i < words.length && !words[i].includes('=')) i++;
  const mode = words.slice(1, i).join(' ');
  const fields: Record<string, number | string> = {};
  for (const word of words.slice(i)) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`malformed field "${word}" in: ${line}`);
    const raw = word.slice(eq + 1);
    const num = Number(raw);
    fields[word.slice(0, eq)] = raw !== '' && Number.isFinite(num) ? num : raw;
  }
  return { mode, fields, line };
}

/** A numeric field of a result, or a clear error naming the line it is missing from. */
export function field(result: WsloadResult, key: string): number {
  const v = result.fields[key];
  if (typeof v !== 'number') throw new Error(`wsload result has no numeric "${key}": ${result.line}`);
  return v;
}

/** Builds bench/out/wsload with the tool's own Makefile (make -C into our out dir; /work/shared is read-only). */
export function buildWsload(): string {
  mkdirSync(OUT_DIR, { recursive: true });
  const make = spawnSync(
    'make',
    ['-s', '-C', OUT_DIR, '-f', join(WSLOAD_SOURCE_DIR, 'Makefile'), `VPATH=${WSLOAD_SOURCE_DIR}`, 'wsload'],
    { encoding: 'utf8' },
  );
  if (make.error) throw new Error(`cannot run make to build wsload: ${make.error.message}`);
  if (make.status !== 0) throw new Error(`building wsload failed (exit ${make.status}):\n${make.stderr}${make.stdout}`);
  return join(OUT_DIR, 'wsload');
}

export interface RunOptions {
  /** Command prefix that pins the client to a core, e.g. ['taskset', '-c', '0'], or []. */
  pin: readonly string[];
  /** Called with the intermediate `wsload idle all_open` line as soon as it appears. */
  onAllOpen?: (line: WsloadResult) => void;
  /** Idle mode: end the hold early when this settles (SIGTERM); the result is then the all_open line. */
  stopWhen?: Promise<void>;
}

/** Runs wsload; rejects with its stderr when it exits non-zero (errors seen, usage, or time limit). */
export function runWsload(binary: string, args: readonly string[], opts: RunOptions): Promise<WsloadResult> {
  const argv = [...opts.pin, binary, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let allOpen: WsloadResult | null = null;
    let stopped = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^wsload idle all_open .*$/m.exec(stdout);
      if (line && !allOpen) {
        allOpen = parseWsloadLine(line[0]); // a fixed format from the tool: a parse error here is a bug
        opts.onAllOpen?.(allOpen);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    void opts.stopWhen?.then(() => {
      stopped = true;
      child.kill('SIGTERM');
    });
    child.on('close', (code, signal) => {
      if (stopped && signal === 'SIGTERM' && allOpen) {
        resolve(allOpen);
        return;
      }
      if (code !== 0) {
        const why = code === 1 ? 'errors seen' : code === 3 ? 'hard time limit hit' : `exit ${code ?? signal}`;
        reject(new Error(`wsload ${args.join(' ')} failed (${why}):\n${stderr.trim()}\n${stdout.trim()}`));
        return;
      }
      try {
        resolve(parseWsloadOutput(stdout));
      } catch (err) {
        reject(err);
      }
    });
  });
}
