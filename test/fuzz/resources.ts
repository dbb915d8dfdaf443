/**
 * The server's descriptors and memory, from /proc/PID. Bounds that hold on a busy shared machine: no
 * absolute numbers, only comparisons with the server itself once warm (its baseline). Once every client
 * of a case is gone, no file of the page's folder or of the recordings may still be open for reading
 * (every answer that opened one has ended: an open one is a leak, one per request), and the sockets and
 * all descriptors come back to near the baseline; resident memory stays under three times the warm baseline (or 256 MiB
 * above it, whichever is more: a client that does not read may have 16 MiB queued legitimately).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface Sample {
  fds: number;
  sockets: number;
  /** Files of the watched folders open read-only (`fd path`): what an answer opened and never closed. */
  readers: string[];
  rssKb: number;
}

export function sample(pid: number, folders: readonly string[]): Sample | null {
  try {
    const names = readdirSync(`/proc/${pid}/fd`);
    let sockets = 0;
    const readers: string[] = [];
    for (const fd of names) {
      const link = safeReadlink(`/proc/${pid}/fd/${fd}`);
      if (link === null) continue;
      if (link.startsWith('socket:')) sockets++;
      else if (folders.some((f) => link.startsWith(f)) && readOnly(pid, fd)) readers.push(`${fd} ${link}`);
    }
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { fds: names.length, sockets, readers, rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return null; // the process is gone: "the process stays up" says so
  }
}

function safeReadlink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null; // closed between the listing and now
  }
}

function readOnly(pid: number, fd: string): boolean {
  try {
    const flags = /flags:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    return flags !== null && (parseInt(flags[1], 8) & 3) === 0; // O_ACCMODE == O_RDONLY
  } catch {
    return false;
  }
}

export class ResourceBounds {
  #baseline: Sample | null = null;

  /** The server once warm: taken after the first cases, and again after a restart. */
  setBaseline(s: Sample): void {
    this.#baseline = s;
  }

  get baseline(): Sample | null {
    return this.#baseline;
  }

  reset(): void {
    this.#baseline = null;
  }

  /** Sockets above the baseline that may linger a moment after a close (TCP's own teardown). */
  static readonly SOCKET_SLACK = 8;

  socketsOver(s: Sample): number {
    return this.#baseline === null ? 0 : Math.max(0, s.sockets - this.#baseline.sockets - ResourceBounds.SOCKET_SLACK);
  }

  /** Descriptors of any kind above the baseline (and the leaks already reported) that may linger a moment. */
  static readonly FD_SLACK = 16;

  fdsOver(s: Sample, reported: number): number {
    return this.#baseline === null ? 0 : Math.max(0, s.fds - reported - this.#baseline.fds - ResourceBounds.FD_SLACK);
  }

  rssLimitKb(): number {
    const base = this.#baseline?.rssKb ?? 0;
    return Math.max(3 * base, base + 256 * 1024);
  }
}
