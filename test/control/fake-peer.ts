/**
 * A client's connection with nothing behind it (a `Peer`, src/control/connection/peer.ts): it keeps what
 * the server sends, and the test delivers the client's messages and closes. With an injected clock, the
 * car-level objects run with no socket and fake time.
 */
import { EventEmitter } from 'node:events';
import { AddressLockout } from '../../src/control/connection/auth.js';
import { ClientSession, type SessionContext, type SessionOptions } from '../../src/control/connection/client-session.js';
import type { Peer, PeerState } from '../../src/control/connection/peer.js';
import { silentLogger } from '../../src/control/log.js';
import type { Limits, ServerMessage } from '../../src/control/protocol/messages.js';

export class FakePeer extends EventEmitter implements Peer {
  readyState: PeerState = 1;
  bufferedAmount = 0;
  /** Every text the server sent, in order. */
  readonly sent: string[] = [];
  /** The close frame the server sent, or 'terminated', or null while open. */
  closedWith: { code: number; reason: string } | 'terminated' | null = null;
  pings = 0;

  send(text: string): void {
    this.sent.push(text);
  }

  close(code: number, reason: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  terminate(): void {
    this.closedWith ??= 'terminated';
    this.readyState = 3;
  }

  ping(): void {
    this.pings += 1;
  }

  /** The server's messages, parsed. */
  get messages(): ServerMessage[] {
    return this.sent.map((text) => JSON.parse(text) as ServerMessage);
  }

  /** The messages of one type the server sent. */
  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  /** The last message of one type the server sent (throws if none). */
  last<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }> {
    const found = this.of(type).at(-1);
    if (!found) throw new Error(`no ${type} message was sent; sent: ${this.sent.join(' ')}`);
    return found;
  }

  /** The client sends a text frame (an object is sent as its JSON). */
  say(message: string | object): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.emit('message', Buffer.from(text), false);
  }

  /** The client answers a ping. */
  pong(): void {
    this.emit('pong');
  }

  /** The connection ends (the client went away, or the server's close completed). */
  end(code = 1001, reason = ''): void {
    this.readyState = 3;
    this.emit('close', code, Buffer.from(reason));
  }
}

/** The limits a test starts from: generous, so only the one a test is about ever acts. */
export const TEST_LIMITS: Limits = {
  watchdogMs: 60_000, maxMessageBytes: 16_384, driveRatePerSecond: 60, idleTakeoverMs: 15_000, maxHoldMs: 2_000,
  driverSilenceMs: 60_000, resumeWindowMs: 10_000,
};

/** A session context on a clock the test holds (`now`). */
export function fakeContext(now: () => number, limits: Limits = TEST_LIMITS): SessionContext {
  return { token: null, lockout: new AddressLockout(now), limits, log: silentLogger, now };
}

/** A session on a fake peer; attach it to a car world to connect it. */
export function fakeSession(ctx: SessionContext, opts: Partial<SessionOptions> & { id: string }): { session: ClientSession; peer: FakePeer } {
  const peer = new FakePeer();
  const session = new ClientSession(peer, ctx, { address: '127.0.0.1', ...opts });
  return { session, peer };
}
