#!/usr/bin/env node
/**
 * `webracer` (and `npm start`): parses the flags, starts the control server, prints the URLs to open,
 * warns when anyone on the network could drive, and ends only through ./shutdown.ts (the car is stopped
 * first on every signal and every fault).
 * Exit codes: 0 clean stop, 1 could not start, 2 bad command line, 3 the close was cut short (deadline or
 * second signal), 4 an uncaught exception or unhandled rejection. The token is never printed.
 */
import { networkInterfaces } from 'node:os';
import { startControlServer, urlHost, type ControlServer } from '../control/server.js';
import { recordingAddOn } from '../recording/add-on.js';
import { listDevices } from '../vehicle/index.js';
import { parseArgs, USAGE, UsageError } from './args.js';
import { DEFAULT_RECORD_FILE_MB, DEFAULT_RECORD_TOTAL_MB, type RunOptions } from './flags.js';
import { exposureWarning } from './exposure.js';
import { REPLAY_USAGE } from './replay-args.js';
import { runReplay } from './replay.js';
import { handleShutdown } from './shutdown.js';

async function main(): Promise<number> {
  let command;
  try {
    command = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`webracer: ${err.message}\n\n${err.usage}`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'replay-help':
      process.stdout.write(REPLAY_USAGE);
      return 0;
    case 'replay':
      return runReplay(command.options);
    case 'list-devices':
      return printDevices();
    case 'run':
      return run(command.options);
  }
}

async function printDevices(): Promise<number> {
  const devices = await listDevices();
  if (devices.length === 0) {
    console.log('No serial or Bluetooth serial ports found. Pair the car first (see docs/control.md).');
    return 0;
  }
  for (const d of devices) {
    console.log(`serial:${d.path}${d.bluetooth ? '  (Bluetooth)' : ''}${d.description ? `  ${d.description}` : ''}`);
  }
  return 0;
}

async function run(options: RunOptions): Promise<number> {
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const addOns = options.record === undefined ? [] : [recordingAddOn({
    dir: options.record,
    maxFileBytes: (options.recordFileMb ?? DEFAULT_RECORD_FILE_MB) * MiB,
    maxTotalBytes: (options.recordTotalMb ?? DEFAULT_RECORD_TOTAL_MB) * MiB,
  }, log)];
  let server: ControlServer;
  try {
    server = await startControlServer({ ...options, log, addOns });
  } catch (err) {
    process.stderr.write(`webracer: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  // Installed before anything else is printed: a terminal that is already gone must not matter.
  const exitCode = handleShutdown(server, { say: log, complain: (line) => console.error(line) });
  printUrls(options, server);
  const warning = exposureWarning(options);
  if (warning !== null) console.error(warning);
  return exitCode;
}

const MiB = 1024 * 1024;

function printUrls(options: RunOptions, server: ControlServer): void {
  const scheme = options.tlsCert ? 'https' : 'http';
  const wsScheme = options.tlsCert ? 'wss' : 'ws';
  const hosts = [urlHost(options.host)];
  if (options.host === '0.0.0.0' || options.host === '::') hosts.push(...lanAddresses());
  const cars = server.fleet.worlds;
  if (cars.length === 1) {
    const [car] = options.cars ?? [{ link: options.link, codec: options.codec }];
    console.log(`webracer: driving ${car.link} with the ${car.codec} codec. Open:`);
  } else {
    console.log(`webracer: ${cars.length} cars: ${(options.cars ?? []).map((c) => `${c.name} (${c.link}, ${c.codec})`).join(', ')}. Open the lobby:`);
  }
  for (const host of hosts) console.log(`  ${scheme}://${host}:${server.port}/`);
  if (cars.length > 1) console.log(`Each car's page: /car/NAME (${cars.map((c) => `/car/${c.name}`).join(', ')})`);
  if (server.wsPort !== undefined) {
    console.log(`Seed-era pages: ${wsScheme}://<host>:${server.wsPort} (WebSocket only)`);
  }
  if (options.token !== undefined) console.log('Driving needs the token (spectating does not).');
  if (options.record !== undefined) {
    console.log(`Recording every drive into ${options.record}; browse them at /recordings${options.token !== undefined ? ' (with the token)' : ''}.`);
  }
  console.log('Press Ctrl+C to stop.');
}

/** This machine's non-loopback IPv4 addresses, as a phone on the same network would reach it. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`webracer: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
