#!/usr/bin/python3
"""espscapy.py: scapy's IPsec as tunneld's encrypted peer (issue 11).

Run with /usr/bin/python3 (Debian's python3-scapy).  scapy 2.5.0's
nat_t_header writes a wrong UDP length, so the RFC 3948 UDP header is
added and stripped here: ESP bytes go out of a UDP socket on port 4500.

espscapy.py send CIPHER KEYMAT SPI ENCAP SRC DST COUNT
    COUNT frames, each a broadcast UDP datagram to port 9999 carrying
    "scapy-N", in VXLAN (VNI 100, UDP to 4789) or GRE (key 100 << 8),
    sealed by scapy in ESP transport mode with ESN, numbers 1..COUNT,
    sent from SRC:4500 to DST:4500.
espscapy.py check CIPHER KEYMAT SPI ENCAP SRC DST PCAP
    Every ESP-in-UDP packet from SRC to DST in PCAP is decrypted by scapy
    and must be the transport packet tunneld promises: VXLAN (UDP to
    4789, VNI 100) or GRE (protocol 0x6558, key 100 << 8) around an
    Ethernet frame; the sequence numbers unique.  Prints the count, how
    many frames carry "pod-N" markers, and the lowest and highest number.
"""
import socket
import struct
import sys

from scapy.all import rdpcap
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.layers.l2 import GRE, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

ALGOS = {"aes-256-gcm": "AES-GCM", "chacha20-poly1305": "CHACHA20-POLY1305"}


def sa_of(cipher, keymat, spi):
    return SecurityAssociation(ESP, spi=int(spi, 0), crypt_algo=ALGOS[cipher],
                               crypt_key=bytes.fromhex(keymat), esn_en=True)


def ip(src, dst, **kw):
    return IPv6(src=src, dst=dst, **kw) if ":" in src else \
        IP(src=src, dst=dst, **kw)


def frame(i):
    return (Ether(src="02:00:00:00:21:01", dst="ff:ff:ff:ff:ff:ff") /
            IP(src="10.10.0.99", dst="10.10.0.255") /
            UDP(sport=9999, dport=9999) / Raw(b"scapy-%d" % i))


def send(cipher, keymat, spi, encap, src, dst, count):
    sa = sa_of(cipher, keymat, spi)
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 4500))
    for i in range(1, int(count) + 1):
        if encap == "vxlan":
            inner = UDP(sport=50000 + i, dport=4789) / VXLAN(flags=0x08, vni=100) / \
                frame(i)
        else:
            inner = GRE(key_present=1, key=100 << 8, proto=0x6558) / frame(i)
        sealed = sa.encrypt(ip(src, dst) / inner, seq_num=i)
        esp = bytes(sealed[ESP])
        s.sendto(esp, (dst, 4500))
    print(count)


def transport(pkt, encap):
    """The Ethernet frame in a decrypted transport packet, or exit."""
    if encap == "vxlan":
        u = pkt[UDP]
        assert u.dport == 4789, "inner UDP to %d" % u.dport
        assert pkt[VXLAN].vni == 100, "VNI %d" % pkt[VXLAN].vni
        return pkt[VXLAN].payload
    g = pkt[GRE]
    assert g.proto == 0x6558 and g.key_present and g.key == 100 << 8, \
        "GRE %r" % g
    return g.payload


def check(cipher, keymat, spi, encap, src, dst, path):
    sa = sa_of(cipher, keymat, spi)
    seqs, pod = [], 0
    for p in rdpcap(path):
        l3 = p[IPv6] if IPv6 in p else p[IP]
        if l3.src != src or l3.dst != dst or UDP not in p or \
                p[UDP].dport != 4500:
            continue
        esp = bytes(p[UDP].payload)
        nh = 50
        outer = ip(src, dst, nh=nh) if ":" in src else ip(src, dst, proto=nh)
        enc = outer.__class__(bytes(outer / Raw(esp)))
        try:
            plain = sa.decrypt(enc)
        except Exception:
            sys.stderr.write("cannot decrypt %d bytes: %s\n" %
                             (len(esp), esp[:24].hex()))
            raise
        eth = transport(plain, encap)
        assert isinstance(eth, Ether), "not an Ethernet frame: %r" % eth
        seqs.append(struct.unpack("!I", esp[4:8])[0])
        if Raw in eth and bytes(eth[Raw].load).startswith(b"pod-"):
            pod += 1
    assert seqs, "no ESP packets from %s to %s" % (src, dst)
    # Threads seal in parallel: unique, not always in the order sent.
    assert len(set(seqs)) == len(seqs), "a sequence number repeats"
    print(len(seqs), pod, min(seqs), max(seqs))


if __name__ == "__main__":
    {"send": send, "check": check}[sys.argv[1]](*sys.argv[2:])
