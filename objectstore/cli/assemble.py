"""Put the public endpoint together: one proxy core under both APIs, the users' keys
for both. Shared by `serve` and `proxy`."""

from __future__ import annotations

from objectstore.api.app import SwiftAPI
from objectstore.api.info import CAPABILITIES
from objectstore.api.tempauth import TempAuth, User
from objectstore.endpoint import Endpoint
from objectstore.proxy.core import Proxy
from objectstore.s3compat.app import S3API
from objectstore.s3compat.credentials import KeyStore, S3User


def s3_users(users: tuple[User, ...]) -> tuple[S3User, ...]:
    """Each user's S3 access key: `account:user` unless the config names one."""
    return tuple(S3User(u.access_key or f"{u.account}:{u.user}", u.key, u.account,
                        u.admin) for u in users)


def build_endpoint(proxy: Proxy, users: tuple[User, ...],
                   s3_domains: tuple[str, ...] = ("localhost",)) -> Endpoint:
    """`s3_domains`: Host names under which <bucket>.<domain> is virtual-hosted S3."""
    return Endpoint(SwiftAPI(proxy, TempAuth(users), CAPABILITIES),
                    S3API(proxy, KeyStore(s3_users(users)), s3_domains))
