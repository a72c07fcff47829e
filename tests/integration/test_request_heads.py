"""Request heads are bounded on the proxy port and on the node ports of a real `serve`:
too long a line, too many or too large headers are refused (414/431) and the connection
closed; a head that does not arrive within --head-timeout is answered 408 and closed; a
never-ending head does not grow the server's memory; other clients are served while
many slow heads are open. Raw sockets, because no HTTP client sends such heads."""

from __future__ import annotations

import contextlib
import http.client
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import free_port
from tests.servers import wait_healthy

HEAD_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, list[int], int]]:
    """(proxy port, node ports, pid) of a serve with a short head timeout."""
    root = tmp_path_factory.mktemp("heads")
    port = free_port()
    log = open(root / "serve.log", "w")  # noqa: SIM115 -- closed at teardown
    proc = subprocess.Popen([sys.executable, "-m", "objectstore", "serve", "--data-dir",
                             str(root / "data"), "--port", str(port), "--head-timeout",
                             str(HEAD_TIMEOUT)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(port, proc)
        nodes = json.loads((root / "data" / "serve.json").read_text())["node_ports"]
        yield port, nodes, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        log.close()


@pytest.fixture(params=["proxy", "node"])
def port(request: pytest.FixtureRequest, serve: tuple[int, list[int], int]) -> int:
    return serve[0] if request.param == "proxy" else serve[1][0]


def exchange(port: int, head: bytes, timeout: float = 10) -> tuple[bytes, bool]:
    """Send `head`, read until the server closes: (what it answered, whether it closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(head)     # refused before we finished: the answer is still readable
        return read_to_close(s)


def read_to_close(s: socket.socket) -> tuple[bytes, bool]:
    answer = b""
    try:
        while chunk := s.recv(65536):
            answer += chunk
    except ConnectionResetError:
        return answer, True
    except TimeoutError:
        return answer, False
    return answer, True


def trickle(s: socket.socket, data: bytes) -> tuple[bytes, bool]:
    """Send `data` a byte per socket timeout until the server closes: (its answer,
    whether it closed)."""
    answer, closed = b"", False
    for byte in data:
        try:
            s.sendall(bytes([byte]))
            answer, closed = read_to_close(s)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        if closed:
            break
    return answer, closed


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_a_normal_head_is_served(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthcheck",
                     headers={f"x-h{i}": "v" * 100 for i in range(100)})
        assert conn.getresponse().status == 200
    finally:
        conn.close()


@pytest.mark.parametrize("size", [60 * 1024, 200 * 1024, 4 * 1024 * 1024])
def test_bodies_are_not_counted_as_head(serve: tuple[int, list[int], int], size: int) -> None:
    """A body is no head bytes, whether it arrives in the reads of its head (one send of
    head and body) or in reads of its own (the rest of it)."""
    conn = http.client.HTTPConnection("127.0.0.1", serve[0], timeout=30)
    try:
        conn.request("GET", "/auth/v1.0", headers={"x-auth-user": "test:tester",
                                                    "x-auth-key": "testing"})
        resp = conn.getresponse()
        resp.read()
        token = resp.getheader("x-auth-token") or ""
        conn.request("PUT", "/v1/AUTH_test/bodies", headers={"x-auth-token": token})
        resp = conn.getresponse()
        resp.read()
        assert resp.status in (201, 202)
    finally:
        conn.close()
    head = (f"PUT /v1/AUTH_test/bodies/{size} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}"
            f"\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n").encode()
    answer, _ = exchange(serve[0], head + b"b" * size, timeout=30)
    assert status_of(answer) == 201, answer[:200]


@pytest.mark.parametrize(("head", "status"), [
    (b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n", 431),
    (b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-H%d: v\r\n" % i for i in range(10_000)) + b"\r\n", 431),
    (b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 8000) for i in range(12)) + b"\r\n", 431),
    (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
], ids=["1MiB-line", "10000-headers", "96KiB-in-all", "long-url"])
def test_oversized_heads_are_refused_and_closed(port: int, head: bytes, status: int) -> None:
    answer, closed = exchange(port, head)
    assert status_of(answer) == status, answer[:200]
    assert closed


def test_a_slow_head_is_answered_408_and_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=HEAD_TIMEOUT + 8) as s:
        s.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n")
        s.settimeout(0.5)
        started = time.monotonic()
        answer, closed = trickle(s, b"X-Slow: " + b"s" * 30)    # a byte every half second
        waited = time.monotonic() - started
    assert closed and status_of(answer) == 408, answer
    assert waited < HEAD_TIMEOUT + 6      # closed at the timeout, not when we stopped


def test_a_later_slow_head_on_a_kept_alive_connection_gets_its_whole_timeout(
        port: int) -> None:
    """The timeout runs from each head's first byte: a second head begun well into the
    connection's life is not cut short, and is still closed at its own timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=HEAD_TIMEOUT + 8) as s:
        s.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
        first = s.recv(65536)
        assert status_of(first) == 200
        time.sleep(HEAD_TIMEOUT * 0.6)
        s.sendall(b"G")
        began = time.monotonic()
        s.settimeout(0.25)
        answer, closed = trickle(s, b"ET /healthcheck HTTP/1.1\r\nX-Slow: " + b"s" * 60)
        waited = time.monotonic() - began
    assert closed and status_of(answer) == 408, answer
    assert HEAD_TIMEOUT - 0.3 <= waited < HEAD_TIMEOUT + 3, waited


def test_an_idle_connection_that_sends_nothing_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=HEAD_TIMEOUT + 8) as s:
        answer, closed = read_to_close(s)
    assert closed and status_of(answer) == 408


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_never_ending_heads_do_not_grow_memory(serve: tuple[int, list[int], int]) -> None:
    """4 connections each sending 32 MiB of one header line (unbounded before: +170 MiB)."""
    proxy, _, pid = serve
    before = rss_mb(pid)
    sockets = [socket.create_connection(("127.0.0.1", proxy), timeout=10) for _ in range(4)]
    refused = 0
    chunk = b"a" * (1 << 20)
    for s in sockets:
        s.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Endless: ")
    for s in sockets:
        try:
            for _ in range(32):
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            refused += 1
        s.close()
    assert refused == 4, "each connection was cut off long before 32 MiB"
    assert rss_mb(pid) - before < 20


def test_other_clients_are_served_while_200_slow_heads_are_open(
        serve: tuple[int, list[int], int]) -> None:
    proxy = serve[0]
    slow = [socket.create_connection(("127.0.0.1", proxy), timeout=HEAD_TIMEOUT + 8)
            for _ in range(200)]
    try:
        for s in slow:
            s.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Sl")
        conn = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
        conn.request("GET", "/healthcheck")
        assert conn.getresponse().read() == b"OK"
        conn.close()
        statuses = [status_of(read_to_close(s)[0]) for s in slow]
        assert statuses == [408] * 200      # and every slow one was closed in the end
    finally:
        for s in slow:
            s.close()


def test_an_unknown_method_is_405(port: int) -> None:
    """A method the parser does not know (Swift's tests send LICK) is Method Not
    Allowed, as Swift answers, not a 400 for a malformed request."""
    answer, closed = exchange(port, b"LICK /v1/AUTH_test HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(answer) == 405 and closed
