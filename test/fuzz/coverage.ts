/**
 * What a run sent and got, for its progress lines and its last report: every role against every message
 * name (and how many of those the server's own validator would take), the HTTP methods and routes, the
 * replies by type and code, the close codes.
 */
import { parseClientMessage } from '../../src/control/protocol/validate.js';
import { messageNames } from './protocol-names.js';
import type { Role } from './scenario.js';

export class Coverage {
  readonly pairs = new Map<string, { sent: number; valid: number }>();
  readonly http = new Map<string, number>();
  frames = 0;
  requests = 0;
  cases = 0;
  readonly #names = messageNames();

  constructor(readonly roles: readonly Role[]) {}

  /** One frame sent by a client in `role` (its text with the placeholders filled in). */
  frame(role: Role, text: string, binary: boolean): void {
    this.frames++;
    const name = binary ? null : nameOf(text);
    if (name === null || !this.#names.has(name)) return;
    const key = `${role} ${name}`;
    const pair = this.pairs.get(key) ?? { sent: 0, valid: 0 };
    pair.sent++;
    if (accepted(text)) pair.valid++;
    this.pairs.set(key, pair);
  }

  request(method: string, target: string): void {
    this.requests++;
    bump(this.http, `${method.slice(0, 12)} ${target.split('?')[0].slice(0, 40)}`);
  }

  /** "pairs sent/all (valid v/all)": how much of role x message the run reached. */
  summary(): string {
    const all = this.roles.length * this.#names.size;
    const valid = [...this.pairs.values()].filter((p) => p.valid > 0).length;
    return `${this.cases} cases, ${this.frames} frames, ${this.requests} HTTP requests; role x message: ${this.pairs.size}/${all} sent, ${valid}/${all} valid; ${this.http.size} method x route`;
  }

  /** The pairs never sent (or never valid), for the last report. */
  gaps(): { unsent: string[]; neverValid: string[] } {
    const unsent: string[] = [];
    const neverValid: string[] = [];
    for (const role of this.roles) {
      for (const name of this.#names) {
        const pair = this.pairs.get(`${role} ${name}`);
        if (!pair) unsent.push(`${role} ${name}`);
        else if (pair.valid === 0) neverValid.push(`${role} ${name}`);
      }
    }
    return { unsent, neverValid };
  }
}

/** Whether the server's own validator takes it (one that throws is the server's bug: the fuzzer reports it). */
function accepted(text: string): boolean {
  try {
    return parseClientMessage(text).ok;
  } catch {
    return false;
  }
}

function nameOf(text: string): string | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown> | null;
    const name = v?.type ?? v?.command;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
