#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Opens N TCP connections one after the other, paced, from one process.

Usage: tcp_connects.py COUNT RATE TIMEOUT DEADLINE SRC DST PORT

Connection i (from 0) starts at the earliest RATE*i seconds after the
first, never ahead of that schedule (one that was late is followed at
once); each is a full handshake, then a close, and waits at most TIMEOUT
seconds. After DEADLINE seconds no further connection starts (those left
count as failed). One process does it all, so the pace holds on a loaded
machine where a process per connection (nsenter + nc) cannot keep it.

Prints three lines: how many connected, the milliseconds it took, and the
first failure ("connection N: what happened", empty if none).
"""
import socket
import sys
import time


def main():
    if len(sys.argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    count, rate = int(sys.argv[1]), float(sys.argv[2])
    timeout, deadline = float(sys.argv[3]), float(sys.argv[4])
    src, dst, port = sys.argv[5], sys.argv[6], int(sys.argv[7])
    family = socket.AF_INET6 if ":" in dst else socket.AF_INET
    ok = 0
    first_failure = ""
    t0 = time.monotonic()
    for i in range(count):
        now = time.monotonic()
        if now - t0 > deadline:
            if not first_failure:
                first_failure = f"connection {i + 1}: not tried, {deadline} s were over"
            break
        due = t0 + i / rate
        if due > now:
            time.sleep(due - now)
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.bind((src, 0))
            sock.connect((dst, port))
            ok += 1
        except OSError as e:
            if not first_failure:
                first_failure = f"connection {i + 1}: {e}"
        finally:
            sock.close()
    print(ok)
    print(int((time.monotonic() - t0) * 1000))
    print(first_failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
