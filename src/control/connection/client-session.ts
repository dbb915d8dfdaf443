/**
 * One client's connection: who it is (id, address, whether it holds the token), what it may still send
 * (its message and error budgets), when it was last heard from, and the replies it gets. It knows no car:
 * the car world it is attached to decides what its messages mean.
 */
import { randomBytes } from 'node:crypto';
import { ADDRESS_WINDOW_MS, ClientAuth, type AddressLockout, type TokenCheck } from './auth.js';
import {
  CLOSE_CODES, isSeedCommand,
  type ClientMessage, type ErrorCode, type ErrorMessage, type Limits, type NoticeCode, type ServerMessage,
} from '../protocol/messages.js';
import type { Logger } from '../log.js';
import { TokenBucket } from './rate-limit.js';
import { AtMostEvery } from '../throttle.js';
import { SeedSession } from '../protocol/seed.js';
import { parseClientMessage } from '../protocol/validate.js';
import type { Peer } from './peer.js';
import { InputSequence } from './input-sequence.js';
import { NameKeys } from './name-keys.js';

/** Keys for sessions whose server shares none (a car world on its own, in tests). */
const OWN_NAME_KEYS = new NameKeys();

/** What every session of one server shares. */
export interface SessionContext {
  token: TokenCheck | null;
  lockout: AddressLockout;
  limits: Limits;
  log: Logger;
  now: () => number; // monotonic milliseconds
  /** The server's name keys (name-keys.ts). */
  nameKeys?: NameKeys;
}

/** A driving page (the default), a car's camera page, or a page that came to watch. */
export type PageKind = 'drive' | 'camera' | 'watch';

export interface SessionOptions {
  id: string;
  address: string;
  /** The client presented the right token at the upgrade (default false). */
  tokenAtUpgrade?: boolean;
  page?: PageKind;
  onServerMachine?: boolean;
  /** The name key offered at the upgrade, if any (`webracer.name.<key>`). */
  nameKey?: string;
}

/** Malformed input a client may send: a burst, then this many per second; beyond, close 1008. */
const ERROR_BURST = 20;
const ERRORS_PER_SECOND = 5;
/**
 * The errors that count as flooding: the client's own malformed input. Not `rate_limited`: a page
 * dragging a stick fast must never be thrown out mid-drive for the server's own replies; its excess is
 * dropped instead. Nor a spectator pressing buttons (not_driver) or a car out of reach (link_down).
 */
const FLOOD_CODES: ReadonlySet<ErrorCode> = new Set(['bad_json', 'invalid_message', 'binary_unsupported']);
/** A client over its message rate hears about it at most this often; the dropped messages are silent. */
const RATE_REPLY_INTERVAL_MS = 1000;
/** A client's refused messages are logged (at debug) at most this often: never one line per drive message. */
const REFUSAL_LOG_INTERVAL_MS = 1000;

export class ClientSession {
  readonly seed = new SeedSession();
  readonly auth: ClientAuth;
  /** Given in `welcome`; presenting it in `resume` after a reconnect takes back a seat this client held. */
  readonly resumeToken = randomBytes(16).toString('base64url');
  /** Given in `welcome`: this browser's key to its default name (name-keys.ts), the offered one when this server issued it. */
  readonly nameKey: string;
  /** The last time anything arrived from the client (a message, or a pong): its liveness. */
  lastHeardAt: number;
  /** Told of every refusal this client gets (the car world's event stream). */
  onRefusal: ((client: string, code: ErrorCode, ref?: string) => void) | null = null;
  /** Why the server ended this connection, for the log line at its close (close-log.ts); null if it did not. */
  closedBecause: string | null = null;
  private readonly messages: TokenBucket;
  private readonly errors: TokenBucket;
  /** A client over its rate hears so at most once a second. */
  private readonly rateReply: AtMostEvery;
  /** Refusals are logged (at debug) at most once a second, with how many since. */
  private readonly refusalLog: AtMostEvery;
  private refusalsUnlogged = 0;
  /** Drive input on two paths: late drives and a stop's second copy are ignored (input-sequence.ts). */
  private readonly sequence = new InputSequence();

