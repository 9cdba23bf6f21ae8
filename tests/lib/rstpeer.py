#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Odd peers for the sockcat tests: peers that reset, that close for good
# while the other side still sends, and a UNIX listener whose backlog is
# full.  Servers listen on 127.0.0.1 port 0 (or a UNIX PATH) and write
# their port (or "ready") to PORTFILE once they accept.
#
# rstpeer.py server PORTFILE: read 1 MB from the first client, then reset
#   the connection.
# rstpeer.py client PORT N: connect, send N bytes of "x", wait 0.2 s, reset.
#   A reset is a close with SO_LINGER {1, 0}: the kernel sends RST.
# rstpeer.py oneline [half] PORTFILE: read one line from the first client
#   and close for good (with "half": shut down the sending side only and
#   read to the end, printing what came after the line on stdout).
# rstpeer.py hello [half] PORTFILE: send "hello" to the first client and
#   close for good (with "half": shut down the sending side only, read to
#   the end and print what came on stdout).
# rstpeer.py seqone PATH PORTFILE: a unix-seqpacket listener at PATH that
#   reads one record from the first client, closes for good and prints
#   "closed".
# rstpeer.py fullbacklog PATH PORTFILE: a UNIX stream listener at PATH with
#   a backlog of 0, filled by a connection of its own, that never accepts.
import os
import socket
import struct
import sys
import time

RST = struct.pack("ii", 1, 0)


def ready(portfile, text):
    with open(portfile + ".tmp", "w") as f:
        f.write("%s\n" % text)
    os.rename(portfile + ".tmp", portfile)


def tcp_listener(portfile):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    ready(portfile, lsock.getsockname()[1])
    return lsock


def read_line(conn):
    line = b""
    while not line.endswith(b"\n"):
        d = conn.recv(1)
        if not d:
            break
        line += d
    return line


def half_close_and_print(conn):
    conn.shutdown(socket.SHUT_WR)
    rest = b""
    while True:
        d = conn.recv(65536)
        if not d:
            break
        rest += d
    sys.stdout.buffer.write(rest)
    sys.stdout.flush()


mode = sys.argv[1]
if mode == "server":
    conn, _ = tcp_listener(sys.argv[2]).accept()
    n = 0
    while n < 1000000:
        d = conn.recv(65536)
        if not d:
            break
        n += len(d)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
    conn.close()
elif mode == "client":
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    s.sendall(b"x" * int(sys.argv[3]))
    time.sleep(0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
    s.close()
elif mode == "oneline":
    conn, _ = tcp_listener(sys.argv[-1]).accept()
    read_line(conn)
    if "half" in sys.argv[2:-1]:
        half_close_and_print(conn)
    conn.close()
    time.sleep(5)
elif mode == "hello":
    conn, _ = tcp_listener(sys.argv[-1]).accept()
    conn.sendall(b"hello\n")
    if "half" in sys.argv[2:-1]:
        half_close_and_print(conn)
    conn.close()
    time.sleep(5)
elif mode == "seqone":
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    lsock.bind(sys.argv[2])
    lsock.listen(1)
    ready(sys.argv[3], "ready")
    conn, _ = lsock.accept()
    conn.recv(65536)
    conn.close()
    print("closed", flush=True)
    time.sleep(10)
elif mode == "fullbacklog":
    lsock = socket.socket(socket.AF_UNIX)
    lsock.bind(sys.argv[2])
    lsock.listen(0)
    filler = socket.socket(socket.AF_UNIX)
    filler.setblocking(False)
    filler.connect(sys.argv[2])
    ready(sys.argv[3], "ready")
    time.sleep(60)
