// Child process for shutdown.test.ts: drives forward through a TCP link and waits to be signalled.
import { createCodec, Driver, createLink, stopOnSignals } from '../../src/vehicle/index.js';

const port = Number(process.argv[2]);
const driver = new Driver({ link: createLink({ kind: 'tcp', host: '127.0.0.1', port }), codec: createCodec('iracer') });
stopOnSignals(driver);
driver.once('state', function onState(s: { link: string; byte: number | null }) {
  if (s.link === 'connected' && s.byte === 0x00) {
    driver.drive({ kind: 'command', name: 'forward' });
    process.stdout.write('driving\n');
  } else {
    driver.once('state', onState);
  }
});
void driver.start();
setInterval(() => {}, 1_000); // stay alive until signalled
