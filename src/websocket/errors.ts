/**
 * The one error type of the WebSocket core. Every protocol violation is raised as a ProtocolError
 * carrying the status code to close with (RFC 6455 section 7.4.1), so a single place maps errors
 * to close frames and no internal detail leaks to the peer beyond the short message.
 */
export class ProtocolError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
