"""tcpxfer.py: move a file over one TCP connection, for checksum tests.

serve ADDR PORT OUTFILE   accept one connection, write what arrives
send ADDR PORT INFILE     connect and send the file, then close
"""
import socket
import sys


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


def send(addr, port, path):
    with socket.create_connection((addr, port), timeout=30) as s, \
            open(path, "rb") as f:
        s.sendfile(f)
        s.shutdown(socket.SHUT_WR)


if __name__ == "__main__":
    cmd, addr, port, path = sys.argv[1:5]
    (serve if cmd == "serve" else send)(addr, int(port), path)
