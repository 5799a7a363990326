"""ctlclient.py: raw control-socket conversations for control.sh.

ctlclient.py SOCKET junk      bad requests, each answered with an error,
                              then a good one on the same connection
ctlclient.py SOCKET flood     more connections than tunneld admits
ctlclient.py SOCKET hog N S   N idle connections: how many are still open
                              after 1 s and after S s (one line each)
"""
import time
import json
import socket
import sys

BAD = [
    b"not json\n",
    b"[1, 2, 3]\n",
    b'{"cmd": "shutdown"}\n',
    b'{"cmd": "status", "extra": 1}\n',
    b'{"cmd": "fdb", "segment": 7}\n',
    b"x" * 10000 + b"\n",          # longer than a request may be
    b"\xff\xfe\x00garbage\n",
]


def conversation(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    f = s.makefile("rb")
    for req in BAD:
        s.sendall(req)
        reply = json.loads(f.readline())
        assert reply["ok"] is False and reply["error"], (req[:40], reply)
        print("refused:", reply["error"])
    s.sendall(b'{"cmd": "status"}\n')
    reply = json.loads(f.readline())
    assert reply["ok"] is True, reply
    print("still usable: status ok")


def flood(path):
    conns = []
    refused = 0
    for _ in range(80):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)         # blocking: waits while the backlog is full
        s.settimeout(5)
        conns.append(s)
    for s in conns:
        try:
            s.sendall(b'{"cmd": "status"}\n')
            if not s.recv(1):
                refused += 1
        except OSError:
            refused += 1
    print("refused connections:", refused)
    assert refused >= 80 - 64, refused
    for s in conns:
        s.close()


def alive(conns):
    n = 0
    for s in conns:
        try:
            if s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK):
                n += 1
        except BlockingIOError:
            n += 1          # open, nothing to read
        except OSError:
            pass
    return n


def hog(path, count, hold):
    conns = []
    for _ in range(int(count)):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        conns.append(s)
    time.sleep(1)
    print("open after 1 s:", alive(conns), flush=True)
    time.sleep(float(hold))
    print("open after %s s:" % hold, alive(conns), flush=True)
    for s in conns:
        s.close()


if __name__ == "__main__":
    modes = {"junk": conversation, "flood": flood, "hog": hog}
    modes[sys.argv[2]](sys.argv[1], *sys.argv[3:])
