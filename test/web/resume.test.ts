// Getting the seat back (web/resume.ts), in Node with a stand-in for sessionStorage and a fake clock:
// which token a new connection presents, and when it presents none.

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SeatResume } from '../../web/resume.js';
import type { Limits, Role } from '../../web/messages.js';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  setItem(key: string, value: string): void { this.items.set(key, value); }
  removeItem(key: string): void { this.items.delete(key); }
}

const limits = { resumeWindowMs: 10_000 } as Limits;
const welcome = (resumeToken: string, role: Role) => ({ resumeToken, role, limits });

describe('SeatResume', () => {
  let store: MemoryStorage;
  let clock: number;
  let resume: SeatResume;

  beforeEach(() => {
    store = new MemoryStorage();
    clock = 1_000_000;
    resume = new SeatResume(store, () => clock);
  });

  it('a tab that drove presents its previous token on the next welcome, and keeps the newest', () => {
    assert.equal(resume.welcome(welcome('first', 'driver')), null, 'nothing before the first connection');
    resume.ended();
    clock += 3000;
    assert.equal(resume.welcome(welcome('second', 'spectator')), 'first');
    resume.role('driver'); // the server gave the seat back
    resume.ended();
    assert.equal(new SeatResume(store, () => clock).welcome(welcome('third', 'spectator')), 'second', 'a reload reads the same storage');
  });

  it('a tab that became driver later (claim, take-over) resumes too; one that gave the seat up does not', () => {
    resume.welcome(welcome('a', 'spectator'));
    resume.role('driver');
    resume.ended();
    assert.equal(resume.welcome(welcome('b', 'spectator')), 'a');
    resume.role('driver');
    resume.role('spectator'); // released, or taken over
    resume.ended();
    assert.equal(resume.welcome(welcome('c', 'spectator')), null);
  });

  it('presents nothing when the seat is already this connection\'s, or the window has passed', () => {
    resume.welcome(welcome('a', 'driver'));
    resume.ended();
    assert.equal(resume.welcome(welcome('b', 'driver')), null, 'the seat was free: no resume needed');
    resume.ended();
    clock += 10_001;
    assert.equal(resume.welcome(welcome('c', 'spectator')), null, 'too late: the server gave the seat away');
  });

  it('offers the token of a connection that drove at the next upgrade, within the window, without forgetting it', () => {
    assert.equal(resume.offer(), null, 'nothing before the first connection');
    resume.welcome(welcome('a', 'driver'));
    assert.equal(resume.offer(), 'a', 'this connection drives: a reconnect offers its token');
    resume.ended();
    clock += 9_000;
    assert.equal(resume.offer(), 'a');
    assert.equal(resume.offer(), 'a', 'offering does not use it up: the welcome still presents it');
    assert.equal(resume.welcome(welcome('b', 'spectator')), 'a');
    resume.role('spectator');
    assert.equal(resume.offer(), null, 'a spectator has no seat to come back to');
    resume.role('driver');
    resume.ended();
    clock += 10_001;
    assert.equal(resume.offer(), null, 'too late: the server no longer holds the seat');
  });

  it('after resume_failed the tab has no seat to come back to', () => {
    resume.welcome(welcome('a', 'driver'));
    resume.ended();
    assert.equal(resume.welcome(welcome('b', 'spectator')), 'a');
    resume.failed();
    resume.ended();
    assert.equal(resume.welcome(welcome('c', 'spectator')), null, 'the failed token is not tried again');
  });

  it('a server without resume tokens (an empty one) leaves nothing stored; junk in storage is ignored', () => {
    resume.welcome(welcome('', 'driver'));
    assert.equal(store.items.size, 0);
    store.setItem('webracer-resume', '{"token":5}');
    assert.equal(resume.welcome(welcome('x', 'spectator')), null);
    store.setItem('webracer-resume', 'not json');
    assert.equal(resume.welcome(welcome('y', 'spectator')), null);
  });
});
