"""Raw S3 requests signed by botocore's own signers (SigV4, SigV2) and sent byte for byte
with http.client: what a test needs to send what boto3 would never send -- a path that
is not UTF-8, a header added after signing, a request without a checksum."""

from __future__ import annotations

import hashlib
import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

from botocore.auth import HmacV1Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDENTIALS = Credentials("test:tester", "testing")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def code(self) -> str:
        """The S3 error code of the body ('' if none)."""
        text = self.body.decode(errors="replace")
        start = text.find("<Code>")
        return text[start + 6:text.find("</Code>")] if start >= 0 else ""


def send(server: str, method: str, target: str, headers: dict[str, str] | None = None,
         body: bytes = b"", *, after_signing: dict[str, str] | None = None,
         added_first: bool = False, v2: bool = False,
         credentials: Credentials | None = None, content_length: bool = True) -> Answer:
    """`target` is the path and query exactly as sent (already percent-encoded);
    `after_signing` headers are added once the signature is made, after the signed
    ones or (`added_first`) before them; `content_length=False` sends none."""
    url = server + target
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    credentials = credentials or CREDENTIALS
    if v2:
        HmacV1Auth(credentials).add_auth(req)
    else:
        req.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        S3SigV4Auth(credentials, "s3", "us-east-1").add_auth(req)
    parts = urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", parts.netloc)
        added = list((after_signing or {}).items())
        signed = list(req.headers.items())
        for k, v in [*added, *signed] if added_first else [*signed, *added]:
            if k.lower() != "host":
                conn.putheader(k, v)
        if content_length and (body or method in ("PUT", "POST")):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()
