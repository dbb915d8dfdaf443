/**
 * What happens to a message sent while more than maxBufferedAmount waits to go to the peer:
 * 'terminate' drops the connection (nothing is lost silently: the peer reconnects and resyncs),
 * 'drop' discards the message and reports it to the send callback.
 */
export type BackpressurePolicy = 'drop' | 'terminate';

/** The error a send callback gets when its message was not queued because of backpressure. */
export class BackpressureError extends Error {
  readonly code = 'ERR_WS_BACKPRESSURE';
  constructor(readonly bufferedAmount: number) {
    super(`message not sent: ${bufferedAmount} bytes already wait for this peer`);
  }
}
