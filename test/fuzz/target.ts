/**
 * The server under fuzz: the real `webracer` command as a child process (so a crash is seen, not
 * suffered, and /proc/PID is the server's alone), with three cars (red and blue simulated, green a real
 * car whose link is a TCP byte recorder: test/support/byte-recorder.ts), recording on, TURN credentials
 * minted, and the page served from a copy of dist/web with canaries around it (a file beside the folder,
 * a link inside pointing at it, a link named like a recording in the recordings folder), so a request
 * that reaches outside shows it. With a token or without. Restarted on the same folders if it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteRecorder } from '../support/byte-recorder.js';
import { ROOT } from '../safety/webracer-process.js';
import { Keeper } from './keeper.js';

export type TargetKind = 'token' | 'open';

/** Viewers a camera serves at once (--max-viewers): more than the default 4, so more video paths are busy. */
export const MAX_VIEWERS = 8;

/** A link named like a recording, planted in the recordings folder, pointing outside it (at the canary). */
export const PLANTED_LINK = '2000-01-01T00-00-00.000Z_green_c0.jsonl';

export interface Secrets {
  /** The drive token (null on a server without one). */
  token: string | null;
  turnSecret: string;
  /** The password of the fixed-credential TURN server. */
  turnPassword: string;
  canary: string;
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null; output: string }

/** Generous: two cores shared with other test runs, and tsx compiles the server first. */
const START_MS = 60_000;
/** A busy shared machine can be slow; a server that takes longer than this to answer one GET is hung. */
const PROBE_MS = 15_000;
const OUTPUT_TAIL = 64 * 1024;
/** The seat of a driver whose connection ended waits this long (short: the next case's driver claims it). */
const RESUME_WINDOW_MS = 1_000;

export class FuzzTarget {
  readonly secrets: Secrets;
  readonly recDir: string;
  readonly webDir: string;
  port = 0;
  /** Every exit the fuzzer saw (each is a violation of "the process stays up"). */
  readonly exits: Exit[] = [];
  #child: ChildProcess | null = null;
  #output = '';
  #exited: Promise<void> = Promise.resolve();
  keeper: Keeper | null = null;
  /** Descriptors found leaked already (`fd path`, resources.ts): reported once, by whichever run saw them. */
  readonly leaked = new Set<string>();

  private constructor(readonly kind: TargetKind, readonly dir: string, readonly car: ByteRecorder) {
    const id = Math.random().toString(36).slice(2, 10);
    this.secrets = {
      token: kind === 'token' ? `tok-${id}-secret` : null, turnSecret: `turn-secret-${id}`,
      turnPassword: `turn-pass-${id}`, canary: `CANARY-${id}-outside-the-page`,
    };
    this.recDir = join(dir, 'rec');
    this.webDir = join(dir, 'web');
  }

  static async start(kind: TargetKind): Promise<FuzzTarget> {
    const web = join(ROOT, 'dist/web');
    if (!existsSync(join(web, 'index.html'))) throw new Error('no dist/web/index.html: run `node scripts/build-web.mjs` first');
    const dir = mkdtempSync(join(tmpdir(), `webracer-protocol-fuzzer-${kind}-`));
    const target = new FuzzTarget(kind, dir, await ByteRecorder.start());
    try {
      target.#plantCanaries(web);
      await target.#spawn();
    } catch (err) {
      await target.close();
      throw err;
    }
    return target;
  }

  get pid(): number {
    return this.#child?.pid ?? 0;
  }

  get alive(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** What the server printed lately (stderr and stdout interleaved). */
  get output(): string {
    return this.#output;
  }

  /** The arguments a person would type to run this target by hand. */
  get args(): string[] {
    return [
      '--port', '0', '--host', '127.0.0.1', '--no-qr', '--car', 'red=sim', '--car', 'blue=sim', '--car', `green=${this.car.link}`,
      '--record', this.recDir, '--static-dir', this.webDir, '--resume-window-ms', String(RESUME_WINDOW_MS),
      '--max-viewers', String(MAX_VIEWERS), '--ice-server', 'turn:127.0.0.1:3478', '--ice-server', `turn:fuzz:${this.secrets.turnPassword}@127.0.0.1:3479`,
      '--turn-secret', this.secrets.turnSecret,
    ];
  }

  /**
   * Whether the server still answers (GET /api/cars). Anything a case's last message set going on the
   * server's next turns (a recorder's flush) has happened by then: a fault closes the listeners at once.
   */
  answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = get({ host: '127.0.0.1', port: this.port, path: '/api/cars', localAddress: '127.0.0.254', timeout: PROBE_MS }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  }

  /** Starts the server again if it is down; true if it had to. */
  async ensureUp(): Promise<boolean> {
    if (this.alive) return false;
    await this.#exited;
    await this.#spawn();
    return true;
  }

  async close(): Promise<void> {
    this.keeper?.close();
    if (this.alive) this.#child!.kill('SIGKILL');
    await this.#exited;
    await this.car.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #plantCanaries(web: string): void {
    writeFileSync(join(this.dir, 'outside.txt'), `${this.secrets.canary}\n`);
    cpSync(web, this.webDir, { recursive: true });
    symlinkSync(join(this.dir, 'outside.txt'), join(this.webDir, 'link-out.txt'));
    mkdirSync(this.recDir, { mode: 0o700 });
    symlinkSync(join(this.dir, 'outside.txt'), join(this.recDir, PLANTED_LINK));
  }

  async #spawn(): Promise<void> {
    const env = { ...process.env, WEBRACER_TOKEN: this.secrets.token ?? '', WEBRACER_FAULTS: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...this.args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const orphaned = (): void => void child.kill('SIGKILL'); // never outlive the fuzzer (a server whose log pipe broke may not stop on SIGTERM)
    process.once('exit', orphaned);
    child.once('exit', () => process.off('exit', orphaned));
    this.#output = '';
    this.leaked.clear();
    const keep = (d: string): void => {
      this.#output = (this.#output + d).slice(-OUTPUT_TAIL);
    };
    child.stdout!.setEncoding('utf8').on('data', keep);
    child.stderr!.setEncoding('utf8').on('data', keep);
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.exits.push({ code, signal, output: this.#output });
      resolve();
    }));
    this.port = await this.#url(child).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
    this.keeper?.close();
    this.keeper = await Keeper.start(this);
  }

  #url(child: ChildProcess): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server printed no URL within ${START_MS} ms:\n${this.#output}`)), START_MS);
      const look = (): void => {
        const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(this.#output);
        if (!match) return;
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(Number(match[1]));
      };
      child.stdout!.on('data', look);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`the server exited before printing its URL:\n${this.#output}`));
      });
    });
  }
}
