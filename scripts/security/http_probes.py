#!/usr/bin/env python3
"""Probes a running `swarm serve` with malformed and abusive HTTP on raw sockets.

Checks (one line each, PASS or FAIL with figures; exit status 1 on any FAIL):
  - each malformed request kind (a 100 KB header, a 200 KB URL, a NUL byte in a header, a
    TLS ClientHello on the plain-HTTP port, HTTP/9.9, garbage) gets an error status line
    (4xx; 505 for the version) and the server closes the connection within --close-within
    seconds;
  - slowloris (with --slow-timeout S, the server's request timeout): a client that trickles
    its headers and never finishes them is closed within S plus a margin;
  - idle (with --idle-timeout S, the server's idle timeout): a client that sends nothing is
    closed within S plus a margin;
  - flood: --connections (300) connections opened at once, each sending a malformed request,
    are all answered and closed within --close-within seconds, and the server's open file
    count (/proc/PID/fd, with --pid) comes back to within --fd-margin of where it started;
  - the server still answers GET /health with 200 before and after.

Usage:
    scripts/security/http_probes.py --base-url http://127.0.0.1:PORT --pid PID \
        [--slow-timeout 30] [--idle-timeout 60] [--connections 300] [--close-within 5]

Python 3 standard library only. Start a server to probe, for example:
    KIMI_SERVER__REQUEST_TIMEOUT=2 .build/debug/swarm serve --data-dir "$(mktemp -d)" --port 0 &
    # it prints "KimiSwarm listening on http://127.0.0.1:PORT ..."
    scripts/security/http_probes.py --base-url http://127.0.0.1:PORT --pid $! --slow-timeout 2
"""

import argparse
import os
import selectors
import socket
import ssl
import sys
import time
import urllib.parse

