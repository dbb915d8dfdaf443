// Tells a restarted server from the same one reconnected to, so that the map starts a new track instead
// of drawing a line from where the old run's car was back to the new run's origin.
//
// Telemetry's `t` is the server's clock: milliseconds since it started. So `receivedAt - t` is when the
// server started, on this page's clock, give or take the message's trip. The same server gives the same
// start (its smallest estimate is kept: the quickest trip); a restarted one started later, by at least
// the old run's length. Only the first telemetry after a welcome can come from a new run (a connection
// belongs to one), and it counts as one when its clock went back, or when its start is more than
// TOLERANCE_MS later than the old one's: a trip that slow would only clear the trail, nothing else.

const TOLERANCE_MS = 1500;

export class ServerRuns {
  private start: number | null = null;
  private lastT = -Infinity;
  private fresh = false;

  /** A new connection was welcomed: its first telemetry may come from another run. */
  welcome(): void {
    this.fresh = true;
  }

  /** A telemetry message with server time `t`, received at `receivedAt` (this page's monotonic clock).
   *  True when it comes from a run of the server other than the previous telemetry's. */
  telemetry(t: number, receivedAt: number): boolean {
    const start = receivedAt - t;
    const restarted = this.fresh && this.start !== null && (t < this.lastT || start > this.start + TOLERANCE_MS);
    this.fresh = false;
    this.start = restarted || this.start === null ? start : Math.min(this.start, start);
    this.lastT = t;
    return restarted;
  }
}
