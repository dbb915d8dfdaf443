/**
 * Token holders on plain HTTP requests: `Authorization: Bearer <token>` (a page sends it with fetch();
 * the token never goes in a URL, where logs and the Referer would keep it). Without --token every request
 * is allowed. A wrong token counts against the address exactly as a wrong token on a WebSocket does
 * (auth.ts), so HTTP gives a guesser no extra tries.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressLockout, TokenCheck } from '../connection/auth.js';
import type { Logger } from '../log.js';

/** Whether an HTTP request may see what only token holders may. */
export type RequestAuthorization = 'ok' | 'missing' | 'wrong' | 'locked';

export function createRequestAuthorizer(token: TokenCheck | null, lockout: AddressLockout,
  log: Logger): (req: IncomingMessage) => RequestAuthorization {
  return (req) => {
    if (token === null) return 'ok';
    const address = req.socket.remoteAddress ?? '?';
    const match = /^Bearer +(\S{1,512})$/i.exec(req.headers.authorization ?? '');
    if (match === null) return 'missing';
    if (lockout.locked(address)) return 'locked';
    if (token.matches(match[1])) return 'ok';
    if (lockout.fail(address)) log.warn('locked_out', { address, reason: 'too many wrong tokens' });
    return 'wrong';
  };
}
