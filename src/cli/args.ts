/**
 * The webracer command line: flags (and a config file) to the options of a run, each value checked, so a
 * typo stops at start-up with a usage message (exit 2) instead of misbehaving later. The options
 * themselves are the table in flags.ts.
 */
import { readConfigFile, ConfigError } from './config-file.js';
import { argumentName } from './flag-values.js';
import { OPTIONS, TOKEN_ENV, TURN_SECRET_ENV, ValueError, checkTogether, defaults, type Option, type RunOptions, type Value } from './flags.js';
import { parseReplayArgs, REPLAY_USAGE, type ReplayCliOptions } from './replay-args.js';
import { parseServiceArgs, SERVICE_USAGE_LINE, type ServiceCommand } from './service.js';
import { UsageError } from './usage-error.js';

export { UsageError } from './usage-error.js';
export { TOKEN_ENV } from './flags.js';

const BY_NAME = new Map(OPTIONS.map((o) => [o.name, o]));

function usageLine(flag: string, help: string): string {
  const [first, ...rest] = help.split('\n');
  const pad = ' '.repeat(24);
  const head = flag.length < 22 ? `  ${flag.padEnd(22)}${first}` : `  ${flag}\n${pad}${first}`;
  return [head, ...rest.map((line) => pad + line)].join('\n');
}

export const USAGE = `Usage: webracer [options]
       webracer replay FILE [options]     (see webracer replay --help)
       webracer service --print [--config FILE] [--user NAME]

Drive an RC car (or the simulated one) from a browser. Prints the URLs to open.

${OPTIONS.map((o) => usageLine(`--${o.name}${o.arg ? ` ${o.arg}` : ''}`, o.help)).join('\n')}
${usageLine('--config FILE', 'read options from a JSON file: {"port": 8000, "cars": [{"name": "red",\n"link": "serial:/dev/rfcomm0"}], ...}; flags given as well win')}
${usageLine('--list-devices', 'print candidate serial and Bluetooth ports, then exit')}
${usageLine('--version', 'print the version, then exit')}
${usageLine('-h, --help', 'print this help, then exit')}

${SERVICE_USAGE_LINE}
`;

export type Command =
  | { kind: 'help' }
  | { kind: 'list-devices' }
  | { kind: 'version' }
  | ServiceCommand
  | { kind: 'run'; options: RunOptions }
  | { kind: 'replay-help' }
  | { kind: 'replay'; options: ReplayCliOptions };

/** Parses argv (without node and the script). Throws UsageError with a one-line reason. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Command {
  if (argv[0] === 'service') return parseServiceArgs(argv.slice(1), env);
  if (argv[0] === 'replay') return replayCommand(argv.slice(1));
  const flags = readFlags(argv);
  if ('kind' in flags) return flags;
  if (flags.listDevices) return { kind: 'list-devices' };
  return { kind: 'run', options: runOptions(flags, env) };
}

/** The flags as given, in order, not yet applied; or the command a flag that ends parsing asks for. */
interface GivenFlags {
  given: Array<[Option, Value]>;
  listDevices: boolean;
  configPath: string | undefined;
}

function readFlags(argv: readonly string[]): GivenFlags | { kind: 'help' | 'version' } {
  const flags: GivenFlags = { given: [], listDevices: false, configPath: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--version') return { kind: 'version' };
    if (arg === '--list-devices') {
      flags.listDevices = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`${argumentName(arg, i + 1)} is not an option (options start with --)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const option = BY_NAME.get(name);
    if (!option && name !== 'config') throw new UsageError(`unknown option ${argumentName(arg, i + 1)}`);
    let value: Value;
    if (option?.arg === '') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      value = true;
    } else if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else throw new UsageError(`option '--${name}' needs a value`);
    if (option) addFlag(flags, option, value);
    else addConfigPath(flags, value as string);
  }
  return flags;
}

function addFlag(flags: GivenFlags, option: Option, value: Value): void {
  if (!option.repeatable && flags.given.some(([o]) => o === option)) throw new UsageError(`option '--${option.name}' given more than once`);
  flags.given.push([option, value]);
}

function addConfigPath(flags: GivenFlags, path: string): void {
  if (flags.configPath !== undefined) throw new UsageError("option '--config' given more than once");
  flags.configPath = path;
}

/** The defaults, then the config file, then the flags (which win), then the environment's secrets; checked together. */
function runOptions(flags: GivenFlags, env: Readonly<Record<string, string | undefined>>): RunOptions {
  const options = defaults();
  const set = new Set<string>();
  if (flags.configPath !== undefined) {
    for (const name of asUsageError(() => readConfigFile(flags.configPath!, options), ConfigError, '--config ')) set.add(name);
  }
  // Flags win over the file; a repeatable flag replaces the file's list rather than adding to it.
  for (const option of new Set(flags.given.map(([o]) => o))) option.reset?.(options);
  for (const [option, value] of flags.given) {
    asUsageError(() => option.set(options, value), ValueError, `--${option.name}: `);
    set.add(option.name);
  }
  if (options.token === undefined && env[TOKEN_ENV]) options.token = env[TOKEN_ENV];
  if (options.turnSecret === undefined && env[TURN_SECRET_ENV]) options.turnSecret = env[TURN_SECRET_ENV];
  asUsageError(() => checkTogether(options, set), ValueError, '');
  return options;
}

/** Runs step; an error of the given class becomes a UsageError with its message after prefix. */
function asUsageError<T>(step: () => T, kind: new (...args: never[]) => Error, prefix: string): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof kind) throw new UsageError(`${prefix}${err.message}`);
    throw err;
  }
}

/** `webracer replay ...`: a subcommand with its own options (replay-args.ts). */
function replayCommand(argv: readonly string[]): Command {
  try {
    const parsed = parseReplayArgs(argv);
    return parsed.kind === 'help' ? { kind: 'replay-help' } : parsed;
  } catch (err) {
    if (err instanceof ValueError) throw new UsageError(`replay: ${err.message}`, REPLAY_USAGE);
    throw err;
  }
}
