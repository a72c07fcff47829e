"""What every Swift request handler works with, built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from objectstore.proxy.bucket_names import BucketNames
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.policy_store import PolicyStore
from objectstore.proxy.swift_only import SwiftOnly
from objectstore.proxy.versions import Versions


@dataclass(frozen=True)
class Backend:
    """The proxy core, the account and container operations over it, the one
    namespace of names that S3 buckets share with Swift containers (and the
    Swift-only containers whose name another account holds), and the version model."""

    proxy: Proxy
    containers: Containers
    names: BucketNames
    swift_only: SwiftOnly
    versions: Versions
    policies: PolicyStore       # S3 bucket policies bind Swift requests too

    @classmethod
    def over(cls, proxy: Proxy) -> Backend:
        containers = Containers(proxy)
        return cls(proxy, containers, BucketNames(proxy, containers),
                   SwiftOnly(proxy, containers), Versions(proxy, containers),
                   PolicyStore(proxy, containers))
