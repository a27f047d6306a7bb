#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A client of edgefw's control socket for the tests, speaking the
protocol itself (one JSON object a line each way), so that what the CLI
hides can be sent: garbage, long lines, stalls, bursts.

  control_client.py SOCKET send LINE...     each line sent, each response printed
  control_client.py SOCKET long BYTES       BYTES of 'x' and no line end; prints the response
  control_client.py SOCKET hold N FILE      N connections that send nothing; writes
                                            "open" to FILE, then waits until the daemon
                                            has closed them all (or 30 s), prints how
                                            many it closed and what they were told
  control_client.py SOCKET burst N TTL-EVERY  N block add requests of 198.18.X.Y in
                                            one write, every TTL-EVERY-th with a TTL
                                            of 3650d; prints the responses, one a line
Exit status 0 when it could talk to the daemon, 1 when not.
"""
import json
import select
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_lines(s, n, timeout=60):
    buf = b""
    lines = []
    deadline = time.monotonic() + timeout
    while len(lines) < n and time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0, deadline - time.monotonic()))
        if not r:
            break
        try:
            chunk = s.recv(1 << 16)
        except ConnectionResetError:
            break
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf and len(lines) < n:
            line, buf = buf.split(b"\n", 1)
            lines.append(line.decode())
    return lines


def main():
    path, mode = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    try:
        if mode == "send":
            s = connect(path)
            for line in args:
                try:
                    s.sendall(line.encode() + b"\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # what it said before it closed is still read
                for r in read_lines(s, 1, 20):
                    print(r)
        elif mode == "long":
            s = connect(path)
            total = int(args[0])
            chunk = b"x" * 65536
            sent = 0
            s.setblocking(False)
            got = []
            deadline = time.monotonic() + 20
            buf = b""
            # send while reading: the daemon answers before it has read all
            while time.monotonic() < deadline and not got:
                w = [s] if sent < total else []
                r, w, _ = select.select([s], w, [], 1)
                if w:
                    try:
                        sent += s.send(chunk[: total - sent])
                    except (BlockingIOError, InterruptedError):
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        sent = total
                if r:
                    try:
                        data = s.recv(1 << 16)
                    except ConnectionResetError:
                        break
                    if not data:
                        break
                    buf += data
                    if b"\n" in buf:
                        got.append(buf.split(b"\n", 1)[0].decode())
            print(got[0] if got else "")
        elif mode == "hold":
            n, flag = int(args[0]), args[1]
            socks = [connect(path) for _ in range(n)]
            with open(flag, "w") as f:
                f.write("open\n")
            told = []
            open_ = list(socks)
            deadline = time.monotonic() + 30
            while open_ and time.monotonic() < deadline:
                r, _, _ = select.select(open_, [], [], 1)
                for s in r:
                    try:
                        data = s.recv(1 << 16)
                    except ConnectionResetError:
                        data = b""
                    if data:
                        told.append(data.decode().strip())
                    else:
                        open_.remove(s)
            print(json.dumps({"closed": n - len(open_), "told": told}))
        elif mode == "burst":
            n, every = int(args[0]), int(args[1])
            s = connect(path)
            reqs = []
            for i in range(n):
                r = {"v": 1, "cmd": "block add",
                     "addr": "198.18.%d.%d" % (i // 250, i % 250 + 1),
                     "reason": "burst %d" % i}
                if every and i % every == every - 1:
                    r["ttl"] = "3650d"
                else:
                    r["ttl"] = "10m"
                reqs.append(json.dumps(r))
            s.sendall(("\n".join(reqs) + "\n").encode())
            for line in read_lines(s, n, 120):
                print(line)
        else:
            print("unknown mode " + mode, file=sys.stderr)
            return 2
    except OSError as e:
        print("cannot talk to %s: %s" % (path, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
