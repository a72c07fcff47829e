"""Admin API requests as its users send them: signed by botocore's SigV4 signer (as boto3
or the console sign), or with a Swift token from /auth/v1.0 (as the CLI and curl)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from botocore.credentials import Credentials

from tests.integration.signed import send


def swift_token(server: str, user: str, key: str) -> str:
    req = urllib.request.Request(f"{server}/auth/v1.0",
                                 headers={"X-Auth-User": user, "X-Auth-Key": key})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return str(resp.headers["X-Auth-Token"])


def with_token(server: str, method: str, path: str, token: str | None,
               doc: Any = None) -> tuple[int, Any]:
    """(status, JSON answer) of an admin request with X-Auth-Token (None: none)."""
    data = None if doc is None else json.dumps(doc).encode()
    req = urllib.request.Request(f"{server}{path}", data=data, method=method,
                                 headers={"X-Auth-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
            return resp.status, json.loads(body) if body else None
    except urllib.error.HTTPError as exc:
        with exc:
            body = exc.read()
        return exc.code, json.loads(body) if body else None


def signed_by(server: str, method: str, path: str, access_key: str, secret: str,
              doc: Any = None) -> tuple[int, Any]:
    """(status, JSON answer) of an admin request signed with SigV4 by this key."""
    body = b"" if doc is None else json.dumps(doc).encode()
    answer = send(server, method, path, {"content-type": "application/json"} if body
                  else {}, body, credentials=Credentials(access_key, secret))
    return answer.status, json.loads(answer.body) if answer.body else None
