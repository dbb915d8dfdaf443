// Child process for emergency-stop.test.ts: drives forward through the link given as argv[2] and, when told
// "stop" on stdin, stops the car with Driver.emergencyStop() and exits at once if it says the stop is with
// the OS (exit code 10), else after giving close() up to 500 ms (exit code 11). argv[3] 'in-flight' makes
// it start another write first, so that one is still under way when the stop is written.
import { createCodec, createLink, Driver, parseLinkSpec, type VehicleState } from '../../src/vehicle/index.js';

const [spec, mode] = process.argv.slice(2);
const driver = new Driver({ link: createLink(parseLinkSpec(spec)), codec: createCodec('iracer') });
driver.on('state', function onState(s: VehicleState) {
  if (s.link !== 'connected' || s.byte !== 0x00) return;
  driver.off('state', onState);
  driver.drive({ kind: 'command', name: 'forward' });
  process.stdout.write('driving\n');
});
process.stdin.on('data', () => {
  if (mode === 'in-flight') driver.drive({ kind: 'command', name: 'left' });
  if (driver.emergencyStop()) process.exit(10);
  const timer = setTimeout(() => process.exit(11), 500);
  void driver.close().then(() => {
    clearTimeout(timer);
    process.exit(11);
  });
});
void driver.start();
