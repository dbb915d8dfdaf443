// `--link-ack echo`: the far end of the link (a serial bridge, or the car's own sketch) sends back every byte
// it got, in order, once it has passed it on, and nothing else. A byte is delivered when its echo is back.
//
// Why: a bridge that stops reading (its program stuck, its serial side blocked) still has a kernel that
// acknowledges our TCP segments, so without its help nothing on our side can tell (docs/safety.md, "The link
// to the car"). An echo is the bridge's own program answering, so silence means it stopped.
//
// The protocol is the smallest an ESP32 sketch can speak (docs/vehicle.md): `client.write(c)` after
// `Serial.write(c)`. Anything that is not the echo that is due (a byte that differs, a byte nobody wrote)
// means the far end is not echoing: the connection is given up, as for a lost one, and the message says why.

export const LINK_ACKS = ['none', 'echo'] as const;
export type LinkAck = (typeof LINK_ACKS)[number];

export class EchoWatch {
  #due: number[] = []; // bytes written whose echo has not come back, oldest first
  #head = 0;
  #echoed = 0;         // bytes echoed since the connection was made
  #failure: Error | null = null;
  #waiters: Array<{ count: number; resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(private readonly where: string) {}

  /** These bytes were handed to the connection: their echo is due, after those before them. */
  sent(bytes: Uint8Array): void {
    for (const b of bytes) this.#due.push(b);
  }

  /** Bytes from the far end; an Error when they are not the echo that is due (the watch has failed then). */
  received(chunk: Uint8Array): Error | null {
    if (this.#failure !== null) return this.#failure;
    for (const b of chunk) {
      const due = this.#head < this.#due.length ? this.#due[this.#head] : undefined;
      if (due !== b) {
        const what = due === undefined ? 'when no echo was due' : `where the echo of ${hex(due)} was due`;
        const err = new Error(`${this.where} sent ${hex(b)} ${what}: is it echoing every byte (--link-ack echo)?`);
        this.fail(err);
        return err;
      }
      this.#head++;
      this.#echoed++;
    }
    if (this.#head > 1024) {
      this.#due = this.#due.slice(this.#head);
      this.#head = 0;
    }
    this.#wake();
    return null;
  }

  /** Resolves once `count` bytes (counted from the connection's first) have been echoed; rejects if it fails. */
  echoed(count: number): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#echoed >= count) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ count, resolve, reject }));
  }

  /** The connection is gone (or spoke out of turn): every wait fails with this. */
  fail(err: Error): void {
    this.#failure ??= err;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(this.#failure);
  }

  #wake(): void {
    const ready = this.#waiters.filter((w) => w.count <= this.#echoed);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.count > this.#echoed);
    for (const w of ready) w.resolve();
  }
}

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;
