// npm run emulator -- PATH [--baud N] [--codec iracer|rc-app] [--echo]
// Pretends to be the car on a serial port and prints every byte it receives, decoded; with --echo it sends
// each byte back, for `webracer --link-ack echo` (docs/vehicle.md, "Link acknowledgement"). Without a car:
//   socat -d -d pty,raw,echo=0 pty,raw,echo=0      # prints two /dev/pts/N paths
//   npm run emulator -- /dev/pts/3                 # one end
//   webracer --link serial:/dev/pts/4              # the other end

import { parseArgs } from 'node:util';
import { CODEC_NAMES, type CodecName } from './codec.js';
import { hex, startEmulator, type ReceivedByte } from './emulator.js';
import { rcAppAccessory } from './codecs/rc-app.js';

const USAGE = 'usage: npm run emulator -- PATH [--baud 9600] [--codec iracer|rc-app] [--echo]';

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        baud: { type: 'string', default: '9600' }, codec: { type: 'string', default: 'iracer' }, echo: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) return void console.log(USAGE);
  const baudRate = Number(values.baud);
  const codec = values.codec as CodecName;
  if (positionals.length !== 1 || !Number.isInteger(baudRate) || baudRate <= 0 || !CODEC_NAMES.includes(codec)) {
    console.error(USAGE);
    process.exit(2);
  }
  const path = positionals[0];
  const echo = values.echo === true;
  const emulator = startEmulator(path, { baudRate, codec, echo });
  emulator.on('open', () => console.log(`emulating an ${codec} car on ${path} at ${baudRate} 8N1${echo ? ', echoing every byte' : ''}; Ctrl-C to quit`));
  emulator.on('failure', (err: Error) => console.error(err.message));
  emulator.opened.catch(() => process.exit(1));
  emulator.on('close', () => {
    console.log('port closed');
    process.exit(0);
  });
  emulator.on('byte', (byte: number, r: ReceivedByte) => {
    const char = byte >= 0x20 && byte < 0x7f ? ` '${String.fromCharCode(byte)}'` : '';
    const meaning = r.motion
      ? `${r.motion.direction}${r.motion.direction === 'stop' ? '' : ` speed ${r.motion.speed}`}`
      : (codec === 'rc-app' ? rcAppAccessory(byte) : null) ?? 'no effect';
    console.log(`${new Date(r.at).toISOString()}  ${hex(byte)}${char}  ${meaning}`);
  });
  const quit = (): void => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}

main();
