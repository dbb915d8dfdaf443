// A link the test controls: records every write, and its state is set by hand.
import { SafeEmitter, type Link, type LinkSpec, type LinkState } from '../../src/vehicle/index.js';

export class FakeLink extends SafeEmitter implements Link {
  readonly spec: LinkSpec = { kind: 'tcp', host: 'fake', port: 1 };
  state: LinkState = 'closed';
  readonly writes: number[][] = [];
  /** Indexes into writes of those made with writeNow. */
  readonly urgent: number[] = [];
  closed = false;

  async open(): Promise<void> {
    this.setState('connected');
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'connected') return false;
    this.writes.push([...bytes]);
    return true;
  }

  writeNow(bytes: Uint8Array): boolean {
    if (!this.write(bytes)) return false;
    this.urgent.push(this.writes.length - 1);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.setState('closed');
  }

  setState(s: LinkState): void {
    this.state = s;
    this.emit('state', s);
  }

  /** Every byte written, flattened. */
  get bytes(): number[] {
    return this.writes.flat();
  }
}
