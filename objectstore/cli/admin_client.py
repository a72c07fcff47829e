"""The admin API as the CLI calls it: log in at /auth/v1.0 with a user and key, then send
JSON requests with the token. Where the proxy is and who asks come from options or
the environment (OBJECTSTORE_URL, OBJECTSTORE_USER, OBJECTSTORE_KEY), so a script sets
them once; the defaults are `serve`'s."""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from typing import Any

from objectstore.cli.errors import CommandError

DEFAULT_URL = "http://127.0.0.1:8080"
TIMEOUT = 30.0


def add_connection_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", default=os.environ.get("OBJECTSTORE_URL", DEFAULT_URL),
                   help="the proxy (default $OBJECTSTORE_URL or %(default)s)")
    p.add_argument("--user", default=os.environ.get("OBJECTSTORE_USER", "test:tester"),
                   help="account:user to log in as (default $OBJECTSTORE_USER or "
                   "%(default)s)")
    p.add_argument("--key", default=os.environ.get("OBJECTSTORE_KEY", "testing"),
                   help="its key (default $OBJECTSTORE_KEY or serve's)")


class AdminClient:
    def __init__(self, url: str, user: str, key: str) -> None:
        self.url = url.rstrip("/")
        self.user = user
        self.key = key
        self._token: str | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> AdminClient:
        return cls(args.url, args.user, args.key)

    def _login(self) -> str:
        req = urllib.request.Request(f"{self.url}/auth/v1.0", headers={
            "X-Auth-User": self.user, "X-Auth-Key": self.key})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                return str(resp.headers["X-Auth-Token"])
        except urllib.error.HTTPError as exc:
            exc.close()
            raise CommandError(f"cannot log in to {self.url} as {self.user}: "
                               f"{exc.code} {exc.reason}") from None
        except OSError as exc:
            raise CommandError(f"cannot reach {self.url}: {exc}") from None

    def call(self, method: str, path: str, doc: Any = None) -> Any:
        """The JSON answer of `method /_admin/v1/<path>`; CommandError with the API's
        message for an error."""
        if self._token is None:
            self._token = self._login()
        data = None if doc is None else json.dumps(doc).encode()
        req = urllib.request.Request(f"{self.url}/_admin/v1/{path}", data=data,
                                     method=method, headers={
                                         "X-Auth-Token": self._token,
                                         "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                message = _message(exc.read())
            raise CommandError(f"{method} {path}: {exc.code} {message}") from None
        except OSError as exc:
            raise CommandError(f"cannot reach {self.url}: {exc}") from None
        return json.loads(body) if body else None


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body)["message"])
    except (ValueError, KeyError, TypeError):
        return body.decode(errors="replace")[:200]
