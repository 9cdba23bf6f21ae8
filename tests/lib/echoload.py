#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# echoload.py HOST PORT CLIENTS SECONDS [firstline]: CLIENTS threads, for
# SECONDS, each connects to an echo server, sends a random block (1 byte to
# 64 KiB), shuts down its sending side, reads until the server closes, and
# checks that exactly the block came back.  With "firstline" the server
# answers the first line only and exits with the rest unread (as an HTTP
# server may): each client sends "req N\n" and a random block without
# shutting down, and must read exactly "req N\n" and then the end, never a
# reset.  Prints "connections bytes errors" and the first few errors on
# stderr; exits 1 on any error.
import os
import socket
import sys
import threading
import time

host, port, clients, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
firstline = sys.argv[5:] == ["firstline"]
lock = threading.Lock()
stats = {"conns": 0, "bytes": 0, "errors": 0}
errors = []


def client(seed):
    rnd = __import__("random").Random(seed)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        block = os.urandom(rnd.choice([1, 100, 4096, 65536, rnd.randint(1, 65536)]))
        n += 1
        line = b"req %d-%d\n" % (seed, n)
        want = line if firstline else block
        try:
            s = socket.create_connection((host, port), timeout=30)
            got = bytearray()

            def send():
                if firstline:
                    # The server may have answered and closed already.
                    try:
                        s.sendall(line + block.replace(b"\n", b" "))
                    except OSError:
                        pass
                    return
                s.sendall(block)
                s.shutdown(socket.SHUT_WR)

            t = threading.Thread(target=send)
            t.start()
            while True:
                d = s.recv(65536)
                if not d:
                    break
                got += d
            t.join()
            s.close()
            ok = bytes(got) == want
            why = "" if ok else "expected %d bytes, got %d back%s" % (
                len(want), len(got), "" if len(got) != len(want) else " (different)")
        except OSError as e:
            ok, why = False, str(e)
        with lock:
            stats["conns"] += 1
            if ok:
                stats["bytes"] += len(want)
            else:
                stats["errors"] += 1
                if len(errors) < 5:
                    errors.append(why)


threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(stats["conns"], stats["bytes"], stats["errors"])
for e in errors:
    print("echoload:", e, file=sys.stderr)
sys.exit(1 if stats["errors"] else 0)
