// src/cli/shutdown.ts on its own, with a fake process and a fake server: the order of the steps and the
// exit codes, including the paths the child-process tests cannot provoke (a close that throws or rejects,
// an emergencyStop that throws, a fault during a signal's close).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { EXIT_CODES, handleShutdown, MAX_FAULT_LINES, type Stoppable } from '../../src/cli/shutdown.js';

interface Fake extends Stoppable {
  steps: string[];
}

/** A server whose close resolves, rejects, throws or never settles, recording every step. */
function fakeServer(close: 'resolves' | 'rejects' | 'throws' | 'hangs', stopThrows = false): Fake {
  const steps: string[] = [];
  return {
    steps,
    emergencyStop() {
      steps.push('stop');
      if (stopThrows) throw new Error('link gone');
    },
    close() {
      steps.push('close');
      if (close === 'throws') throw new Error('close threw');
      if (close === 'rejects') return Promise.reject(new Error('close failed'));
      if (close === 'hangs') return new Promise<void>(() => {});
      return Promise.resolve();
    },
  };
}

function setUp(server: Fake, platform: NodeJS.Platform = 'linux') {
  const events = new EventEmitter();
  const said: string[] = [];
  const complaints: string[] = [];
  const code = handleShutdown(server, {
    events, platform, deadlineMs: 30, faultGraceMs: 30,
    say: (line) => {
      server.steps.push('say');
      said.push(line);
    },
    complain: (line) => complaints.push(line),
  });
  return { events, said, complaints, code };
}

describe('the shutdown path', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: stop, then say so, then close; a clean close exits 0`, async () => {
      const server = fakeServer('resolves');
      const { events, said, code } = setUp(server);
      events.emit(signal, signal);
      assert.deepEqual(server.steps, ['stop', 'say', 'close'], 'all in the same turn as the signal');
      assert.equal(await code, EXIT_CODES.clean);
      assert.match(said[0], new RegExp(`^${signal}: car stopped`));
    });
  }

  it('SIGBREAK is handled on Windows only', async () => {
    const linux = setUp(fakeServer('resolves'));
    assert.equal(linux.events.listenerCount('SIGBREAK'), 0);
    const server = fakeServer('resolves');
    const windows = setUp(server, 'win32');
    windows.events.emit('SIGBREAK', 'SIGBREAK');
    assert.equal(await windows.code, EXIT_CODES.clean);
    assert.deepEqual(server.steps, ['stop', 'say', 'close']);
  });

  it('a close that never settles: exit 3 at the deadline, and say why', async () => {
    const server = fakeServer('hangs');
    const { events, complaints, code } = setUp(server);
    events.emit('SIGTERM', 'SIGTERM');
    assert.equal(await code, EXIT_CODES.forced);
    assert.match(complaints.join('\n'), /longer than 30 ms/);
  });

  it('a close that rejects or throws: exit 3 with the reason', async () => {
    for (const kind of ['rejects', 'throws'] as const) {
      const server = fakeServer(kind);
      const { events, complaints, code } = setUp(server);
      events.emit('SIGTERM', 'SIGTERM');
      assert.equal(await code, EXIT_CODES.forced, kind);
      assert.match(complaints.join('\n'), /closing failed: close (failed|threw)/, kind);
    }
  });

  it('an emergencyStop that throws does not stop the close', async () => {
    const server = fakeServer('resolves', true);
    const { events, code } = setUp(server);
    events.emit('SIGINT', 'SIGINT');
    assert.equal(await code, EXIT_CODES.clean);
    assert.deepEqual(server.steps, ['stop', 'say', 'close']);
  });

  it('a second signal: stop again and exit 3 without waiting for the close', async () => {
    const server = fakeServer('hangs');
    const { events, said, code } = setUp(server);
    events.emit('SIGINT', 'SIGINT');
    events.emit('SIGINT', 'SIGINT');
    assert.equal(await code, EXIT_CODES.forced);
    assert.deepEqual(server.steps, ['stop', 'say', 'close', 'stop', 'say']);
    assert.match(said[1], /SIGINT again/);
  });

  for (const [event, words] of [['uncaughtException', 'uncaught exception'], ['unhandledRejection', 'unhandled rejection']] as const) {
    it(`${event}: stop, log the error with its stack, close, exit 4`, async () => {
      const server = fakeServer('resolves');
      const { events, complaints, code } = setUp(server);
      events.emit(event, new Error('boom'));
      assert.deepEqual(server.steps, ['stop', 'close']);
      assert.equal(await code, EXIT_CODES.fault);
      assert.match(complaints[0], new RegExp(`${words}, car stopped: Error: boom\\n\\s+at `));
    });
  }

  it('a fault whose close hangs still exits 4 after the grace', async () => {
    const server = fakeServer('hangs');
    const { events, code } = setUp(server);
    events.emit('unhandledRejection', 'not an Error');
    assert.equal(await code, EXIT_CODES.fault);
  });

  it('a fault during a signal\'s close: no second stop (the car takes no demand after the first), and the exit code says the fault', async () => {
    const server = fakeServer('hangs');
    const { events, complaints, code } = setUp(server);
    events.emit('SIGTERM', 'SIGTERM');
    events.emit('uncaughtException', new Error('during close'));
    events.emit('uncaughtException', Object.create(null));
    assert.equal(await code, EXIT_CODES.fault);
    assert.deepEqual(server.steps, ['stop', 'say', 'close'], 'one stop, one close');
    assert.match(complaints[1], /then uncaught exception: \(an error that cannot be printed\)/);
  });

  it('a storm of faults (a throwing timer): one stop, one close, a bounded number of lines, exit 4 at the grace', async () => {
    const server = fakeServer('hangs');
    const { events, complaints, code } = setUp(server);
    for (let i = 0; i < 1000; i++) events.emit('uncaughtException', new Error(`fault ${i}`));
    assert.equal(await code, EXIT_CODES.fault);
    assert.deepEqual(server.steps, ['stop', 'close']);
    assert.equal(complaints.length, MAX_FAULT_LINES + 2, 'the lines, the deadline, and the count of the rest');
    assert.match(complaints.at(-1)!, /then 990 more faults, not logged/);
  });

  it('a log that throws (its stream gone) costs the line only: stop, close and the deadline all happen', async () => {
    for (const event of ['SIGTERM', 'uncaughtException'] as const) {
      const server = fakeServer('hangs');
      const events = new EventEmitter();
      const throwing = (): void => {
        throw new Error('write EPIPE');
      };
      const code = handleShutdown(server, { events, platform: 'linux', deadlineMs: 30, faultGraceMs: 30, say: throwing, complain: throwing });
      events.emit(event, event === 'SIGTERM' ? event : new Error('boom'));
      assert.deepEqual(server.steps, ['stop', 'close'], event);
      assert.equal(await code, event === 'SIGTERM' ? EXIT_CODES.forced : EXIT_CODES.fault, event);
    }
  });

  it('a fault raised by the fault handler\'s own log line does not re-enter it', async () => {
    const server = fakeServer('resolves');
    const events = new EventEmitter();
    const complaints: string[] = [];
    const code = handleShutdown(server, {
      events, platform: 'linux', deadlineMs: 30, faultGraceMs: 30, say: () => {},
      complain: (line) => {
        complaints.push(line);
        events.emit('uncaughtException', new Error('the log line failed')); // would recurse without the guard
      },
    });
    events.emit('uncaughtException', new Error('boom'));
    assert.equal(await code, EXIT_CODES.fault);
    assert.deepEqual(server.steps, ['stop', 'close']);
    assert.equal(complaints.length, 1);
  });
});
