/**
 * The load around the measured car in the many-car command-path run (bench/command-path.ts --cars N):
 * a driver on each simulated car sending drive input at 20 Hz (steering back and forth, so every car
 * keeps moving and the arena's poses keep flowing), and spectators spread over all the cars (watching
 * with role=watch, so none takes a free seat). Its own process, so the clients' work does not run on the
 * server's event loop. Prints `ready` once every client has its welcome, then runs until killed.
 *
 *   node --import tsx bench/fleet-load.ts --url ws://127.0.0.1:PORT --drive a,b,c --watch a,b,c,d --spectators 100
 */
import { WebSocket } from 'ws';

function arg(name: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? process.argv[at + 1] : undefined;
  if (value === undefined) {
    console.error(`fleet-load: --${name} is required`);
    process.exit(2);
  }
  return value;
}

const url = arg('url');
const drive = arg('drive').split(',').filter(Boolean);
const watch = arg('watch').split(',').filter(Boolean);
const spectators = Number(arg('spectators'));

function open(path: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}${path}`);
    ws.once('error', reject);
    ws.on('message', function welcomed(data) {
      if (String(data).includes('"type":"welcome"')) {
        ws.off('message', welcomed);
        resolve(ws);
      }
    });
  });
}

async function main(): Promise<void> {
  const drivers = await Promise.all(drive.map((car) => open(`/ws?car=${car}`)));
  for (let i = 0; i < spectators; i++) await open(`/ws?car=${watch[i % watch.length]}&role=watch`);
  // 20 Hz each, spread over the period so the cars' inputs do not all arrive in one burst.
  drivers.forEach((ws, i) => {
    // The stick at neutral before the first push, and again whenever the server says it stopped the car
    // under this driver (a watchdog on a busy machine): otherwise its pushes are refused (docs/protocol.md
    // "Arming"), and the load would be lighter than it says.
    let disarmed = true;
    ws.on('message', (data) => {
      const text = String(data);
      if (text.includes('"type":"notice"') && !text.includes('"duration_clamped"')) disarmed = true;
    });
    setTimeout(() => {
      let n = 0;
      setInterval(() => {
        if (disarmed) ws.send('{"type":"drive","x":0,"y":0}');
        disarmed = false;
        const turning = Math.floor(n++ / 20) % 2 === 1; // a second straight, a second turning
        ws.send(turning ? '{"type":"drive","x":0.6,"y":0.6}' : '{"type":"drive","x":0,"y":0.9}');
      }, 50);
    }, (50 * i) / drivers.length);
  });
  console.log('ready');
}

main().catch((err: Error) => {
  console.error(`fleet-load: ${err.message}`);
  process.exit(1);
});
