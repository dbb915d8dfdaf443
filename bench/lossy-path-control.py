"""Runs ../shared/tools/lossy-path/tunpath.py with two controls read from stdin, for
bench/drive-paths-lossy.ts (one path, one page and one server for every loss level and the outage):
  loss PCT     the loss each way from now on
  outage MS    a cut: for MS every packet is dropped, those read and those already on their way
Each command is answered `ok ...` on stdout once it is in force. Its addresses, fixed in the file
(10.212.0.1 and .2), are moved to 10.212.SUBNET.1 and .2, so that two benches at once do not collide.
usage: lossy-path-control.py TUNPATH NS DELAY_MS LOSS_PCT SUBNET"""
import os, sys, threading, time

path = sys.argv[1]
subnet = int(sys.argv[5])
sys.argv = [path] + sys.argv[2:5]
tunpath = {"__name__": "__main__", "__file__": path}
cut_until = [0.0]
write = os.write


def write_unless_cut(fd, data):
    # Packets already queued by the forwarder (its one-way delay) are lost in a cut too.
    if time.monotonic() < cut_until[0]:
        return len(data)
    return write(fd, data)


def outage(seconds):
    loss = tunpath["loss"]
    tunpath["loss"] = 2.0  # tunpath keeps a packet when random() >= loss: never
    cut_until[0] = time.monotonic() + seconds
    time.sleep(seconds)
    tunpath["loss"] = loss


def control():
    for line in sys.stdin:
        command, _, value = line.strip().partition(" ")
        if command == "loss":
            tunpath["loss"] = float(value) / 100
        elif command == "outage":
            threading.Thread(target=outage, args=(float(value) / 1000,), daemon=True).start()
        print(f"ok {line.strip()}", flush=True)


os.write = write_unless_cut
threading.Thread(target=control, daemon=True).start()
with open(path) as source:
    code = source.read()
if code.count('"10.212.0.') != 4:
    sys.exit(f"{path}: its addresses are not where this expects them (four \"10.212.0.x\")")
exec(compile(code.replace('"10.212.0.', f'"10.212.{subnet}.'), path, "exec"), tunpath)
