/**
 * The driver of green, the real car (a TCP byte recorder): seated, authorized, and never asking it to
 * move. It sends a stop every second or two (so the seat is never idle enough to be taken), and comes
 * back with its resume token if its connection ends. So every byte green gets that is not a stop came
 * from someone who was not allowed to drive it: the fuzzer's clearest invariant.
 */
import WebSocket from 'ws';
import { tokenProtocols } from './placeholders.js';
import type { FuzzTarget } from './target.js';

const STOP_EVERY_MS = 1_500;

interface KeeperMessage {
  type: string;
  code?: string;
  clientId?: string;
  resumeToken?: string;
  driver?: string | null;
  state?: { driver: string | null };
}

export class Keeper {
  /** The keeper's client id now (a resume brings a new one). */
  clientId = '';
  /** Who held green's seat when it was not the keeper, as the keeper heard it. */
  readonly others: string[] = [];
  #ws: WebSocket | null = null;
  #resumeToken = '';
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(private readonly target: FuzzTarget) {}

  static async start(target: FuzzTarget): Promise<Keeper> {
    const keeper = new Keeper(target);
    await keeper.#connect();
    keeper.#timer = setInterval(() => keeper.#ws?.readyState === WebSocket.OPEN && keeper.#ws.send('{"type":"stop"}'), STOP_EVERY_MS);
    return keeper;
  }

  /** True while green's seat is the keeper's. */
  seated = false;

  /** Its secret: no other client may ever see it. */
  get resumeToken(): string {
    return this.#resumeToken;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#ws?.terminate();
  }

  #connect(): Promise<void> {
    const { port, secrets } = this.target;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?car=green`, tokenProtocols(secrets.token), { localAddress: '127.0.0.1' });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as KeeperMessage;
        if (m.type === 'welcome') this.#welcomed(ws, m);
        if (m.type === 'error' && m.code === 'resume_failed') ws.send('{"type":"claim"}');
        const driver = m.type === 'welcome' ? m.state!.driver : m.type === 'state' || m.type === 'role' ? m.driver : undefined;
        if (driver !== undefined) this.#seatIs(driver);
        if (this.seated) resolve();
      });
      ws.on('close', () => {
        this.seated = false;
        if (!this.#closed && this.target.alive) setTimeout(() => void this.#connect().catch(() => {}), 100);
      });
    });
  }

  #welcomed(ws: WebSocket, m: KeeperMessage): void {
    const previous = this.#resumeToken;
    this.clientId = m.clientId!;
    this.#resumeToken = m.resumeToken!;
    if (m.state!.driver === this.clientId) return;
    ws.send(previous ? JSON.stringify({ type: 'resume', token: previous }) : '{"type":"claim"}');
  }

  #seatIs(driver: string | null): void {
    this.seated = driver === this.clientId;
    if (driver !== null && !this.seated && this.others.at(-1) !== driver) this.others.push(driver);
  }
}
