"""macjunk.py: VXLAN frames with chosen source MACs, from a known peer.

macjunk.py steal HUB SRC_MAC            3 ARP broadcasts from SRC_MAC
macjunk.py flood HUB DST_MAC COUNT      COUNT frames to DST_MAC, each from
                                        a new random source MAC
The frames go to HUB's VXLAN port (VNI 100) from this namespace, whose
address the hub knows as a peer's.  Every burst is a fixed count.
"""
import os
import socket
import struct
import sys


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def vxlan(dst, src, payload):
    return struct.pack("!II", 0x08000000, 100 << 8) + dst + src + \
        b"\x08\x06" + payload


def main():
    mode, hub = sys.argv[1], sys.argv[2]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if mode == "steal":
        for _ in range(3):
            u.sendto(vxlan(b"\xff" * 6, mac(sys.argv[3]), bytes(28)),
                     (hub, 4789))
    elif mode == "flood":
        dst, count = mac(sys.argv[3]), int(sys.argv[4])
        for _ in range(count):
            src = bytes([0x02]) + os.urandom(5)
            u.sendto(vxlan(dst, src, bytes(28)), (hub, 4789))
    else:
        sys.exit("usage: macjunk.py steal|flood HUB ...")


if __name__ == "__main__":
    main()
