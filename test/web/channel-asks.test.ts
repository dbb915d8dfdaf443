// When the page asks for a drive channel (web/channel-asks.ts), with fake time: a channel that could not be
// had is asked for again after RETRY_MS, but not from a server that says it has none (`retry: false`).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ChannelAsks, RETRY_MS } from '../../web/channel-asks.js';

describe('ChannelAsks', () => {
  let asks: number;
  let channel: ChannelAsks;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    asks = 0;
    channel = new ChannelAsks(() => { asks++; });
    channel.start();
  });
  afterEach(() => {
    channel.reset();
    mock.timers.reset();
  });

  it('drive channel: a refusal that may pass is asked again after RETRY_MS', () => {
    channel.start(); // a second welcome on the same connection asks nothing more
    channel.failed(true);
    mock.timers.tick(RETRY_MS - 1);
    assert.equal(asks, 1);
    mock.timers.tick(1);
    assert.equal(asks, 2);
  });

  it('drive channel: a server that says it has none (retry false) is not asked again on this connection', () => {
    channel.failed(false);
    mock.timers.tick(10 * RETRY_MS);
    assert.equal(asks, 1);
  });

  it('drive channel: after a reconnect the page asks once more (the server may have changed)', () => {
    channel.failed(false);
    channel.reset();
    channel.start();
    assert.equal(asks, 2);
  });
});
