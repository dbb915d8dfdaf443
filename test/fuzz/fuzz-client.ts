/**
 * One fuzzed WebSocket client (the `ws` package): connects in its role, sends frames, and checks every
 * frame the server sends it, and how the server closes it, as they come.
 */
import WebSocket from 'ws';
import { ERROR_CODES, NOTICE_CODES, SERVER_TYPES } from './protocol-names.js';
import { iceProblem } from './ice-checks.js';
import { NAME_KEY_SUBPROTOCOL_PREFIX } from '../../src/control/protocol/messages.js';
import { tokenProtocols } from './placeholders.js';
import type { ClientPlan } from './scenario.js';
import { violation, type Violation } from './violations.js';

/** A name key of the right shape that no server issued (base64url of "made-up"). */
const MADE_UP_NAME_KEY = 'bWFkZS11cA';

/** The frame limit of the server (limits.maxMessageBytes): a bigger one is closed with 1009. */
export const MAX_FRAME_BYTES = 16 * 1024;
const WELCOME_MS = 10_000;

export interface ClientContext {
  port: number;
  token: string | null;
  caseNo: number;
  index: number;
  /** Texts no answer may carry (the token, the TURN secret, the canary). */
  secrets: readonly string[];
  /** The loopback address to connect from (runner.ts addressOf). */
  address: string;
  report: (v: Violation) => void;
}

interface Message { type?: unknown; code?: unknown; message?: unknown; [k: string]: unknown }

const SERVER_TYPE_SET = new Set<string>(SERVER_TYPES);
const ERROR_CODE_SET = new Set<string>(ERROR_CODES);
const NOTICE_CODE_SET = new Set<string>(NOTICE_CODES);

export class FuzzClient {
  clientId = '';
  resumeToken = '';
  nameKey = '';
  /** The latest role and car state this client was told. */
  role: 'driver' | 'spectator' = 'spectator';
  /** Whether the server counts it as holding the token (true for everyone on a server without one). */
  authenticated = false;
  direction = 'stop';
  driver: string | null = null;
  rateLimited = false;
  /** What it sent that decides which close codes and messages are fair. */
  readonly sent = { watch: false, watchItself: false, camera: false, oversize: false, badUtf8: false };
  closeCode: number | null = null;
  readonly closed: Promise<number>;
  /** Resume tokens of the case's other clients: none of them may reach this one. */
  othersTokens: string[] = [];
  #waiters: Array<(m: Message) => boolean> = [];

  private constructor(readonly plan: ClientPlan, readonly ws: WebSocket, private readonly ctx: ClientContext) {
    ws.on('message', (data, isBinary) => this.#receive(data as Buffer, isBinary));
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => {
      this.closeCode = code;
      this.#checkClose(code);
      for (const w of this.#waiters.splice(0)) w({ type: '__closed' });
      resolve(code);
    }));
  }

