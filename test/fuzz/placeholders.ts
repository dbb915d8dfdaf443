/**
 * What the generated texts leave open until they are sent: `{{m}}`, a marker unique to the run, the
 * case and the frame (so a recording can be searched for anything a client sent, and a hit names the
 * frame); `{{peerN}}`, the client id of the case's client N (a signal's `to`); and for HTTP `{{host}}`,
 * `{{port}}`, `{{recording}}` and `{{token}}`; `{{rep:N:TEXT~~}}` is TEXT N times.
 */
import { TOKEN_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from '../../src/control/protocol/messages.js';

/** Every marker of one fuzzer process starts with this; `fzq<run>_<case>_<frame>`. */
export const RUN_MARKER = `fzq${Math.random().toString(36).slice(2, 8)}`;

export function markerOf(caseNo: number, frameNo: number): string {
  return `${RUN_MARKER}_${caseNo}_${frameNo}`;
}

/** The markers in a text, as [case, frame] pairs. */
export function markersIn(text: string): Array<[number, number]> {
  return [...text.matchAll(new RegExp(`${RUN_MARKER}_(\\d+)_(\\d+)`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);
}

/** `{{rep:N:TEXT~~}}`: TEXT N times (a huge string or a deep nesting, short enough to print and paste).
 *  Survives JSON escaping: TEXT may become `\\ud800` inside a JSON string, and is repeated as it then is. */
export function rep(n: number, text: string): string {
  return `{{rep:${n}:${text}~~}}`;
}

export function expand(text: string): string {
  return text.replace(/\{\{rep:(\d+):(.*?)~~\}\}/gs, (_, n: string, unit: string) => unit.repeat(Number(n)));
}

export function fillFrame(text: string, marker: string, peers: readonly string[]): string {
  return expand(text).replaceAll('{{m}}', marker).replace(/\{\{peer(\d)\}\}/g, (_, n: string) => peers[Number(n)] ?? `c${n}`);
}

export interface HttpFill { port: number; marker: string; recording: string; token: string | null }

export function fillHttp(text: string, f: HttpFill): string {
  return expand(text).replaceAll('{{host}}', `127.0.0.1:${f.port}`).replaceAll('{{port}}', String(f.port))
    .replaceAll('{{recording}}', f.recording).replaceAll('{{token}}', f.token ?? 'no-token').replaceAll('{{m}}', f.marker);
}

/** The subprotocols a page that knows the token offers (docs/protocol.md). */
export function tokenProtocols(token: string | null): string[] {
  return token === null ? [SUBPROTOCOL] : [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${Buffer.from(token).toString('base64url')}`];
}
