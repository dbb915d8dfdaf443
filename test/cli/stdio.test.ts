// src/cli/stdio.ts with stand-in streams: a stream whose write fails (EPIPE, EIO) or throws is dropped
// once and quietly, and nothing is written to it again; the real pipes and terminals are in
// test/safety/log-pipe.test.ts and hang-up.test.ts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { MAX_BACKLOG_BYTES, StdStream } from '../../src/cli/stdio.js';

/** A stream like process.stdout once its reader is gone: every write fails, and it never stays destroyed. */
function brokenPipe(how: 'fails' | 'throws') {
  const attempts: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      attempts.push(chunk.toString());
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  if (how === 'throws') {
    stream.write = (chunk: string) => {
      attempts.push(chunk);
      throw new Error('write EPIPE');
    };
  }
  return { attempts, stream: stream as unknown as NodeJS.WriteStream };
}

describe('the standard streams', () => {
  it('a write that fails later: no uncaught error, the stream is dropped, nothing is written to it again', async () => {
    const { attempts, stream } = brokenPipe('fails');
    const out = new StdStream(() => stream);
    out.line('first');
    await once(stream, 'error'); // emitted on the next tick: our listener takes it, nothing is uncaught
    assert.equal(out.gone, true);
    out.line('second');
    out.write('third');
    assert.deepEqual(attempts, ['first\n']);
    assert.equal(out.isTTY, false);
  });

  it('a write that throws at once is dropped the same way', () => {
    const { attempts, stream } = brokenPipe('throws');
    const out = new StdStream(() => stream);
    assert.doesNotThrow(() => out.line('first'));
    out.line('second');
    assert.equal(out.gone, true);
    assert.deepEqual(attempts, ['first\n']);
  });

  it('guard() alone takes the errors of writes made by others (console.*, Node\'s warnings)', async () => {
    const { stream } = brokenPipe('fails');
    const out = new StdStream(() => stream);
    out.guard();
    stream.write('by someone else\n');
    await once(stream, 'error');
    assert.equal(out.gone, true);
  });

  it('a reader that takes nothing (a stopped terminal, a paused pager): lines beyond the backlog are skipped, then counted', () => {
    const written: string[] = [];
    let waiting = 0;
    const stream = {
      isTTY: false,
      get writableLength() {
        return waiting;
      },
      on() {},
      write(text: string) {
        written.push(text);
        waiting += text.length;
      },
    } as unknown as NodeJS.WriteStream;
    const out = new StdStream(() => stream);
    const line = 'x'.repeat(1023);
    while (waiting <= MAX_BACKLOG_BYTES) out.line(line);
    const taken = written.length;
    out.line('skipped');
    out.line('skipped too');
    assert.equal(written.length, taken, 'nothing more queued');
    waiting = 0; // the reader took it all
    out.line('after');
    assert.equal(written.at(-1), 'webracer: 2 lines not written: the output was not being taken\nafter\n');
    assert.equal(out.gone, false);
  });
});
