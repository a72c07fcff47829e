"""Put the public endpoint together: one proxy core under both APIs, the users' keys
for both. Shared by `serve` and `proxy`."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp

from objectstore.admin.app import AdminAPI, Authenticators, Caller
from objectstore.admin.routes import accounts_route, status_route, users_route, whoami
from objectstore.admin.usage_route import usage_route
from objectstore.admin.user_records import UserRecords
from objectstore.admin.users import Users
from objectstore.api.app import SwiftAPI
from objectstore.api.info import CAPABILITIES
from objectstore.api.tempauth import DEFAULT_TOKEN_LIFE, TempAuth, User
from objectstore.console.app import Console
from objectstore.endpoint import SWIFT_EXACT, Endpoint
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.keystone import Keystone
from objectstore.proxy.lifecycle_rules import DAY
from objectstore.s3compat.access import identity_of
from objectstore.s3compat.app import S3API
from objectstore.s3compat.credentials import KeyStore
from objectstore.s3compat.responses import error_xml
from objectstore.usage.service import Usage


def build_endpoint(proxy: Proxy, users: tuple[User, ...],
                   s3_domains: tuple[str, ...] = ("localhost",),
                   cluster_secret: bytes | None = None,
                   token_life: int = DEFAULT_TOKEN_LIFE, day_seconds: float = DAY,
                   keystone: Keystone | None = None, open_expired: bool = True,
                   log_timing: tuple[float, float] = (5.0, 60.0),
                   usage: Usage | None = None,
                   metrics: ASGIApp | None = None) -> Endpoint:
    """`s3_domains`: Host names under which <bucket>.<domain> is virtual-hosted S3.
    `cluster_secret`: Swift tokens are good on every proxy that has it.
    `day_seconds`: a lifecycle day ([lifecycle]). `keystone`: users from Keystone too
    (its tokens for Swift, its EC2 credentials for S3). `open_expired`: owners may
    read and restore expired objects not yet reaped ([expirer] allow_open_expired).
    `log_timing`: [bucket_logging] roll_seconds and idle_seconds. `usage`: the
    metering of this proxy (its report is the admin API's `usage`; it samples the
    users' accounts). `metrics`: the /metrics app
    (metrics.ports.proxy_metrics)."""
    capabilities = {**CAPABILITIES, "swift": {**CAPABILITIES["swift"],
                                              "allow_open_expired": open_expired}}
    containers = Containers(proxy)
    live = Users(users, UserRecords(proxy, containers))
    swift = SwiftAPI(proxy, TempAuth(live, token_life, cluster_secret), capabilities,
                     keystone)
    s3 = S3API(proxy, KeyStore(live, keystone), s3_domains, day_seconds, log_timing)

    async def signed(request: Request, raw_path: str, query: list[tuple[str, str]],
                     as_sent: bool) -> Caller | None:
        user, _, _ = await s3.authenticate(request, raw_path, query, as_sent)
        if user is None:
            return None
        return Caller(user.account, identity_of(user).user or "", user.admin, user.reseller)

    routes = {"whoami": whoami, "status": status_route(proxy), "users": users_route(live),
              "accounts": accounts_route(containers)}
    if usage is not None:
        usage.known_accounts = lambda: [listed.user.account for listed in live.listed()]
        routes["usage"] = usage_route(usage.reader)
    admin = AdminAPI(Authenticators(swift.identity_of_token, signed), routes)
    unsigned: dict[str, ASGIApp] = {"/console": Console()}
    if metrics is not None:
        unsigned["/metrics"] = metrics
    return Endpoint(swift, s3, admin, unsigned=unsigned)


def api_error_body(scope: MutableMapping[str, Any], request_id: str
                   ) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """A 500 for a request neither API answered, in the format of the API it was for
    (the Endpoint's routing rule), with the request id."""
    path = scope.get("path", "")
    rid = request_id.encode()
    if path in SWIFT_EXACT or path.startswith("/v1/"):
        return [(b"content-type", b"text/html; charset=UTF-8"), (b"x-trans-id", rid),
                (b"x-openstack-request-id", rid)], \
            b"<html><h1>Internal Error</h1><p>The server has either erred or is incapable " \
            b"of performing the requested operation.</p></html>"
    body = b"" if scope.get("method") == "HEAD" else error_xml(
        "InternalError", "We encountered an internal error. Please try again.", path,
        request_id)
    return [(b"content-type", b"application/xml"), (b"x-amz-request-id", rid),
            (b"x-amz-id-2", rid)], body