  readonly id: string;
  readonly address: string;
  /** What kind of page this is (`role=` at the upgrade). */
  readonly page: PageKind;
  /** The connection's two ends have the same address: a client on the server's own machine (marshal.ts). */
  readonly onServerMachine: boolean;

  constructor(readonly ws: Peer, private readonly ctx: SessionContext, opts: SessionOptions) {
    this.id = opts.id;
    this.address = opts.address;
    this.page = opts.page ?? 'drive';
    this.onServerMachine = opts.onServerMachine ?? false;
    this.nameKey = (ctx.nameKeys ?? OWN_NAME_KEYS).keyFor(opts.nameKey);
    const now = ctx.now;
    const rate = ctx.limits.driveRatePerSecond;
    this.auth = new ClientAuth(ctx.token, opts.tokenAtUpgrade ?? false);
    this.messages = new TokenBucket(rate, rate, now);
    this.errors = new TokenBucket(ERRORS_PER_SECOND, ERROR_BURST, now);
    this.lastHeardAt = now();
    this.rateReply = new AtMostEvery(RATE_REPLY_INTERVAL_MS, now);
    this.refusalLog = new AtMostEvery(REFUSAL_LOG_INTERVAL_MS, now);
    ws.on('pong', () => {
      this.lastHeardAt = this.ctx.now();
    });
  }

  /** A camera page (`role=camera`): it never takes a free seat by itself. */
  get camera(): boolean {
    return this.page === 'camera';
  }

  /** A page that came to watch (`role=watch`, the lobby's Watch): it never takes a free seat by itself either. */
  get watchOnly(): boolean {
    return this.page === 'watch';
  }

  get open(): boolean {
    return this.ws.readyState === 1;
  }

  /**
   * A frame from the client: the message, or null when it was refused here (the reply is sent). Every
   * message takes from the client's rate, a stop too (flood accounting), but a stop is never dropped for
   * the rate: beyond it, a stop still comes through, marked overRate, and the car world acts on it
   * whenever it would stop something (car-world.ts). So a stop after a burst stops the car at once, and a
   * flood of stops costs its parsing, nothing more.
   */
  read(data: Buffer, isBinary: boolean, path: InputPath = 'socket'): ReadMessage | null {
    this.lastHeardAt = this.ctx.now();
    if (isBinary) {
      this.error('binary_unsupported', 'binary frames are not part of the protocol; send JSON text');
      return null;
    }
    const withinRate = this.messages.take();
    // Beyond the rate only what may be a stop is parsed at all (drive messages stay as cheap to drop as ever).
    if (!withinRate && !mayBeStop(data)) return this.rateLimited();
    const parsed = parseClientMessage(data.toString('utf8')); // the WebSocket layer validated the UTF-8
    if (!withinRate) return parsed.ok && isStop(parsed.message) ? this.inSequence({ message: parsed.message, overRate: true }) : this.rateLimited();
    if (!parsed.ok) {
      this.error(parsed.code, parsed.message, parsed.ref, parsed.field);
      return null;
    }
    if (path === 'channel' && !rideChannel(parsed.message)) {
      this.error('invalid_message', 'only drive, stop and release travel on the drive channel; send the rest on the WebSocket', 'channel');
      return null;
    }
    return this.inSequence({ message: parsed.message, overRate: false });
  }

  /** The message, or null (silently) when it is a late drive or a stop's second copy (input-sequence.ts). */
  private inSequence(read: ReadMessage): ReadMessage | null {
    return this.sequence.admits(read.message) ? read : null;
  }

