"""notifier.py: a stand-in for systemd's NOTIFY_SOCKET, for notify.sh.

notifier.py NOTIFY_SOCKET CONTROL_SOCKET OUT
Records each datagram as one line in OUT; on READY=1 it also connects to
the control socket at once and records whether it accepted.  Exits on
STOPPING=1 or after 60 s.
"""
import os
import socket
import sys
import time

path, control, out = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)   # as systemd's: the daemon sends after dropping root
s.settimeout(60)
with open(out, "w") as f:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        f.write(msg.replace("\n", " ") + "\n")
        if "READY=1" in msg:
            c = socket.socket(socket.AF_UNIX)
            try:
                c.connect(control)
                f.write("control accepts\n")
            except OSError as e:
                f.write("control refused: %s\n" % e)
            c.close()
        f.flush()
        if "STOPPING=1" in msg:
            break
