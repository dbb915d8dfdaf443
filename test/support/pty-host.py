"""A command on a pseudo-terminal of its own, as its controlling terminal: an ssh login in small.

Usage: python3 pty-host.py COMMAND [ARG...]

Relays everything the command writes to the terminal onto our stdout. Lines on our stdin act on the
terminal: `hangup` closes its master side, as sshd does when the connection drops (the kernel hangs the
terminal up: SIGHUP to the command, which leads the session; EIO on its writes); `stop-output` and
`start-output` type Ctrl+S and Ctrl+Q (XOFF, XON: the terminal stops taking output, and writes to it
wait, until it is started again). Our stdin closing (the test that started us is gone) kills the command
instead, so nothing is left behind.

On stderr, one JSON object a line: {"pid": N} once the command runs, {"code": C, "signal": S} when it has
exited (S a signal's name, or null). Node cannot open a pseudo-terminal without a native addon; Python's
standard library can.
"""
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import termios


def report(obj):
    sys.stderr.write(json.dumps(obj) + "\n")
    sys.stderr.flush()


def main():
    master, slave = os.openpty()

    def take_terminal():
        # After setsid() (start_new_session): the pty becomes the new session's controlling terminal.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave,
                             start_new_session=True, preexec_fn=take_terminal)
    os.close(slave)
    report({"pid": child.pid})
    stdin = sys.stdin.fileno()
    watched = [master, stdin]
    master_open = True
    while child.poll() is None:
        ready, _, _ = select.select(watched, [], [], 0.2)
        if master in ready and not relay(master):
            watched.remove(master)  # EIO: every slave descriptor is closed
        if stdin in ready:
            line = os.read(stdin, 256)
            if not line:
                child.kill()
                watched.remove(stdin)
            elif b"stop-output" in line and master_open:
                os.write(master, b"\x13")
            elif b"start-output" in line and master_open:
                os.write(master, b"\x11")
            elif b"hangup" in line and master_open:
                os.close(master)
                master_open = False
                if master in watched:
                    watched.remove(master)
    code = child.wait()
    report({"code": code, "signal": None} if code >= 0 else {"code": None, "signal": signal.Signals(-code).name})


def relay(master):
    try:
        data = os.read(master, 65536)
    except OSError:
        return False
    if not data:
        return False
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return True


main()
