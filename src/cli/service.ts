/**
 * `webracer service --print`: a systemd unit that starts this very install of webracer at boot, as an
 * ordinary user in the `dialout` group (the serial ports' group), with its options in a config file and
 * its token in an environment file that only root can read. docs/raspberry-pi.md walks through it.
 *
 * Stopping the service stops the car: systemd sends SIGTERM, which goes through shutdown.ts (stop first,
 * then a close of at most DEFAULT_DEADLINE_MS); TimeoutStopSec leaves room for that before systemd's
 * SIGKILL. The unit runs node by its absolute path, so it works under systemd's bare PATH and with a
 * Node.js installed by a version manager.
 */
import { existsSync, realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile, ConfigError } from './config-file.js';
import { argumentName, shown } from './flag-values.js';
import { defaults } from './flags.js';
import { PACKAGE_ROOT } from './package-info.js';
import { DEFAULT_DEADLINE_MS } from './shutdown.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_SERVICE_CONFIG = '/etc/webracer/config.json';
export const SERVICE_ENV_FILE = '/etc/webracer/env';

export const SERVICE_USAGE_LINE = `service --print        print a systemd unit that runs webracer at boot with --config FILE
                        (default ${DEFAULT_SERVICE_CONFIG}) as user NAME (default: you, or the
                        user who ran sudo); the token goes in ${SERVICE_ENV_FILE}. See docs/raspberry-pi.md`;

export interface ServiceCommand {
  kind: 'service';
  /** Absolute. */
  config: string;
  user: string;
  /** Set when the config file is missing or not valid: the unit is still printed, with this warning. */
  configProblem?: string;
}

/** `service --print [--config FILE] [--user NAME]`. */
export function parseServiceArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): ServiceCommand {
  let print = false;
  let config: string | undefined;
  let user: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`service: option '${flag}' needs a value`);
      return v;
    };
    if (flag === '--print' && inline === undefined) print = true;
    else if (flag === '--config' && config === undefined) config = value();
    else if (flag === '--user' && user === undefined) user = value();
    else throw new UsageError(`service: unexpected ${argumentName(argv[i], i + 2)} (service --print [--config FILE] [--user NAME])`);
  }
  if (!print) throw new UsageError('service: say what to do: service --print');
  user ??= env.SUDO_USER || userInfo().username;
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/i.test(user)) throw new UsageError(`service: --user '${shown(user)}' is not a user name`);
  const command: ServiceCommand = { kind: 'service', config: resolve(config ?? DEFAULT_SERVICE_CONFIG), user };
  if (!existsSync(command.config)) {
    command.configProblem = `${command.config} does not exist yet: write it before starting the service (docs/raspberry-pi.md)`;
    return command;
  }
  try {
    readConfigFile(command.config, defaults());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    command.configProblem = err.message;
  }
  return command;
}

/** The command line that runs this install: node, its loader flags when run from source (tsx), main. */
export function thisCommand(): string[] {
  const main = realpathSync(fileURLToPath(new URL('./main.js', import.meta.url).href.replace(/\.js$/, extension())));
  return [process.execPath, ...(main.endsWith('.ts') ? process.execArgv : []), main];
}

/** .js when built, .ts when run from a checkout through tsx. */
function extension(): string {
  return import.meta.url.endsWith('.ts') ? '.ts' : '.js';
}

export function systemdUnit(command: ServiceCommand, execStart: readonly string[] = thisCommand()): string {
  const stopSeconds = Math.ceil(DEFAULT_DEADLINE_MS / 1000) + 3;
  return `# webracer as a systemd service: docs/raspberry-pi.md.
# Install: webracer service --print | sudo tee /etc/systemd/system/webracer.service
#          sudo systemctl daemon-reload && sudo systemctl enable --now webracer
[Unit]
Description=webracer: drive an RC car from a browser
After=network-online.target bluetooth.target
Wants=network-online.target

[Service]
Type=simple
User=${command.user}
SupplementaryGroups=dialout
WorkingDirectory=${quote(PACKAGE_ROOT.replace(/\/$/, ''))}
# WEBRACER_TOKEN=... (readable by root only: chmod 600); the leading '-' lets it be absent.
EnvironmentFile=-${SERVICE_ENV_FILE}
ExecStart=${[...execStart, '--config', command.config].map(quote).join(' ')}
# The car is stopped first on SIGTERM; the close that follows takes at most ${DEFAULT_DEADLINE_MS / 1000} s (exit 3 if cut short).
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=${stopSeconds}
SuccessExitStatus=3
Restart=on-failure
RestartSec=2
# A bad command line or config file (exit 2) is not fixed by restarting.
RestartPreventExitStatus=2
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
`;
}

/** One ExecStart word: as is when plain, else double-quoted with systemd's escapes (and % and $ doubled). */
export function quote(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[\w@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
