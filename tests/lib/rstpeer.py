#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# rstpeer.py server PORTFILE: listen on 127.0.0.1 port 0 (port written to
#   PORTFILE), read 1 MB from the first client, then reset the connection.
# rstpeer.py client PORT N: connect, send N bytes of "x", wait 0.2 s, reset.
# A reset is a close with SO_LINGER {1, 0}: the kernel sends RST.
import socket
import struct
import sys
import time

RST = struct.pack("ii", 1, 0)
if sys.argv[1] == "server":
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    __import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
    conn, _ = lsock.accept()
    n = 0
    while n < 1000000:
        d = conn.recv(65536)
        if not d:
            break
        n += len(d)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
    conn.close()
else:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    s.sendall(b"x" * int(sys.argv[3]))
    time.sleep(0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
    s.close()
