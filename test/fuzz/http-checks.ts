/**
 * What every HTTP answer must be: a status line in time (a silent close only for CONNECT, which Node
 * itself drops), never a server error (503 is the live feed's cap, 505 a version Node will not speak), no
 * secret and nothing from outside the page's folder in it, recordings only to a token holder on a server
 * with a token, and 421 for a Host that is not this machine's.
 */
import { FOREIGN_HOSTS, type HttpAnswer, type HttpPlan } from './http-requests.js';
import type { FuzzTarget } from './target.js';
import { violation, type Violation } from './violations.js';

/** Requests Node's own parser may answer by closing: CONNECT with no handler, and a body its headers do
 *  not frame (none announced: the bytes are a second, broken request; a chunked one that is not chunks,
 *  or a length that is not the body's: the parser fails once the route may have begun to answer). */
function malformed(plan: HttpPlan): boolean {
  if (plan.method === 'CONNECT') return true;
  if (plan.body === undefined) return false;
  const chunked = plan.headers.some(([k, v]) => /^transfer-encoding$/i.test(k) && /chunked/i.test(v));
  if (chunked) return plan.body !== '0\r\n\r\n';
  const lengths = plan.headers.filter(([k]) => /^content-length$/i.test(k));
  return lengths.length !== 1 || Number(lengths[0][1]) !== Buffer.byteLength(plan.body);
}

/** A whole JSON answer that is not JSON, or a live feed's first event whose data is not. */
function malformedBody(plan: HttpPlan, answer: HttpAnswer): string | null {
  if (answer.status !== 200 || plan.method !== 'GET' || plan.cut) return null;
  const type = /^content-type:\s*(\S+?)(;|$)/im.exec(answer.head)?.[1].toLowerCase();
  const length = Number(/^content-length:\s*(\d+)/im.exec(answer.head)?.[1] ?? NaN);
  const text = answer.body.toString('utf8');
  try {
    if (type === 'application/json' && answer.body.length === length) JSON.parse(text);
    if (type === 'text/event-stream') for (const data of text.matchAll(/^data: (.*)$/gm)) JSON.parse(data[1]);
  } catch {
    return `answered ${type} that does not parse: ${text.slice(0, 200)}`;
  }
  return null;
}

/** A foreign Host gets 421 (RFC 9110 section 15.5.20), or Node's own refusal of a request it cannot
 *  parse, sent before any route is asked (400, 431 for headers too large, 505 for a version it will not speak). */
const HOST_REFUSALS = new Set([421, 400, 431, 505]);

const RECORDING_DATA = /webracer-recording|"recordings":|"points":|application\/x-ndjson/i;

export function checkHttp(plan: HttpPlan, answer: HttpAnswer, fill: (text: string) => string, target: FuzzTarget, caseNo: number): Violation[] {
  const found: Violation[] = [];
  const request = `${plan.method.slice(0, 20)} ${fill(plan.target).slice(0, 120)} (${plan.from})`;
  const add = (invariant: Violation['invariant'], detail: string): void => void found.push(violation(invariant, `${request}: ${detail}`, caseNo));
  if (answer.status === null) {
    if (answer.timedOut) add('http', 'no answer in time');
    else if (!malformed(plan)) add('http', 'the connection closed with no answer');
    return found;
  }
  if (answer.status >= 500 && answer.status !== 503 && answer.status !== 505) add('http', `answered ${answer.status}`);
  const whole = `${answer.head}\r\n\r\n${answer.body.toString('latin1')}`;
  const { token, turnSecret, turnPassword, canary } = target.secrets;
  const secret = [token ?? '', turnSecret, turnPassword].find((s) => s.length > 0 && whole.includes(s));
  if (secret !== undefined) add('secrets', `the answer carries a secret (${secret.slice(0, 6)}...)`);
  if (whole.includes(canary)) add('outside', `served the file outside the page's folder (answered ${answer.status})`);
  const ok = answer.status >= 200 && answer.status < 400 && answer.status !== 101;
  const holder = plan.from === 'holder' && plan.headers.some(([k, v]) => /^authorization$/i.test(k) && v === 'Bearer {{token}}');
  if (ok && target.secrets.token !== null && !holder && RECORDING_DATA.test(whole)) add('httpAuth', `recordings answered ${answer.status} without the token`);
  const body = malformedBody(plan, answer);
  if (body !== null) add('http', body);
  const host = plan.headers.find(([k]) => /^host$/i.test(k))?.[1];
  if (host !== undefined && FOREIGN_HOSTS.includes(host) && !HOST_REFUSALS.has(answer.status)) add('host', `Host: ${fill(host)} was answered ${answer.status}, not 421`);
  return found;
}
