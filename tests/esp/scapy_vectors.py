#!/usr/bin/python3
"""scapy_vectors.py: ESP packets sealed by scapy's IPsec, for check_esp.

Writes one case per line to stdout: cipher, SPI, 64-bit sequence number,
keying material (key || salt), next header, payload, and the ESP packet
scapy made of it (transport mode, ESN on, the IV set to the sequence
number as tunneld sets it), all hex.  With a seed argument the cases are
the same each time; without, new keys and payloads every run, so that
each test run checks tunneld against scapy afresh.  Needs python3-scapy
(run it with /usr/bin/python3).
"""
import os
import random
import struct
import sys

from scapy.layers.inet import IP
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw

ALGOS = {"aes-256-gcm": "AES-GCM", "chacha20-poly1305": "CHACHA20-POLY1305"}


def case(rnd, cipher, length, nh, high):
    keymat = bytes(rnd.getrandbits(8) for _ in range(36))
    spi = rnd.getrandbits(32) | 0x100
    low = rnd.getrandbits(32) | 1
    payload = bytes(rnd.getrandbits(8) for _ in range(length))
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo=ALGOS[cipher],
                             crypt_key=keymat, esn_en=True, esn=high)
    iv = struct.pack("!LL", high, low)
    sealed = sa.encrypt(IP(src="10.0.0.1", dst="10.0.0.2", proto=nh) /
                        Raw(load=payload), seq_num=low, iv=iv)
    esp = bytes(sealed)[20:]
    seq = high << 32 | low
    return " ".join([cipher, "%08x" % spi, "%016x" % seq, keymat.hex(),
                     "%d" % nh, payload.hex() or "-", esp.hex()])


def main():
    rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else
                        int.from_bytes(os.urandom(8), "big"))
    for cipher in ALGOS:
        for length, nh, high in ((0, 17, 0), (1, 47, 0), (2, 17, 1),
                                 (3, 17, 7), (4, 47, 0xffffffff),
                                 (61, 17, 2), (64, 47, 0),
                                 (1400, 17, 5), (1472, 47, 0)):
            print(case(rnd, cipher, length, nh, high))


if __name__ == "__main__":
    main()
