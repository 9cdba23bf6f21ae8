#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tlspeer.py: a scripted TLS peer for sockcat's EOF-table tests.

  tlspeer.py server CERT KEY [options]   listen on 127.0.0.1:0, print the
                                         port on stderr, serve one client
  tlspeer.py client CAFILE PORT [options]

Options (done in this order):
  --tls12            at most TLS 1.2 (default: 1.3 only)
  --send TEXT        send TEXT at once
  --read-to-end      read until the peer's close_notify (or its TCP end);
                     print what came on stdout
  --delay S          then sleep S seconds
  --send-late TEXT   then send TEXT
  --end HOW          close_notify (default): unwrap, i.e. send close_notify,
                       then close;
                     truncate: close the TCP connection with no close_notify;
                     reset: SO_LINGER 0, so close sends RST
  --linger S         before --end, keep the connection S seconds

Python cannot send close_notify one way and go on reading (unwrap() calls
SSL_shutdown() twice and fails on data that arrives in between): for the
half-close rows use socat (-t) or sockcat as the peer.
Exit 0, or 1 with the exception on stderr.  The point of a script: it can
do what a well-behaved TLS library will not (truncate), and wait at each
step, so each row of the EOF table has a deterministic peer.
"""
import argparse
import socket
import ssl
import struct
import sys
import time


def context(server, a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server
                         else ssl.PROTOCOL_TLS_CLIENT)
    if a.tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if server:
        ctx.load_cert_chain(a.cert, a.key)
    else:
        ctx.load_verify_locations(a.cafile)
    return ctx


def read_to_end(s):
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ssl.SSLEOFError:
            print("tls-peer: truncated (no close_notify)", file=sys.stderr)
            break
        if not chunk:
            break
        data += chunk
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def converse(s, a):
    if a.send:
        s.sendall(a.send.encode())
    if a.read_to_end:
        read_to_end(s)
    if a.delay:
        time.sleep(a.delay)
    if a.send_late:
        s.sendall(a.send_late.encode())
    if a.linger:
        time.sleep(a.linger)
    if a.end == "close_notify":
        s.setblocking(False)
        try:
            s.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLError, OSError):
            pass  # sent; the peer's own close_notify is not awaited
        s.close()
    elif a.end == "truncate":
        s.shutdown(socket.SHUT_WR)  # a FIN without close_notify
        time.sleep(0.2)
        s.close()
    elif a.end == "reset":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()



def main():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("a1")
    p.add_argument("a2")
    p.add_argument("--tls12", action="store_true")
    p.add_argument("--send")
    p.add_argument("--read-to-end", action="store_true")
    p.add_argument("--delay", type=float)
    p.add_argument("--send-late")
    p.add_argument("--linger", type=float)
    p.add_argument("--end", default="close_notify",
                   choices=["close_notify", "truncate", "reset"])
    a = p.parse_args()
    if a.role == "server":
        a.cert, a.key = a.a1, a.a2
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        print(ls.getsockname()[1], file=sys.stderr, flush=True)
        raw, _ = ls.accept()
        ls.close()
        s = context(True, a).wrap_socket(raw, server_side=True)
    else:
        a.cafile, port = a.a1, int(a.a2)
        raw = socket.create_connection(("127.0.0.1", port))
        s = context(False, a).wrap_socket(raw, server_hostname="localhost")
    converse(s, a)


if __name__ == "__main__":
    main()
