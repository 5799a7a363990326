"""junk.py: bounded bursts of bad tunnel packets for the bad-input test.

junk.py stranger HUB      random, truncated and oversized UDP to the VXLAN
                          and GRE-in-UDP ports, and raw GRE (protocol 47)
junk.py peer HUB          well-addressed VXLAN from a known peer with bad
                          flags, truncated headers, unknown VNIs, runts and
                          an inner frame larger than the segment's MTU
junk.py flood HUB FLAG    20000 small VXLAN packets, then 10 once FLAG exists
Every burst is a fixed count; nothing loops without a bound.
"""
import os
import random
import socket
import struct
import sys
import time

COUNT = 300


def vxlan(vni, flags=0x08, inner=None):
    if inner is None:
        inner = b"\xff" * 6 + b"\x02\x00\x00\x00\x99\x01" + b"\x08\x06" + \
            os.urandom(28)
    return struct.pack("!BBHI", flags, 0, 0, vni << 8) + inner


def stranger(hub):
    rnd = random.Random(7)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for port in (4789, 4754):
        for i in range(COUNT):
            size = rnd.choice([0, 1, 7, 8, 30, 200, 1400, 3000, 8000])
            u.sendto(os.urandom(size), (hub, port))
        for i in range(COUNT):
            u.sendto(vxlan(100), (hub, port))
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    for i in range(COUNT):
        r.sendto(os.urandom(rnd.choice([0, 3, 8, 60, 1000])), (hub, 0))
    print("stranger: sent %d packets" % (COUNT * 5))


def peer(hub):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cases = [
        ("bad_flags", vxlan(100, flags=0x88)),
        ("bad_flags", vxlan(100, flags=0x00)),
        ("truncated", b"\x08\x00\x00"),
        ("unknown_vni", vxlan(4242)),
        ("runt", vxlan(100, inner=b"\x01\x02\x03")),
        ("oversize", vxlan(100, inner=b"\x02" * 6 + b"\x02\x00\x00\x00\x99"
                           b"\x02" + b"\x08\x00" + os.urandom(3000))),
    ]
    for name, pkt in cases:
        for i in range(COUNT // 6):
            u.sendto(pkt, (hub, 4789))
    print("peer: sent %d packets" % (len(cases) * (COUNT // 6)))


def flood(hub, flag):
    """20000 VXLAN packets to fill a stopped hub's socket buffer; then,
    once the file flag exists (the hub runs again), 10 more from the same
    socket: the kernel reports its drop count with packets queued after
    the drops, and only on the socket that dropped."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pkt = vxlan(4242)
    for i in range(20000):
        u.sendto(pkt, (hub, 4789))
    open(flag + ".burst", "w").close()
    for i in range(100):
        if os.path.exists(flag):
            break
        time.sleep(0.1)
    for i in range(10):
        u.sendto(pkt, (hub, 4789))
    print("flood: sent 20010 packets")


if __name__ == "__main__":
    {"stranger": stranger, "peer": peer, "flood": flood}[sys.argv[1]](
        *sys.argv[2:])
