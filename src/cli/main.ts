#!/usr/bin/env node
/**
 * `webracer` (and `npm start`): parses the flags, starts the control server, prints the URLs to open,
 * warns when anyone on the network could drive, and ends only through ./shutdown.ts (the car is stopped
 * first on every signal and every fault).
 * Exit codes: 0 clean stop, 1 could not start, 2 bad command line, 3 the close was cut short (deadline or
 * second signal), 4 an uncaught exception or unhandled rejection. The token is never printed.
 */
import { joinUrls, lanHosts, withToken } from '../control/http/join.js';
import { createLogger, jsonLine, textLine, type Logger, type LogRecord } from '../control/log.js';
import { defaultDataDir } from '../control/data-dir.js';
import { startControlServer, urlHost, type ControlServer } from '../control/server.js';
import { ghostAddOn, recordingAddOn } from '../recording/add-on.js';
import { listDevices } from '../vehicle/index.js';
import { parseArgs, USAGE, UsageError } from './args.js';
import { exposureWarning } from './exposure.js';
import { DEFAULT_RECORD_FILE_MB, DEFAULT_RECORD_TOTAL_MB, type RunOptions } from './flags.js';
import { packageVersion } from './package-info.js';
import { terminalQr } from './qr.js';
import { REPLAY_USAGE } from './replay-args.js';
import { runReplay } from './replay.js';
import { showGhost } from './ghost-client.js';
import { systemdUnit } from './service.js';
import { describeTls } from './tls-report.js';
import { handleShutdown } from './shutdown.js';
import { releaseHungUpTerminalsAtExit } from './hung-up-terminal.js';
import { guardStdio, neverBlockOnTerminals, stderr, stdout } from './stdio.js';

async function main(): Promise<number> {
  // First of all: a log reader or terminal that is gone (even during start-up) must cost nothing but the log.
  guardStdio();
  releaseHungUpTerminalsAtExit();
  let command;
  try {
    command = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr.write(`webracer: ${err.message}\n\n${err.usage ?? USAGE}`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      stdout.write(USAGE);
      return 0;
    case 'version':
      stdout.line(packageVersion());
      return 0;
    case 'replay-help':
      stdout.write(REPLAY_USAGE);
      return 0;
    case 'replay':
      return command.options.to === undefined ? runReplay(command.options) : showGhost({ ...command.options, to: command.options.to });
    case 'list-devices':
      return printDevices();
    case 'service':
      stdout.write(systemdUnit(command));
      if (command.configProblem !== undefined) stderr.line(`webracer: warning: ${command.configProblem}`);
      return 0;
    case 'run':
      return run(command.options);
  }
}

async function printDevices(): Promise<number> {
  const devices = await listDevices();
  if (devices.length === 0) {
    stdout.line('No serial or Bluetooth serial ports found. Pair the car first (see docs/control.md).');
    return 0;
  }
  for (const d of devices) {
    stdout.line(`serial:${d.path}${d.bluetooth ? '  (Bluetooth)' : ''}${d.description ? `  ${d.description}` : ''}`);
  }
  return 0;
}

async function run(options: RunOptions): Promise<number> {
  neverBlockOnTerminals(); // a terminal stopped with Ctrl+S must not stop the server
  const json = options.logFormat === 'json';
  // Errors go to stderr. A stream that fails is dropped (stdio.ts); the logger drops a throwing renderer.
  const render = json ? jsonLine : textLine;
  const write = (record: LogRecord): void => (record.level === 'error' ? stderr : stdout).line(render(record));
  const log = createLogger(write, options.logLevel ?? 'info');
  const addOns = options.record === undefined ? [ghostAddOn()] : [recordingAddOn({
    dir: options.record,
    maxFileBytes: (options.recordFileMb ?? DEFAULT_RECORD_FILE_MB) * MiB,
    maxTotalBytes: (options.recordTotalMb ?? DEFAULT_RECORD_TOTAL_MB) * MiB,
  }, log)];
  let server: ControlServer;
  try {
    server = await startControlServer({ ...options, dataDir: options.dataDir ?? defaultDataDir(), log, addOns });
  } catch (err) {
    if (json) log.error('start_failed', {}, `cannot start: ${(err as Error).message}`);
    else stderr.line(`webracer: cannot start: ${(err as Error).message}`);
    return 1;
  }
  // Installed before anything else is printed: a terminal that is already gone must not matter.
  const exitCode = handleShutdown(server, {
    say: (line) => log.info('shutdown', {}, line),
    complain: (line) => log.error('shutdown', {}, line),
  });
  const warning = exposureWarning(options);
  if (json) {
    log.info('listening', { url: server.url, lan: joinUrls(options.host, server.port, server.tls !== null).join(' ') || undefined,
      tlsFingerprint: server.tls?.fingerprint,
      wsPort: server.wsPort, cars: server.fleet.names.join(' '), authRequired: options.token !== undefined });
    if (warning !== null) log.warn('exposed', {}, warning.replace(/^webracer: warning: /, ''));
    return exitCode;
  }
  printUrls(options, server);
  if (options.qr !== false) printQr(options, server, log);
  stdout.line('Press Ctrl+C to stop.');
  if (warning !== null) stderr.line(warning);
  return exitCode;
}

const MiB = 1024 * 1024;

/** The QR code of the first LAN URL, with the token in its fragment when one is set (web/auth.ts). */
function printQr(options: RunOptions, server: ControlServer, log: Logger): void {
  const [url] = joinUrls(options.host, server.port, server.tls !== null);
  if (url === undefined) return; // loopback only: a phone could not reach it
  try {
    stdout.line(`Scan to open ${url}${options.token !== undefined ? ' (with the token)' : ''}:`);
    stdout.line(terminalQr(withToken(url, options.token), stdout.isTTY));
  } catch (err) {
    log.warn('qr', {}, `no QR code: ${(err as Error).message}`); // e.g. a host name too long to encode
  }
}

function printUrls(options: RunOptions, server: ControlServer): void {
  const scheme = server.tls ? 'https' : 'http';
  const wsScheme = server.tls ? 'wss' : 'ws';
  const hosts = [urlHost(options.host)];
  if (options.host === '0.0.0.0' || options.host === '::') hosts.push(...lanHosts(options.host));
  const cars = server.fleet.worlds;
  if (cars.length === 1) {
    const [car] = options.cars ?? [{ link: options.link, codec: options.codec }];
    stdout.line(`webracer: driving ${car.link} with the ${car.codec} codec. Open:`);
  } else {
    stdout.line(`webracer: ${cars.length} cars: ${(options.cars ?? []).map((c) => `${c.name} (${c.link}, ${c.codec})`).join(', ')}. Open the lobby:`);
  }
  for (const host of hosts) stdout.line(`  ${scheme}://${host}:${server.port}/`);
  if (cars.length > 1) stdout.line(`Each car's page: /car/NAME (${cars.map((c) => `/car/${c.name}`).join(', ')})`);
  if (server.wsPort !== undefined) {
    stdout.line(`Seed-era pages: ${wsScheme}://<host>:${server.wsPort} (WebSocket only)`);
  }
  if (server.tls) stdout.line(describeTls(server.tls));
  if (options.token !== undefined) stdout.line('Driving needs the token (spectating does not).');
  if (options.record !== undefined) {
    stdout.line(`Recording every drive into ${options.record}; browse them at /recordings${options.token !== undefined ? ' (with the token)' : ''}.`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    stderr.line(`webracer: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
