/**
 * What the fuzzer holds the server to (docs/security.md, "The standing defence"), and a broken one.
 */
export const INVARIANTS = {
  up: 'the process stays up (and answers)',
  descriptors: 'open descriptors stay bounded (nothing left open once every client is gone)',
  memory: 'resident memory stays bounded',
  carBytes: 'no byte reaches a car from a client not allowed to drive it',
  recordings: 'nothing a non-driver sent is in a recording beyond a count',
  replies: 'every reply is well-formed (JSON, a known type, a known code)',
  closes: 'a connection is closed only with a documented code',
  secrets: 'no answer carries a secret (the token, the TURN secret, another client\'s resume token or name key)',
  nameKey: 'a name key the server did not issue is replaced, never taken',
  video: 'video signalling reaches only clients that asked for it',
  stop: 'a stop from the driver stops the car',
  ice: 'ICE servers only with video: never in welcome, only in answer to watch or an accepted camera-on, minted credentials only for the client they go to',
  http: 'every HTTP answer is well-formed and timely, never a server error',
  httpAuth: 'recordings only for token holders',
  outside: 'nothing outside the page\'s folder is served',
  host: 'a request for a foreign Host is refused with 421 (DNS rebinding)',
} as const;

export type Invariant = keyof typeof INVARIANTS;

export interface Violation {
  invariant: Invariant;
  detail: string;
  /** The case it came from (by its marker, or the case running), or null when it cannot be told (memory). */
  caseNo: number | null;
}

export function violation(invariant: Invariant, detail: string, caseNo: number | null): Violation {
  return { invariant, detail, caseNo };
}

export function describeViolation(v: Violation): string {
  return `${INVARIANTS[v.invariant]}: ${v.detail}`;
}
