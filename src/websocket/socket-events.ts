/**
 * The socket side of a connection: the socket carries its WebSocket under a symbol, so every socket
 * shares the same listener functions (`this` is the socket) instead of holding closures of its own.
 */
import type { Duplex } from 'node:stream';

/** What a WebSocket offers its socket's listeners. */
export interface SocketOwner {
  readyState: number;
  receive(chunk: Buffer): void;
  /** A reason to pause reading is over (PAUSED_FOR_*). */
  release(reason: number): void;
  peerEnded(): void;
  closed(): void;
}

const kOwner = Symbol('websocket');
export type Carrier = Duplex & { [kOwner]?: SocketOwner; setNoDelay?: (on: boolean) => void; bytesWritten?: number };

// Why reading from a peer is paused (both may hold at once; reading resumes when neither does).
export const PAUSED_FOR_DRAIN = 1;
export const PAUSED_FOR_INFLATE = 2;

/** Hands the socket to `owner`; bytes that came with the upgrade request are parsed on the next tick. */
export function attach(socket: Carrier, owner: SocketOwner, head: Buffer): void {
  socket[kOwner] = owner;
  socket.on('error', onSocketError);
  socket.on('end', onSocketEnd);
  socket.on('close', onSocketClose);
  // Bytes that came with the upgrade request are frames: parse them before newer reads, but
  // after the 'connection' handlers had a chance to subscribe.
  if (head.length > 0) process.nextTick(receiveHead, owner, head);
  socket.on('data', onSocketData);
}

/** Resumes reading once the socket drained (see WebSocket.receive). */
export function releaseOnDrain(socket: Carrier): void {
  socket.once('drain', onSocketDrain);
}

function receiveHead(owner: SocketOwner, head: Buffer): void {
  if (owner.readyState !== 3) owner.receive(head);
}

function onSocketData(this: Carrier, chunk: Buffer): void {
  this[kOwner]?.receive(chunk);
}

function onSocketDrain(this: Carrier): void {
  this[kOwner]?.release(PAUSED_FOR_DRAIN);
}

function onSocketEnd(this: Carrier): void {
  this[kOwner]?.peerEnded();
}

function onSocketClose(this: Carrier): void {
  this[kOwner]?.closed();
}

// Network errors (resets, timeouts) end in 'close' with 1006; there is nothing else to report.
function onSocketError(): void {}

export function destroySocket(socket: Duplex): void {
  socket.destroy();
}
