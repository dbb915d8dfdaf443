// --link-ack MODE for the one car, ack=MODE for each of several (flag and config file): checked like every
// option, refused where no echo can come back (a simulated car), and handed to the car's link.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';

function run(argv: string[]) {
  const cmd = parseArgs(argv);
  assert.equal(cmd.kind, 'run');
  return (cmd as Extract<typeof cmd, { kind: 'run' }>).options;
}

function refused(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message), argv.join(' '));
}

test('--link-ack none | echo for the one car; refused for a simulated car, with --car, and for other modes', () => {
  assert.equal(run(['--link', 'tcp:10.0.0.7:2000', '--link-ack', 'echo']).linkAck, 'echo');
  assert.equal(run(['--link', 'serial:/dev/rfcomm0', '--link-ack', 'none']).linkAck, 'none');
  assert.equal(run(['--link', 'tcp:10.0.0.7:2000']).linkAck, undefined, 'default: none');
  refused(['--link', 'tcp:10.0.0.7:2000', '--link-ack', 'ack'], /--link-ack: must be one of none, echo, got 'ack'/);
  refused(['--link-ack', 'echo'], /--link-ack: ack=echo is for tcp: and serial: links, not sim/);
  refused(['--car', 'red=tcp:10.0.0.7:2000', '--link-ack', 'echo'], /--link-ack is the one car's: with --car, give each car its own \(,ack=echo\)/);
});

test('--car NAME=LINK,ack=echo: each car its own', () => {
  assert.deepEqual(run(['--car', 'red=tcp:10.0.0.7:2000,ack=echo', '--car', 'blue=serial:/dev/rfcomm1,codec=rc-app,ack=none', '--car', 'green=sim']).cars, [
    { name: 'red', link: 'tcp:10.0.0.7:2000', codec: 'iracer', ack: 'echo' },
    { name: 'blue', link: 'serial:/dev/rfcomm1', codec: 'rc-app', ack: 'none' },
    { name: 'green', link: 'sim', codec: 'iracer' },
  ]);
  refused(['--car', 'red=sim,ack=echo'], /car 'red': ack=echo is for tcp: and serial: links, not sim/);
  refused(['--car', 'red=tcp:10.0.0.7:2000,ack=yes'], /--car: must be one of none, echo, got 'yes'/);
  refused(['--car', 'red=tcp:10.0.0.7:2000,ack=echo,ack=none'], /ack given twice/);
});

test('a config file: "link-ack" for the one car, "ack" in a car entry', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webracer-link-ack-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'webracer.json');
  await writeFile(file, JSON.stringify({ link: 'tcp:10.0.0.7:2000', 'link-ack': 'echo' }));
  assert.equal(run(['--config', file]).linkAck, 'echo');
  await writeFile(file, JSON.stringify({ cars: [{ name: 'red', link: 'tcp:10.0.0.7:2000', ack: 'echo' }] }));
  assert.deepEqual(run(['--config', file]).cars, [{ name: 'red', link: 'tcp:10.0.0.7:2000', codec: 'iracer', ack: 'echo' }]);
  await writeFile(file, JSON.stringify({ cars: [{ name: 'red', link: 'tcp:10.0.0.7:2000', ack: 'always' }] }));
  refused(['--config', file], /"cars.0.ack" must be one of none, echo/);
});