def tls_client_hello():
    """The first bytes a TLS client (configured for https://) sends: a real ClientHello."""
    context = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def malformed_requests(host):
    """The malformed request kinds: name -> (bytes, accepted status codes)."""
    return {
        "header over 64 KB (100 KB)": (
            b"GET /health HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
            {431, 400},
        ),
        "URL of 200 KB": (b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n", {414, 431, 400}),
        "NUL byte in a header": (b"GET /health HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX-Nul: a\x00b\r\n\r\n", {400}),
        "TLS ClientHello": (tls_client_hello(), {400}),
        "HTTP/9.9": (b"GET /health HTTP/9.9\r\nHost: " + host.encode() + b"\r\n\r\n", {505, 400}),
        "garbage": (b"\x00\x01\x02 hello there\r\n\r\n", {400}),
    }


class Result:
    failures = 0

    @classmethod
    def report(cls, ok, name, detail):
        if not ok:
            cls.failures += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def status_of(data):
    """The status code of the first line of `data`, or None."""
    line = data.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


def exchange(host, port, payload, timeout, chunk_delay=None):
    """Sends `payload` (all at once, or a byte every `chunk_delay` seconds) and reads until the
    server closes or `timeout` seconds pass. Returns (status, closed_by_server, seconds from
    the start until close, bytes received, how it ended)."""
    sock = socket.create_connection((host, port), timeout=5)
    started = time.monotonic()
    received = b""
    how = "timeout"
    try:
        sock.setblocking(False)
        selector = selectors.DefaultSelector()
        selector.register(sock, selectors.EVENT_READ)
        to_send = memoryview(payload)
        next_send = started
        deadline = started + timeout
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if to_send and now >= next_send:
                try:
                    if chunk_delay is None:
                        sent = sock.send(to_send)
                    else:
                        sent = sock.send(to_send[:1])
                        next_send = now + chunk_delay
                    to_send = to_send[sent:]
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    to_send = memoryview(b"")
            wait = deadline - now
            if to_send:
                wait = min(wait, 0.01 if chunk_delay is None else max(0.0, next_send - now))
            for _ in selector.select(wait):
                try:
                    chunk = sock.recv(65536)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    how = "reset"
                    return status_of(received), True, time.monotonic() - started, received, how
                if not chunk:
                    how = "closed"
                    return status_of(received), True, time.monotonic() - started, received, how
                received += chunk
        return status_of(received), False, time.monotonic() - started, received, how
    finally:
        sock.close()


def health(host, port):
    try:
        status, _, _, _, _ = exchange(host, port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10)
        return status
    except OSError as error:
        return f"error {error}"


def probe_malformed(host, port, close_within):
    for name, (payload, accepted) in malformed_requests(host).items():
        try:
            status, closed, seconds, _, how = exchange(host, port, payload, close_within + 5)
        except OSError as error:
            Result.report(False, f"malformed: {name}", f"connection failed: {error}")
            continue
        ok = status in accepted and closed and seconds <= close_within
        Result.report(
            ok, f"malformed: {name}",
            f"status {status} (expected one of {sorted(accepted)}), server {how} after {seconds:.2f} s (limit {close_within} s)")


def probe_slowloris(host, port, slow_timeout):
    margin = max(3.0, slow_timeout * 0.5)
    payload = b"GET /health HTTP/1.1\r\nHost: " + host.encode() + b"\r\n" + b"X-Slow: " + b"a" * 10_000
    status, closed, seconds, _, how = exchange(host, port, payload, slow_timeout + margin + 5, chunk_delay=0.25)
    ok = closed and seconds <= slow_timeout + margin
    Result.report(
        ok, "slowloris (headers trickled, never finished)",
        f"server {how} after {seconds:.2f} s with status {status} (request timeout {slow_timeout} s, limit {slow_timeout + margin:.1f} s)")


def probe_idle(host, port, idle_timeout):
    margin = max(3.0, idle_timeout * 0.5)
    status, closed, seconds, _, how = exchange(host, port, b"", idle_timeout + margin + 5)
    ok = closed and seconds <= idle_timeout + margin
    Result.report(ok, "idle connection", f"server {how} after {seconds:.2f} s (idle timeout {idle_timeout} s, limit {idle_timeout + margin:.1f} s)")


def probe_flood(host, port, count, close_within, pid, fd_margin):
    before = fd_count(pid) if pid else None
    payloads = [payload for payload, _ in malformed_requests(host).values() if len(payload) < 1000]
    selector = selectors.DefaultSelector()
    started = time.monotonic()
    states = {}
    for index in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex((host, port))
        states[sock] = {"payload": payloads[index % len(payloads)], "sent": False, "data": b"", "closed": None}
        selector.register(sock, selectors.EVENT_WRITE)
    peak = before
    deadline = started + close_within + 10
    open_count = count
    while open_count and time.monotonic() < deadline:
        for key, events in selector.select(0.05):
            sock = key.fileobj
            state = states[sock]
            if events & selectors.EVENT_WRITE and not state["sent"]:
                try:
                    sock.send(state["payload"])
                    state["sent"] = True
                    selector.modify(sock, selectors.EVENT_READ)
                except BlockingIOError:
                    pass
                except OSError:
                    state["closed"] = time.monotonic() - started
                    selector.unregister(sock)
                    open_count -= 1
                continue
            try:
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                state["data"] += chunk
            else:
                state["closed"] = time.monotonic() - started
                selector.unregister(sock)
                open_count -= 1
        if pid:
            current = fd_count(pid)
            if current is not None and (peak is None or current > peak):
                peak = current
    answered = sum(1 for state in states.values() if (status_of(state["data"]) or 0) >= 400)
    closed_times = [state["closed"] for state in states.values() if state["closed"] is not None]
    all_closed_after = max(closed_times) if closed_times else float("nan")
    for sock in states:
        sock.close()
    ok = answered == count and len(closed_times) == count and all_closed_after <= close_within
    Result.report(
        ok, f"flood of {count} malformed connections",
        f"{answered}/{count} answered with an error status, {len(closed_times)}/{count} closed by the server, "
        f"the last after {all_closed_after:.2f} s (limit {close_within} s)")
    if not pid:
        Result.report(True, "open files after the flood", "SKIP (no --pid)")
        return
    after = fd_count(pid)
    settle_deadline = time.monotonic() + close_within
    while after is not None and before is not None and after > before + fd_margin and time.monotonic() < settle_deadline:
        time.sleep(0.1)
        after = fd_count(pid)
    ok = before is not None and after is not None and after <= before + fd_margin
    Result.report(ok, "open files after the flood", f"{before} before, {peak} at the peak, {after} after (margin {fd_margin})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True, help="http://127.0.0.1:PORT of the running swarm serve")
    parser.add_argument("--pid", type=int, help="its process id, for the open file count (/proc/PID/fd)")
    parser.add_argument("--slow-timeout", type=float, help="the server's request timeout, seconds: runs the slowloris probe")
    parser.add_argument("--idle-timeout", type=float, help="the server's idle timeout, seconds: runs the idle probe")
    parser.add_argument("--connections", type=int, default=300, help="connections of the flood (default 300)")
    parser.add_argument("--close-within", type=float, default=5.0, help="seconds the server has to answer and close (default 5)")
    parser.add_argument("--fd-margin", type=int, default=10, help="open files allowed above the starting count after the flood (default 10)")
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.base_url)
    if url.scheme != "http" or not url.hostname:
        parser.error("--base-url must be http://HOST:PORT")
    host, port = url.hostname, url.port or 80

    status = health(host, port)
    Result.report(status == 200, "GET /health before", f"status {status}")
    probe_malformed(host, port, args.close_within)
    if args.slow_timeout:
        probe_slowloris(host, port, args.slow_timeout)
    else:
        print("SKIP slowloris: pass --slow-timeout with the server's request timeout (server.request_timeout)", flush=True)
    if args.idle_timeout:
        probe_idle(host, port, args.idle_timeout)
    probe_flood(host, port, args.connections, args.close_within, args.pid, args.fd_margin)
    status = health(host, port)
    Result.report(status == 200, "GET /health after", f"status {status}")
    sys.exit(1 if Result.failures else 0)


if __name__ == "__main__":
    main()
