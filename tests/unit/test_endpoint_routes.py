"""The public port's routing of its own services: an unsigned request to `/metrics` or
below `/console/` goes to that service, a signed one stays S3's (a bucket may have the
name), the admin API keeps `/_admin`, everything else goes by the Swift/S3 rule."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from objectstore.endpoint import Endpoint


def app_named(name: str, seen: list[str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(name)
    return app


def scope(path: str, headers: list[tuple[bytes, bytes]] | None = None,
          query: bytes = b"") -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "headers": headers or [],
            "query_string": query}


SIGNED = [(b"authorization", b"AWS4-HMAC-SHA256 Credential=k/20261206/us-east-1/s3/"
                             b"aws4_request, SignedHeaders=host, Signature=00")]


@pytest.mark.parametrize(("request_scope", "expected"), [
    (scope("/metrics"), "metrics"),
    (scope("/console/"), "console"),
    (scope("/console/app.js"), "console"),
    (scope("/console"), "console"),
    (scope("/metrics", SIGNED), "s3"),
    (scope("/console/app.js", SIGNED), "s3"),
    (scope("/console/app.js", query=b"X-Amz-Signature=00&X-Amz-Credential=k"), "s3"),
    (scope("/metricsx"), "s3"),
    (scope("/bucket/metrics"), "s3"),
    (scope("/v1/AUTH_test/metrics"), "swift"),
    (scope("/_admin/v1/whoami"), "admin"),
])
def test_unsigned_routes_take_their_paths_only_when_unsigned(
        request_scope: dict[str, Any], expected: str) -> None:
    seen: list[str] = []
    endpoint = Endpoint(app_named("swift", seen), app_named("s3", seen),
                        app_named("admin", seen), {"/metrics": app_named("metrics", seen),
                                                   "/console": app_named("console", seen)})

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass
    asyncio.run(endpoint(request_scope, receive, send))
    assert seen == [expected]