  /** Opens the connection in the plan's role and waits for its welcome; null if the upgrade was refused. */
  static async open(plan: ClientPlan, ctx: ClientContext): Promise<FuzzClient | null> {
    const holder = ['driver', 'marshal', 'camera'].includes(plan.role);
    const query = plan.role === 'camera' ? '&role=camera' : plan.role === 'watcher' || plan.role === 'marshal' ? '&role=watch' : '';
    const protocols = [...tokenProtocols(holder ? ctx.token : null), ...(plan.madeUpNameKey ? [NAME_KEY_SUBPROTOCOL_PREFIX + MADE_UP_NAME_KEY] : [])];
    const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/ws?car=${plan.car}${query}`, protocols, {
      localAddress: ctx.address, handshakeTimeout: WELCOME_MS,
    });
    const client = new FuzzClient(plan, ws, ctx);
    const welcomed = await client.waitFor((m) => m.type === 'welcome', WELCOME_MS).catch(() => false);
    if (!welcomed) {
      ws.terminate();
      return null; // refused at the upgrade (a full server, a locked-out address): not this case's business
    }
    return client;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, binary = false): void {
    if (!this.open) return;
    if (typeof data === 'string') this.#noteSent(data);
    if (Buffer.byteLength(data) > MAX_FRAME_BYTES) this.sent.oversize = true;
    this.ws.send(data, { binary });
  }

  /** A text with the type `watch`, `unwatch` or `camera-on` makes video messages fair (as the server reads it). */
  #noteSent(text: string): void {
    let type: unknown;
    try {
      type = (JSON.parse(text) as { type?: unknown } | null)?.type;
    } catch {
      return;
    }
    if (type === 'watch' || type === 'unwatch') this.sent.watch = true;
    if (type === 'watch') this.sent.watchItself = true;
    if (type === 'camera-on') this.sent.camera = true;
  }

  /** Resolves true with the first message (from now on) that matches, false on close or timeout. */
  waitFor(match: (m: Message) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = (m: Message): boolean => {
        if (m.type !== '__closed' && !match(m)) return false;
        clearTimeout(timer);
        resolve(m.type !== '__closed');
        return true;
      };
      this.#waiters.push(waiter);
    });
  }

  #receive(data: Buffer, isBinary: boolean): void {
    const report = (detail: string): void => this.ctx.report(violation('replies', `${this.#who()} got ${detail}`, this.ctx.caseNo));
    if (isBinary) return report(`a binary frame (${data.length} bytes)`);
    const text = data.toString('utf8');
    this.#checkSecrets(text);
    let m: Message;
    try {
      m = JSON.parse(text) as Message;
    } catch {
      return report(`text that is not JSON: ${text.slice(0, 200)}`);
    }
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return report(`JSON that is not an object: ${text.slice(0, 200)}`);
    if (typeof m.type !== 'string' || !SERVER_TYPE_SET.has(m.type)) return report(`an unknown type: ${text.slice(0, 200)}`);
    this.#checkMessage(m, text, report);
    this.#note(m);
    this.#waiters = this.#waiters.filter((w) => !w(m));
  }

  #checkMessage(m: Message, text: string, report: (detail: string) => void): void {
    if (m.type === 'error' && (!ERROR_CODE_SET.has(String(m.code)) || typeof m.message !== 'string')) report(`an error with an unknown code or no message: ${text.slice(0, 200)}`);
    if (m.type === 'notice' && (!NOTICE_CODE_SET.has(String(m.code)) || typeof m.message !== 'string')) report(`a notice with an unknown code: ${text.slice(0, 200)}`);
    const video = m.type === 'signal' || m.type === 'viewer' || m.type === 'viewing';
    if (video && !this.sent.watch && !this.sent.camera) {
      this.ctx.report(violation('video', `${this.#who()} never sent watch or camera-on and got ${text.slice(0, 200)}`, this.ctx.caseNo));
    }
    const ice = iceProblem(m, { clientId: this.clientId, sentWatch: this.sent.watchItself, mayBeCamera: this.#mayBeCamera() });
    if (ice !== null) this.ctx.report(violation('ice', `${this.#who()} ${ice}: ${text.slice(0, 300)}`, this.ctx.caseNo));
  }

  /** A camera-on from it is accepted: it connected as a camera page (?role=camera) and holds the token if one is needed. */
  #mayBeCamera(): boolean {
    return this.sent.camera && this.plan.role === 'camera' && this.authenticated;
  }

  #note(m: Message): void {
    if (m.type === 'welcome') {
      this.clientId = String(m.clientId);
      this.resumeToken = String(m.resumeToken);
      this.nameKey = String(m.nameKey ?? '');
      if (this.plan.madeUpNameKey && this.nameKey === MADE_UP_NAME_KEY) {
        this.ctx.report(violation('nameKey', `${this.#who()} offered a name key no server issued and was welcomed under it`, this.ctx.caseNo));
      }
      this.role = m.role === 'driver' ? 'driver' : 'spectator';
      this.authenticated = m.authenticated === true;
      const state = m.state as { direction: string; driver: string | null };
      this.direction = state.direction;
      this.driver = state.driver;
    } else if (m.type === 'state') {
      this.direction = String(m.direction);
      this.driver = (m.driver as string | null) ?? null;
    } else if (m.type === 'role') {
      this.role = m.role === 'driver' ? 'driver' : 'spectator';
      this.authenticated = m.authenticated === true;
    } else if (m.type === 'error' && m.code === 'rate_limited') {
      this.rateLimited = true;
    }
  }

  #checkSecrets(text: string): void {
    const leaked = [...this.ctx.secrets, ...this.othersTokens].find((s) => s.length > 0 && text.includes(s));
    if (leaked !== undefined) {
      this.ctx.report(violation('secrets', `${this.#who()} got a secret (${leaked.slice(0, 6)}...) in ${text.slice(0, 120)}`, this.ctx.caseNo));
    }
  }

  #checkClose(code: number): void {
    const fair = code === 1000 || code === 1001 || code === 1008 || (code === 1009 && this.sent.oversize) || (code === 1007 && this.sent.badUtf8);
    if (fair) return;
    this.ctx.report(violation('closes', `${this.#who()} was closed with ${code}`, this.ctx.caseNo));
  }

  #who(): string {
    return `client ${this.ctx.index} (${this.plan.role} on ${this.plan.car}${this.plan.slow ? ', not reading' : ''}${this.clientId ? `, ${this.clientId}` : ''})`;
  }
}
