// A car's speed ceiling end to end: --max-speed and a car's own max-speed reach its Driver, the welcome
// tells the page, and a raw seed client asking for speed 15 drives at the ceiling (bytes read off the link).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { connect, startServer, wsUrl } from './helpers.js';

function run(argv: string[]) {
  const cmd = parseArgs(argv, {});
  assert.equal(cmd.kind, 'run');
  return (cmd as Extract<typeof cmd, { kind: 'run' }>).options;
}

test('--max-speed N, a car\'s max-speed=N and a config file\'s "maxSpeed" set the ceiling; bad values are refused', async (t) => {
  assert.equal(run(['--max-speed', '8']).maxSpeed, 8);
  assert.deepEqual(run(['--car', 'red=sim,max-speed=5']).cars, [{ name: 'red', link: 'sim', codec: 'iracer', maxSpeed: 5 }]);
  const dir = await mkdtemp(join(tmpdir(), 'webracer-max-speed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'webracer.json');
  await writeFile(file, JSON.stringify({ 'max-speed': 9, cars: [{ name: 'red', link: 'sim', maxSpeed: 4 }] }));
  const options = run(['--config', file]);
  assert.equal(options.maxSpeed, 9);
  assert.equal(options.cars?.[0].maxSpeed, 4);
  const cases: Array<[string[], RegExp]> = [
    [['--max-speed', '0'], /--max-speed: must be between 1 and 15, got 0/],
    [['--max-speed', '16'], /--max-speed: must be between 1 and 15, got 16/],
    [['--car', 'red=sim,max-speed=fast'], /car 'red': max-speed must be a whole number/],
    [['--car', 'red=sim,max-speed=3,max-speed=4'], /max-speed given twice/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
  }
  await writeFile(file, JSON.stringify({ cars: [{ name: 'red', link: 'sim', maxSpeed: 20 }] }));
  assert.throws(() => parseArgs(['--config', file]), /"cars\[0\]": car 'red': max-speed must be between 1 and 15, got 20/);
});

test('with --max-speed 8 a seed command {"command":"up","speed":15} drives the car at 8, and the welcome says 8', async (t) => {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const server = await startServer(t, { link: car.link, maxSpeed: 8 });
  const client = await connect(t, wsUrl(server, '/'));
  assert.equal(client.welcome.vehicle.maxSpeed, 8);
  await car.holds((b) => b === 0x00, 'the stop on connecting');
  client.sendText('{"duration":1,"command":"up","speed":15}');
  await client.state({ byte: 0x18, speed: 8 });
  await car.holds((b) => b === 0x18, 'forward at 8 (0x18)');
  assert.ok(car.bytes.every((b) => (b.value & 0x0f) <= 8), `no byte faster than 8: ${car.describe()}`);
});

test('a car\'s own max-speed wins over --max-speed, and a car without either is not limited', async (t) => {
  const server = await startServer(t, {
    maxSpeed: 10, cars: [{ name: 'slow', link: 'sim', codec: 'iracer', maxSpeed: 3 }, { name: 'fast', link: 'sim', codec: 'iracer' }],
  });
  const slow = await connect(t, wsUrl(server, '/ws?car=slow'));
  const fast = await connect(t, wsUrl(server, '/ws?car=fast'));
  assert.equal(slow.welcome.vehicle.maxSpeed, 3);
  assert.equal(fast.welcome.vehicle.maxSpeed, 10);
  slow.sendText('{"duration":1,"command":"up","speed":15}');
  await slow.state({ byte: 0x13, speed: 3 });
});
