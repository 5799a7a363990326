"""impair.py: a bump in the wire that delays, loses or cuts frames.

This kernel has no tc netem, so the path-health tests put this relay in a
namespace between two veths: every Ethernet frame that arrives on one
interface leaves on the other, after a delay, unless it is lost or the link
is cut.  Addresses, protocols and checksums pass untouched, so both
tunneld see each other exactly as without it.

    impair.py IF_A IF_B CONTROL SECONDS

CONTROL is a file the test rewrites to change the impairment; it is read
every 50 ms and holds "key=value" words:

    delay_ms=N   each direction (so the RTT grows by 2N)
    loss_ab=P    percent of frames from IF_A to IF_B lost at random
    loss_ba=P    the same from IF_B to IF_A
    cut=1        nothing passes

The relay exits after SECONDS, whatever happens: every test run is bounded.
Frames the kernel sends out of IF_A or IF_B (PACKET_OUTGOING, including
the relay's own) are not relayed again.
"""
import heapq
import random
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def read_control(path, cur):
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        return cur
    new = {"delay_ms": 0.0, "loss_ab": 0.0, "loss_ba": 0.0, "cut": 0.0}
    for w in words:
        k, _, v = w.partition("=")
        if k in new:
            new[k] = float(v)
    return new


def main():
    if_a, if_b, control, seconds = sys.argv[1:5]
    end = time.monotonic() + float(seconds)
    socks = {}
    for name in (if_a, if_b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        socks[name] = s
    out = {if_a: socks[if_b], if_b: socks[if_a]}
    loss_key = {if_a: "loss_ab", if_b: "loss_ba"}
    by_fd = {s.fileno(): name for name, s in socks.items()}
    cfg = read_control(control, {})
    next_read = 0.0
    queue = []  # (due, n, socket, frame)
    n = 0
    stats = {"relayed": 0, "lost": 0, "cut": 0}
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now >= next_read:
            cfg = read_control(control, cfg)
            next_read = now + 0.05
        while queue and queue[0][0] <= now:
            _, _, s, frame = heapq.heappop(queue)
            try:
                s.send(frame)
                stats["relayed"] += 1
            except OSError:
                pass
        timeout = min(next_read, end) - now
        if queue:
            timeout = min(timeout, queue[0][0] - now)
        ready, _, _ = select.select(list(by_fd), [], [], max(timeout, 0))
        for fd in ready:
            name = by_fd[fd]
            while True:
                try:
                    frame, addr = socks[name].recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                if cfg.get("cut"):
                    stats["cut"] += 1
                    continue
                if random.random() * 100 < cfg.get(loss_key[name], 0):
                    stats["lost"] += 1
                    continue
                n += 1
                due = time.monotonic() + cfg.get("delay_ms", 0) / 1000.0
                heapq.heappush(queue, (due, n, out[name], frame))
    print("impair.py: %(relayed)d relayed, %(lost)d lost, %(cut)d cut" %
          stats, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