  /** Checks a presented token (per connection and per address budgets); 'ok' when it matched. */
  authenticate(token: string): 'ok' | 'refused' {
    const { lockout, log } = this.ctx;
    if (this.ctx.token !== null && lockout.locked(this.address)) {
      // Refused without looking at the token: the address spent its budget of guesses.
      this.error('unauthorized', 'too many wrong tokens from this address; try again later', 'auth');
      log.warn('refused', { client: this.id, reason: 'too many wrong tokens from its address', close: CLOSE_CODES.policyViolation });
      this.closeFor(CLOSE_CODES.policyViolation, 'too many wrong tokens');
      return 'refused';
    }
    const verdict = this.auth.present(token);
    if (verdict === 'ok') {
      log.info('authenticated', { client: this.id });
      return 'ok';
    }
    this.error('unauthorized', 'wrong token', 'auth');
    const addressLocked = lockout.fail(this.address);
    if (addressLocked) log.warn('locked_out', { address: this.address, reason: 'too many wrong tokens', minutes: ADDRESS_WINDOW_MS / 60_000 });
    if (verdict === 'locked' || addressLocked) {
      log.warn('refused', { client: this.id, reason: 'too many wrong tokens', close: CLOSE_CODES.policyViolation });
      this.closeFor(CLOSE_CODES.policyViolation, 'too many wrong tokens');
    }
    return 'refused';
  }

  error(code: ErrorCode, message: string, ref?: string, field?: string): void {
    if (FLOOD_CODES.has(code) && !this.errors.take()) {
      this.ctx.log.warn('refused', { client: this.id, reason: 'flooding', close: CLOSE_CODES.policyViolation });
      return this.closeFor(CLOSE_CODES.policyViolation, 'too many errors');
    }
    this.onRefusal?.(this.id, code, ref);
    this.logRefusal(code, ref);
    const error: ErrorMessage = { type: 'error', code, message };
    if (ref !== undefined) error.ref = ref;
    if (field !== undefined) error.field = field;
    this.send(error);
  }

  /** Closes the connection (a close frame with `why` as its reason), remembering why for the log. */
  closeFor(code: number, why: string): void {
    this.closedBecause ??= why;
    this.ws.close(code, why);
  }

  /** Drops the connection at once, for a peer that would not answer a close frame; `why` goes to the log. */
  terminateFor(why: string): void {
    this.closedBecause ??= why;
    this.ws.terminate();
  }

  notice(code: NoticeCode, message: string, ref?: string): void {
    this.send(ref === undefined ? { type: 'notice', code, message } : { type: 'notice', code, message, ref });
  }

  send(msg: ServerMessage): void {
    this.sendText(JSON.stringify(msg));
  }

  sendText(json: string): void {
    if (this.ws.readyState === 1) this.ws.send(json);
  }

  private logRefusal(code: ErrorCode, ref: string | undefined): void {
    if (!this.ctx.log.enabled('debug')) return;
    if (!this.refusalLog.take()) {
      this.refusalsUnlogged += 1;
      return;
    }
    this.ctx.log.debug('refused_message', { client: this.id, code, ref, alsoSinceLast: this.refusalsUnlogged || undefined });
    this.refusalsUnlogged = 0;
  }

  /** Drops a message over the rate; says so at most once a second. Always null (the message is dropped). */
  private rateLimited(): null {
    if (!this.rateReply.take()) return null;
    const rate = this.ctx.limits.driveRatePerSecond;
    this.error('rate_limited', `more than ${rate} messages per second; the excess is dropped`);
    return null;
  }
}

/** Which way a frame came: the WebSocket, or the drive channel (data-channel/, docs/protocol.md "Drive channel"). */
export type InputPath = 'socket' | 'channel';

/** What the drive channel carries: drive input and stops. Everything else stays on the WebSocket. */
function rideChannel(message: ClientMessage): boolean {
  return !isSeedCommand(message) && (message.type === 'drive' || message.type === 'stop' || message.type === 'release');
}

/** A message read from a client; overRate: a stop beyond the client's message rate (never dropped for it). */
export interface ReadMessage {
  message: ClientMessage;
  overRate: boolean;
}

/** A stop in any form: `{"type":"stop"}`, the seed's `{"command":"stop"}`, and `{"type":"release"}` (the driver gives up the seat). */
export function isStop(message: ClientMessage): boolean {
  return isSeedCommand(message) ? message.command === 'stop' : message.type === 'stop' || message.type === 'release';
}

/**
 * Whether a frame could be a stop, before parsing it: it spells "stop" or "release", or escapes a
 * character (\u0073top is "stop" too). A drive message does neither, so one over the rate is dropped
 * unparsed.
 */
function mayBeStop(data: Buffer): boolean {
  return data.includes('stop') || data.includes('release') || data.includes('\\');
}
