/**
 * Who may open a WebSocket at all: a cap on connections in total and per remote address, with slots kept
 * for two kinds of client: those that present the drive token at the upgrade (a few, with a token), and
 * a departed driver coming back for its held seat (one per held seat, for the page that presents that
 * seat's resume token). Watching needs no token, so without the reserve a crowd (or a script) of
 * spectators could fill the server and keep the car's owner from reaching Stop, and a refill loop could
 * take a driver's slot the moment its Wi-Fi dropped and keep it past the seat's hold; without the
 * per-address cap one machine could fill it alone.
 */

export interface AdmissionOptions {
  maxClients: number;
  maxPerAddress: number;
  /** Slots only token holders may take (0 when no token is set). */
  reservedForToken: number;
  /** Seats held for a departed driver's resume token now: each keeps one slot for it. */
  heldSeats?: () => number;
}

/** What a client showed at the upgrade: the drive token, the resume token of a held seat, or nothing. */
export type Pass = 'token' | 'resume' | 'none';

export type Verdict = true | { status: 503; reason: string };

export class Admission {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly opts: AdmissionOptions) {}

  get count(): number {
    return this.total;
  }

  /** May a client from `address` come in? One with a pass may use the kept slots and skips the per-address cap. */
  check(address: string, pass: Pass): Verdict {
    if (pass !== 'none') return this.total < this.opts.maxClients ? true : full('too many clients');
    if ((this.perAddress.get(address) ?? 0) >= this.opts.maxPerAddress) return full('too many connections from this address');
    const kept = this.opts.reservedForToken + (this.opts.heldSeats?.() ?? 0);
    return this.total < this.opts.maxClients - kept ? true : full('too many clients');
  }

  /** Counts a client in; the returned function counts it out (once, however often it is called). */
  admit(address: string): () => void {
    this.total += 1;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.total -= 1;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    };
  }
}

function full(reason: string): { status: 503; reason: string } {
  return { status: 503, reason };
}
