// Shared by the control end-to-end tests: a server on 127.0.0.1:0, `ws` clients with a message inbox,
// and a socat pseudo-terminal pair. Everything registers its own cleanup with t.after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { DISARM_CODES, type ServerMessage, type VehicleState, type WelcomeMessage } from '../../src/control/protocol/messages.js';
import { startControlServer, type ControlOptions, type ControlServer } from '../../src/control/server.js';
import { startPtyPair } from '../support/socat.js';

export const WAIT_MS = 15_000; // generous: the machine is shared

export async function startServer(t: TestContext, overrides: Partial<ControlOptions> = {}): Promise<ControlServer> {
  const server = await startControlServer({
    port: 0, host: '127.0.0.1', link: 'sim', codec: 'iracer', watchdogMs: 500, ...overrides,
  });
  t.after(() => server.close());
  return server;
}

export type Message = ServerMessage & Record<string, unknown>;

/** A client that keeps every message it receives, so a test can wait for the one it expects. */
export class Client {
  readonly inbox: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.inbox.push(JSON.parse(String(data)) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    ws.on('error', () => {}); // seen through `closed`
  }

  /** The welcome this client got on connecting. */
  get welcome(): WelcomeMessage {
    const m = this.inbox.find((x) => x.type === 'welcome');
    if (!m) throw new Error('no welcome yet');
    return m as WelcomeMessage;
  }

  /** Sends exactly this text. */
  sendText(text: string): void {
    this.ws.send(text);
  }

  send(value: object): void {
    this.ws.send(JSON.stringify(value));
  }

  /**
   * Shows the server the stick at neutral (a drive in the dead zone), as the page does before its first
   * push after it took the seat or the car was stopped under it: until then the server refuses a push
   * (docs/protocol.md "Arming").
   */
  arm(): void {
    this.send({ type: 'drive', x: 0, y: 0 });
  }

  /** A notice received from index `from` on says this driver was disarmed: it must arm() before it drives. */
  disarmedSince(from: number): boolean {
    return this.inbox.slice(from).some((m) => m.type === 'notice' && (DISARM_CODES as readonly string[]).includes(m.code));
  }

  /** Waits for a message (received from index `from` on) that matches; returns it. */
  async next(match: (m: Message) => boolean, what = 'a message', from = 0, timeoutMs = WAIT_MS): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.inbox.slice(from).find(match);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.inbox.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** How many messages have arrived: a mark to wait from, taken before sending what provokes the reply. */
  mark(): number {
    return this.inbox.length;
  }

  /** Waits for a message of this type received from `from` on (default: after everything so far). */
  expect<T extends Message['type']>(
    type: T, match: (m: Extract<Message, { type: T }>) => boolean = () => true, from = this.inbox.length,
  ) {
    return this.next((m) => m.type === type && match(m as Extract<Message, { type: T }>), type, from)
      .then((m) => m as Extract<Message, { type: T }>);
  }

  /** Waits for a state message (from now on) matching the partial state. */
  state(want: Partial<VehicleState>, from = this.inbox.length): Promise<Message> {
    return this.next((m) => m.type === 'state' && Object.entries(want).every(([k, v]) => m[k] === v),
      `state ${JSON.stringify(want)}`, from);
  }

  /** The latest state this client was told (welcome or state message). */
  latestState(): VehicleState {
    for (let i = this.inbox.length - 1; i >= 0; i--) {
      const m = this.inbox[i];
      if (m.type === 'state') return m;
      if (m.type === 'welcome') return m.state;
    }
    throw new Error('no state yet');
  }

  /** A ping round trip: proves the connection is alive and every earlier reply has arrived. */
  async roundTrip(id = `rt${this.inbox.length}`): Promise<void> {
    this.send({ type: 'ping', id });
    await this.next((m) => m.type === 'pong' && m.id === id, `pong ${id}`);
  }
}

/** Opens a client and waits for its welcome. */
/** Client options, plus the subprotocols to offer (the page offers `webracer` and maybe a token). */
export type ConnectOptions = WebSocket.ClientOptions & { protocols?: string[] };

export async function connect(t: TestContext, url: string, options: ConnectOptions = {}): Promise<Client> {
  const client = await open(t, url, options);
  await client.next((m) => m.type === 'welcome', 'welcome');
  return client;
}

export async function open(t: TestContext, url: string, { protocols = [], ...options }: ConnectOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, protocols, options);
  const client = new Client(ws);
  t.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return client;
}

/** The HTTP status a refused upgrade gets. */
export function upgradeStatus(t: TestContext, url: string, { protocols = [], ...options }: ConnectOptions = {}): Promise<number> {
  const ws = new WebSocket(url, protocols, options);
  t.after(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

export function wsUrl(server: ControlServer, path = '/ws'): string {
  return `ws://127.0.0.1:${server.port}${path}`;
}

/** A socat pseudo-terminal pair (test/support/socat.ts): [the car's end, the device's end]. */
export async function ptyPair(t: TestContext): Promise<[string, string]> {
  const dir = mkdtempSync(join(tmpdir(), 'webracer-pty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pair = await startPtyPair(dir, WAIT_MS);
  t.after(() => pair.stop());
  return [pair.a, pair.b];
}
