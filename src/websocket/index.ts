export { WebSocketServer } from './server.js';
export { WebSocket } from './websocket.js';
export { ProtocolError } from './errors.js';
export type { ServerOptions } from './server.js';
export type { SendOptions } from './websocket.js';
export type { PerMessageExtension } from './extension.js';
export { Connection, type ProtocolEvent, type ProtocolOptions } from './protocol.js';
export type { DeflateOptions } from './permessage-deflate.js';
export { BackpressureError, type BackpressurePolicy } from './backpressure.js';
