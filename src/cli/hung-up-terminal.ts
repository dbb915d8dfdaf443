/**
 * A way round a crash in Node 20 itself when the process exits after its terminal hung up (an ssh
 * connection that drops, a terminal window closed): nodejs/node#51519, fixed upstream by #58200.
 *
 * At exit, Node restores the terminal settings it saw at start on descriptors 0-2 (ResetStdio in
 * src/node.cc) and asserts that tcsetattr() succeeded; on a terminal that hung up it fails with EIO, and
 * the process dies of SIGABRT (or SIGSEGV on the way) instead of exiting with our code. ResetStdio skips
 * a descriptor that no longer refers to the file it saw at start, so before exiting each of 0-2 that is a
 * terminal no more is closed and /dev/null opened in its place: open() takes the lowest free descriptor,
 * which is the one just closed (that is dup2() without a native addon). Stray writes after that go to
 * /dev/null, never into a file that happened to get the number. Node's own stdout and stderr handles are
 * not disturbed: for a terminal, libuv writes through a descriptor of its own (it reopens the tty).
 */
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Replaces each standard descriptor that is a terminal no more (a character device other than /dev/null
 * on which isatty() fails: it hung up) with /dev/null. Returns the descriptors replaced. Never throws: it
 * runs on the way out.
 */
export function releaseHungUpTerminals(): number[] {
  const replaced: number[] = [];
  if (process.platform === 'win32') return replaced;
  for (const fd of [0, 1, 2]) {
    try {
      if (!hungUp(fd)) continue;
      closeSync(fd);
      const got = openSync('/dev/null', fd === 0 ? 'r' : 'w');
      // Another thread took the number in between: leave it that file (ResetStdio skips it as not the same).
      if (got !== fd) closeSync(got);
      else replaced.push(fd);
    } catch {
      // Not open (EBADF: ResetStdio skips it too), or /dev/null missing: nothing better to do on the way out.
    }
  }
  return replaced;
}

function hungUp(fd: number): boolean {
  const stat = fstatSync(fd);
  return stat.isCharacterDevice() && !isatty(fd) && stat.rdev !== statSync('/dev/null').rdev;
}

/** From now on, however the process exits, a hung-up terminal is let go of first ('exit' runs before ResetStdio). */
export function releaseHungUpTerminalsAtExit(): void {
  process.once('exit', releaseHungUpTerminals);
}
