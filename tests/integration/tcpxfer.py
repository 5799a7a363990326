"""tcpxfer.py: move a file over one TCP connection, for checksum tests.

serve ADDR PORT OUTFILE   accept one connection, write what arrives
send ADDR PORT INFILE [SECONDS]
                          connect and send the file, then close; with
                          SECONDS, spread evenly over that long
"""
import socket
import sys
import time


def serve(addr, port, path):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(1)
        s.settimeout(30)
        conn, _ = s.accept()
        conn.settimeout(30)
        with conn, open(path, "wb") as out:
            while True:
                data = conn.recv(1 << 16)
                if not data:
                    break
                out.write(data)


def send(addr, port, path, seconds=0.0):
    with socket.create_connection((addr, port), timeout=30) as s, \
            open(path, "rb") as f:
        if seconds <= 0:
            s.sendfile(f)
        else:
            data = f.read()
            chunk = 64 << 10
            start = time.monotonic()
            for off in range(0, len(data), chunk):
                due = start + seconds * off / len(data)
                if due > time.monotonic():
                    time.sleep(due - time.monotonic())
                s.sendall(data[off:off + chunk])
        s.shutdown(socket.SHUT_WR)


if __name__ == "__main__":
    cmd, addr, port, path = sys.argv[1:5]
    if cmd == "serve":
        serve(addr, int(port), path)
    else:
        send(addr, int(port), path, float(sys.argv[5]) if len(sys.argv) > 5 else 0)
