// When the page asks the server for a drive channel (drive-channel.ts does the asking's WebRTC part): once
// connected and allowed to stop, then again RETRY_MS after a channel could not be had or ended (the server
// allows a few at once, then one per 10 s), but never again on this connection once the server has said it
// has no drive channels at all (`{"type":"channel","closed":...,"retry":false}`, docs/protocol.md).

export const RETRY_MS = 15_000;

export class ChannelAsks {
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ask: () => void) {}

  /** Connected and allowed to stop: ask, once per connection. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.ask();
  }

  /** No channel now; `retry` false: the server has none, so asking again would get the same answer. */
  failed(retry: boolean): void {
    clearTimeout(this.timer);
    if (this.started && retry) this.timer = setTimeout(this.ask, RETRY_MS);
  }

  /** Disconnected: the next connection asks afresh (its server may have channels). */
  reset(): void {
    this.started = false;
    clearTimeout(this.timer);
  }
}
