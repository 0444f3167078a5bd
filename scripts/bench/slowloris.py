#!/usr/bin/env python3
"""The slowloris client of scripts/bench/slowloris.sh, on loopback only.

Opens N connections to 127.0.0.1:PORT, sends each the start of a request head, then one more
header byte per second on every connection still open, for DURATION seconds. At each checkpoint it
counts the connections the server still holds open, and times one normal request on a connection
of its own. Prints one line per checkpoint and a last JSON line. Bounded: DURATION seconds plus
at most 5 s per normal request; every socket is closed at the end.

usage: slowloris.py PORT [--connections 200] [--duration 20] [--checkpoints 5,10,12,15,20]
"""
import argparse
import json
import socket
import time

HEAD_START = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def still_open(sock):
    """False once the server closed the connection (end of stream, or a reset)."""
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def normal_request(port):
    """Status and seconds of one GET /v1/models on a fresh connection; status 0 if it failed."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        return int(answer.split(b" ", 2)[1]), time.monotonic() - started
    except (OSError, ValueError, IndexError):
        return 0, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--checkpoints", default="5,10,12,15,20")
    args = parser.parse_args()
    checkpoints = sorted(int(c) for c in args.checkpoints.split(","))

    sockets = []
    for _ in range(args.connections):
        s = socket.create_connection(("127.0.0.1", args.port), timeout=5)
        s.sendall(HEAD_START)
        s.setblocking(False)  # still_open() peeks without waiting
        sockets.append(s)
    opened = time.monotonic()
    results = []
    open_now = list(sockets)
    for second in range(1, args.duration + 1):
        time.sleep(max(0.0, opened + second - time.monotonic()))
        open_now = [s for s in open_now if still_open(s)]
        for s in open_now:
            try:
                s.send(b"a")
            except OSError:
                pass  # counted as closed at the next check
        if second in checkpoints:
            open_now = [s for s in open_now if still_open(s)]
            status, seconds = normal_request(args.port)
            results.append({"at_s": second, "held_open": len(open_now), "normal_status": status,
                            "normal_ms": round(seconds * 1000, 1)})
            print(f"t={second:>3} s  held open {len(open_now):>4} of {args.connections}  "
                  f"normal request: {status} in {seconds * 1000:.1f} ms", flush=True)
    for s in sockets:
        s.close()
    print(json.dumps({"connections": args.connections, "duration_s": args.duration, "checkpoints": results}))


if __name__ == "__main__":
    main()
