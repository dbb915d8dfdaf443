/**
 * One fuzz run against one target, case after case: runs a case (runner.ts), then checks what can only
 * be checked from outside once it is over (the process is up, green got no byte it should not have, the
 * descriptors and memory, the recordings' new lines), and sorts every violation: this case's own, or one
 * of an earlier case (a late line in a recording) or of none (memory).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Coverage } from './coverage.js';
import { RecordingScanner } from './recording-scan.js';
import { ResourceBounds, sample, type Sample } from './resources.js';
import { runCase } from './runner.js';
import type { Role, Scenario } from './scenario.js';
import type { FuzzTarget } from './target.js';
import { violation, type Violation } from './violations.js';

const QUIET_MS = 5_000;
const WARM_CASES = 3;
const KEEP_CASES = 1_000;

export interface Finding { violation: Violation; scenario: Scenario | null }

export class FuzzSession {
  readonly coverage: Coverage;
  /** Violations of an earlier case, or of none. */
  readonly late: Finding[] = [];
  restarts = 0;
  last: Sample | null = null;
  #caseNo = 0;
  readonly #scenarios = new Map<number, Scenario>();
  readonly #scanner: RecordingScanner;
  readonly #bounds = new ResourceBounds();
  #bytesSeen = 0;
  #keeperOthers = 0;
  #memoryReported = false;
  #exitsSeen = 0;
  /** The case each client id came from. */
  readonly #clientCase = new Map<string, number>();

  constructor(readonly target: FuzzTarget, roles: readonly Role[]) {
    this.coverage = new Coverage(roles);
    this.#scanner = new RecordingScanner(target.recDir);
    this.#bytesSeen = target.car.bytes.length;
  }

  /** Runs one case; returns its own violations (an earlier case's go to `late`). */
  async run(s: Scenario): Promise<Violation[]> {
    const before: Violation[] = [];
    this.#exited(this.#caseNo, (v) => before.push(v)); // it went down after its case was checked
    this.#sort(before, NaN); // so: a late finding, with that case
    if (await this.target.ensureUp()) {
      this.restarts++;
      this.#bounds.reset();
      this.#clientCase.clear(); // a new process numbers its clients from c1 again
      this.#keeperOthers = 0; // and has a new keeper
    }
    const caseNo = ++this.#caseNo;
    this.#remember(caseNo, s);
    this.coverage.cases++;
    const found: Violation[] = [];
    const report = (v: Violation): void => void found.push(v);
    await runCase(s, {
      target: this.target, caseNo, report,
      sent: (client, frame, text) => this.coverage.frame(client.plan.role, text, frame.kind === 'binary' || frame.kind === 'bad-utf8'),
      requested: (method, target) => this.coverage.request(method, target),
      welcomed: (clientId) => this.#clientCase.set(clientId, caseNo),
    });
    await this.#afterCase(caseNo, report);
    // When the process went down, every connection dropping with it (1006, no pong) is the same finding.
    const down = found.some((v) => v.invariant === 'up');
    return this.#sort(down ? found.filter((v) => v.invariant !== 'closes' && v.invariant !== 'replies') : found, caseNo);
  }

  async #afterCase(caseNo: number, report: (v: Violation) => void): Promise<void> {
    // A server that does not answer any more is going down: give it a moment to. One that stays is hung.
    const answered = await this.target.answers();
    if (!answered) for (let i = 0; i < 30 && this.target.alive; i++) await sleep(100);
    if (this.#exited(caseNo, report)) return;
    if (!answered) report(violation('up', 'the server is running but did not answer GET /api/cars', caseNo));
    await this.#quiet(caseNo, report);
    this.#carBytes(caseNo, report);
    for (const v of this.#scanner.scan(caseNo, (client) => this.#clientCase.get(client))) report(v);
    this.#exited(caseNo, report);
  }

  /** Reports each exit of the server not reported yet; true if it is down. */
  #exited(caseNo: number, report: (v: Violation) => void): boolean {
    for (const exit of this.target.exits.slice(this.#exitsSeen)) {
      const output = exit.output.slice(-4000);
      report(violation('up', `the server exited (code ${exit.code ?? '-'}, signal ${exit.signal ?? 'none'}); its last output:\n${output}`, caseNo));
    }
    this.#exitsSeen = this.target.exits.length;
    return !this.target.alive;
  }

  /** Waits (a little) until nothing the case opened is open in the server any more, then holds it to that. */
  async #quiet(caseNo: number, report: (v: Violation) => void): Promise<void> {
    const folders = [this.target.recDir, this.target.webDir, this.target.dir];
    const deadline = Date.now() + QUIET_MS;
    const fresh = (x: Sample): string[] => x.readers.filter((r) => !this.target.leaked.has(r));
    let s = sample(this.target.pid, folders);
    const busy = (x: Sample): boolean => fresh(x).length > 0 || this.#bounds.socketsOver(x) > 0 || this.#bounds.fdsOver(x, this.target.leaked.size) > 0;
    while (s !== null && busy(s) && Date.now() < deadline) {
      await sleep(50);
      s = sample(this.target.pid, folders);
    }
    if (s === null) return;
    const leaks = fresh(s);
    for (const r of leaks) this.target.leaked.add(r); // reported once: the next cases wait only for their own
    this.last = s;
    if (this.#bounds.baseline === null || (caseNo <= WARM_CASES && s.rssKb > this.#bounds.baseline.rssKb)) this.#bounds.setBaseline(s);
    if (leaks.length > 0) report(violation('descriptors', `${leaks.length} file(s) still open for reading with no client left (fd path): ${leaks.join(', ')}`, caseNo));
    if (this.#bounds.socketsOver(s) > 0) report(violation('descriptors', `${s.sockets} sockets open with no client left (warm: ${this.#bounds.baseline!.sockets})`, caseNo));
    else if (this.#bounds.fdsOver(s, this.target.leaked.size) > 0) report(violation('descriptors', `${s.fds} descriptors open with no client left (warm: ${this.#bounds.baseline!.fds}, leaks reported: ${this.target.leaked.size})`, caseNo));
    if (s.rssKb > this.#bounds.rssLimitKb() && !this.#memoryReported) {
      this.#memoryReported = true;
      report(violation('memory', `resident ${Math.round(s.rssKb / 1024)} MiB, over ${Math.round(this.#bounds.rssLimitKb() / 1024)} MiB (warm: ${Math.round(this.#bounds.baseline!.rssKb / 1024)} MiB)`, null));
    }
  }

  /** Green's driver (the keeper) never asks it to move: any byte but a stop (0x0Y on an i-Racer) came from someone else. */
  #carBytes(caseNo: number, report: (v: Violation) => void): void {
    const bytes = this.target.car.bytes;
    const moving = bytes.slice(this.#bytesSeen).filter((b) => b.value >> 4 !== 0);
    this.#bytesSeen = bytes.length;
    if (moving.length > 0) {
      report(violation('carBytes', `green (driven only by the keeper, who never moves it) got ${moving.map((b) => `0x${b.value.toString(16)}`).join(' ')}`, caseNo));
    }
    const others = this.target.keeper?.others ?? [];
    if (others.length > this.#keeperOthers) {
      report(violation('carBytes', `green's seat went from its driver to ${others.slice(this.#keeperOthers).join(', ')}`, caseNo));
    }
    this.#keeperOthers = others.length;
  }

  #sort(found: Violation[], caseNo: number): Violation[] {
    const own: Violation[] = [];
    for (const v of found) {
      if (v.caseNo === caseNo) own.push(v);
      else this.late.push({ violation: v, scenario: v.caseNo === null ? null : this.#scenarios.get(v.caseNo) ?? null });
    }
    return own;
  }

  #remember(caseNo: number, s: Scenario): void {
    this.#scenarios.set(caseNo, s);
    this.#scenarios.delete(caseNo - KEEP_CASES);
    if (this.#clientCase.size > 10 * KEEP_CASES) this.#clientCase.clear();
  }
}
