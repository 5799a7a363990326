"""espreplay.py: send captured ESP-in-UDP packets again, as an attacker.

espreplay.py PCAP DST [flip]
    Every UDP datagram to port 4500 in PCAP (classic pcap, Ethernet) is
    sent again, once, to DST port 4500 from this namespace: as captured
    (replays), or forged ("flip"): one bit of its ciphertext flipped and
    a sequence number no packet has had yet, so that the window lets it
    through to the ICV check.  Prints how many.  The count is the
    capture's: bounded.
"""
import socket
import struct
import sys


def datagrams(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        payload = udp_payload(frame)
        if payload is not None:
            yield payload


def udp_payload(frame):
    """The payload of a UDP datagram to port 4500 in an Ethernet frame."""
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800 and ip[9] == 17:
        udp = ip[(ip[0] & 15) * 4:]
    elif etype == 0x86DD and ip[6] == 17:
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8 or struct.unpack("!H", udp[2:4])[0] != 4500:
        return None
    return udp[8:struct.unpack("!H", udp[4:6])[0]]


def main():
    path, dst = sys.argv[1], sys.argv[2]
    flip = len(sys.argv) > 3 and sys.argv[3] == "flip"
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    n = 0
    for p in datagrams(path):
        if len(p) < 40:
            continue
        if flip:
            b = bytearray(p)
            b[len(b) // 2] ^= 0x04  # inside the ciphertext
            b[4:8] = struct.pack("!I", 0x40000000 + n)
            p = bytes(b)
        s.sendto(p, (dst, 4500))
        n += 1
    print(n)


if __name__ == "__main__":
    main()
