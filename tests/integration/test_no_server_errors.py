"""Whatever arrives on the public port -- odd paths, methods, headers, bodies, broken
signatures -- the answer is a 2xx-4xx, never a 5xx, and the server stays up."""

from __future__ import annotations

import http.client
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEGMENTS = st.sampled_from(["", "v1", "AUTH_test", "auth", "v1.0", "bucket", "b-1", "c",
                            "%FF", "%00", "..", "a%2Fb", "%C3%A9", "x" * 300, "?acl", "?uploads",
                            "?delete", "?list-type=2&max-keys=-1", "?partNumber=1"])
METHODS = st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "OPTIONS",
                           "PATCH"])
HEADERS = st.dictionaries(
    st.sampled_from(["Authorization", "X-Auth-Token", "X-Amz-Date", "X-Amz-Content-SHA256",
                     "Range", "If-Match", "If-Modified-Since", "Content-MD5",
                     "X-Amz-Copy-Source", "X-Copy-From", "Destination", "Content-Type",
                     "X-Amz-Decoded-Content-Length", "Expect"]),
    st.sampled_from(["", "garbage", "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, "
                     "SignedHeaders=host, Signature=00", "AWS test:tester:abc", "bytes=5-1",
                     "bytes=-0", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "20260101T000000Z",
                     "/bucket/key", "c/o", "*", "100-continue"]),
    max_size=4)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(METHODS, st.lists(SEGMENTS, min_size=1, max_size=4), HEADERS,
       st.sampled_from([b"", b"<Delete><Object><Key>k</Key></Object></Delete>",
                        b"<broken", b"0;chunk-signature=00\r\n\r\n", os.urandom(100)]),
       st.booleans())
def test_never_a_server_error(server: str, method: str, segments: list[str],
                              headers: dict[str, str], body: bytes, swift: bool) -> None:
    host, port = server.removeprefix("http://").split(":")
    if swift:      # past authentication, into the Swift API proper
        segments = ["v1", "AUTH_test", *segments]
        headers = {**headers, "X-Auth-Token": _token(host, int(port))}
    path = "/" + "/".join(segments)
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers.items():
            if k != "Expect":
                conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status < 500, (method, path, headers, status)
    check = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        check.request("GET", "/healthcheck")
        assert check.getresponse().status == 200
    finally:
        check.close()


def _token(host: str, port: int) -> str:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", "/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                                   "X-Auth-Key": "testing"})
        resp = conn.getresponse()
        resp.read()
        return resp.headers["X-Auth-Token"]
    finally:
        conn.close()
