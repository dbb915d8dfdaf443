/**
 * What an error message may quote of a value it refuses. A URL's user name and password (its userinfo,
 * RFC 3986 section 3.2.1: everything between the scheme and the last '@' before the host) are never
 * quoted: `turn:alice:PASS@host` is shown as `turn:***@host`. The last '@', because a password typed
 * without percent-encoding may hold an '@', a '?' or a '/' of its own. A value without an '@' is shown as
 * it is; values that are secrets as a whole (the drive token, the TURN secret) are never quoted at all.
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:(?:\/\/)?/i;

export function withoutUserinfo(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = SCHEME.exec(value)?.[0] ?? '';
  return `${scheme}***${value.slice(at)}`;
}

/** The scheme a value starts with (`turn` of `turn:...`), when it has one: a part that is safe to quote. */
export function schemeOf(value: string): string | undefined {
  return /^([a-z][a-z0-9+.-]{0,15}):/i.exec(value)?.[1];
}
