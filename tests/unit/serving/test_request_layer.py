"""The outermost layer of the proxy port, on a real socket: an exception nobody below
handled is one logged traceback and a 500 in the API's format with the request id; a
failure after the answer started drops the connection; every request gets one
access-log line."""

from __future__ import annotations

import http.client
import io
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from objectstore import logs
from objectstore.cli.assemble import api_error_body
from objectstore.request_id import current_id, note_account, note_operation
from objectstore.serving.request_layer import ClientRequests, Finished
from tests.servers import ServerThread


async def failing_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"].endswith("/late"):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"100")]})
        await send({"type": "http.response.body", "body": b"half", "more_body": True})
    if scope["path"].endswith("/ok"):
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"x-seen-id", current_id.get().encode())]})
        await send({"type": "http.response.body", "body": b"fine"})
        return
    raise RuntimeError("a bug")


@pytest.fixture
def served() -> Iterator[tuple[int, io.StringIO]]:
    stream = io.StringIO()
    logs.setup("proxy", "json", "info", stream)
    server = ServerThread(ClientRequests(failing_app, api_error_body),
                          lifespan="off").start()
    try:
        yield server.port, stream
    finally:
        server.stop()
        logging.getLogger().handlers.clear()


def request(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def lines(stream: io.StringIO, access_lines: int = 1) -> list[dict[str, Any]]:
    """The lines logged, once `access_lines` requests were logged (the access line is
    written after the answer was sent)."""
    deadline = time.monotonic() + 10
    while True:
        found = [json.loads(line) for line in stream.getvalue().splitlines()]
        if sum(x["logger"] == "objectstore.access" for x in found) >= access_lines or \
                time.monotonic() > deadline:
            return found
        time.sleep(0.01)


@pytest.mark.parametrize(("path", "id_header", "format_mark"), [
    ("/bucket/key", "x-amz-request-id", "<Code>InternalError</Code>"),
    ("/v1/AUTH_test/c", "x-trans-id", "Internal Error"),
])
def test_an_unhandled_exception_is_one_traceback_and_a_500_with_the_id(
        served: tuple[int, io.StringIO], path: str, id_header: str, format_mark: str
        ) -> None:
    port, stream = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    rid = resp.getheader(id_header)
    assert resp.status == 500 and rid and format_mark in body
    logged = [x for x in lines(stream) if x["request_id"] == rid]
    tracebacks = [x for x in logged if "traceback" in x]
    assert len(tracebacks) == 1 and "RuntimeError: a bug" in tracebacks[0]["traceback"]
    assert [x["status"] for x in logged if x["logger"] == "objectstore.access"] == [500]
    assert "Traceback" not in "".join(x["message"] for x in logged)


def test_a_failure_after_the_answer_started_drops_the_connection(
        served: tuple[int, io.StringIO]) -> None:
    port, stream = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/bucket/late")
    resp = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    conn.close()
    assert sum("traceback" in x for x in lines(stream)) == 1


def test_the_app_sees_the_request_id_and_each_request_has_its_own(
        served: tuple[int, io.StringIO]) -> None:
    port, stream = served
    first, second = request(port, "/b/ok"), request(port, "/b/ok")
    ids = [first.getheader("x-seen-id"), second.getheader("x-seen-id")]
    assert all(i and i.startswith("tx") for i in ids) and ids[0] != ids[1]
    access = [x for x in lines(stream, 2) if x["logger"] == "objectstore.access"]
    assert [x["request_id"] for x in access] == ids


def test_the_access_line_keeps_the_query_but_not_its_credentials(
        served: tuple[int, io.StringIO]) -> None:
    port, stream = served
    query = ("X-Amz-Credential=AKID%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"
             "&X-Amz-Signature=deadbeef&prefix=a%26b&Signature=s3cret&temp_url_sig=abc"
             "&X-Amz-Security-Token=tok&NotSignature=kept")
    request(port, "/b/ok?" + query)
    access = [x for x in lines(stream) if x["logger"] == "objectstore.access"]
    assert access[0]["query"] == (
        "X-Amz-Credential=AKID%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Signature=REDACTED&prefix=a%26b&Signature=REDACTED&temp_url_sig=REDACTED"
        "&X-Amz-Security-Token=REDACTED&NotSignature=kept")
    assert not any(s in stream.getvalue() for s in ("deadbeef", "s3cret", "=abc", "tok&"))


async def noting_app(scope: Any, receive: Any, send: Any) -> None:
    note_operation("s3", "REST.PUT.OBJECT", "photos")
    note_account("AUTH_test")
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"stored"})


def test_observers_are_told_of_each_finished_request_and_a_failing_one_is_only_logged(
        ) -> None:
    seen: list[Finished] = []

    def broken(finished: Finished) -> None:
        raise ValueError("an observer's bug")

    server = ServerThread(ClientRequests(noting_app, observers=(broken, seen.append)),
                          lifespan="off").start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("PUT", "/photos/a.jpg", body=b"x" * 1000)
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (201, b"stored")
        conn.close()
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        server.stop()
        logging.getLogger().handlers.clear()
    [finished] = seen
    assert (finished.method, finished.api, finished.operation, finished.account,
            finished.bucket, finished.status, finished.bytes_in, finished.bytes_out) == \
        ("PUT", "s3", "REST.PUT.OBJECT", "AUTH_test", "photos", 201, 1000, 6)
    assert 0 < finished.seconds < 10
