"""ListBuckets with more buckets than one account listing request returns (10,000):
every bucket is listed, paginated or not, against a real `objectstore serve` of its own
(one node, one replica). Run it alone with
`pytest tests/integration/test_s3_many_buckets.py`.

Making 10,000 containers through the API takes minutes on a busy machine, so most of
the account's rows -- what ListBuckets reads -- are written before `serve` starts,
through the node API (the real node app, in-process); a few buckets are real ones made
through S3, one of them with a multipart upload (whose segments container is never a
bucket)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from objectstore.cli.embedded import prepare
from objectstore.node import paths
from objectstore.node.client import node_path
from objectstore.node.config import NodeConfig
from objectstore.node.local_client import LocalNodeClient
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy, target_of
from objectstore.ring import PathHasher
from objectstore.ring.files import RingFile
from objectstore.timestamps import Timestamp
from tests.integration.serving import serving

COUNT = 10_005
REAL = 3                      # the last few are made through S3
ACCOUNT = "AUTH_many"
USERS = '[[users]]\naccount = "many"\nuser = "owner"\nkey = "k"\nadmin = true\n'


def names() -> list[str]:
    return [f"bucket-{i:05d}" for i in range(COUNT)]


async def account_rows(data: Path, wanted: list[str]) -> None:
    """One account row per name, as a container's creation leaves it, sent to the
    account's node through the node API."""
    layout = prepare(data, 1, 1)
    client = LocalNodeClient(layout.secret)
    config = NodeConfig(devices=data / "node0", secret=layout.secret,
                        hash_prefix=layout.hash_prefix, port=layout.node_ports[0],
                        ring=data / "object.ring")
    app = NodeApp(config, client)
    client.attach("127.0.0.1", layout.node_ports[0], app)
    proxy = Proxy(RingFile(data / "object.ring", PathHasher(layout.hash_prefix, "")), client)
    where = proxy.placement(ACCOUNT)
    part, target = where.partition, target_of(where.primaries[0])
    gate = asyncio.Semaphore(32)

    async def put(name: str | None) -> int:
        ts = Timestamp(1) if name is None else Timestamp.now()
        headers = {"x-timestamp": ts.internal, "x-object-count": "0", "x-bytes-used": "0"}
        path = node_path(paths.ACCOUNTS, target.device, part, ACCOUNT, name, None)
        async with gate:
            resp = await client.request("PUT", target, path, headers)
            async with resp:
                await resp.read()
                return resp.status

    try:
        assert await put(None) in (201, 202)          # the account itself
        statuses = await asyncio.gather(*(put(n) for n in wanted))
        assert set(statuses) == {201}
    finally:
        await app.reporter.close()
        await client.close()
        app.connections.close()


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    # in memory where there is /dev/shm: thousands of SQLite commits need no flushes
    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="many-buckets-", dir=shm if shm.is_dir() else None))
    try:
        asyncio.run(account_rows(root / "data", names()[:-REAL]))
        with serving(root, USERS) as url:
            client = boto3.client("s3", endpoint_url=url, aws_access_key_id="many:owner",
                                  aws_secret_access_key="k", region_name="us-east-1")
            for name in names()[-REAL:]:
                client.create_bucket(Bucket=name)
            client.create_multipart_upload(Bucket=names()[-1], Key="k")
            yield client
            client.close()
    finally:
        shutil.rmtree(root)


def test_list_buckets_shows_every_bucket(s3: Any) -> None:
    listed = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert listed == names()


def test_list_buckets_paginated_reaches_every_bucket(s3: Any) -> None:
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = s3.list_buckets(MaxBuckets=4000, **({"ContinuationToken": token}
                                                   if token else {}))
        seen += [b["Name"] for b in page["Buckets"]]
        pages += 1
        token = page.get("ContinuationToken")
        if not token:
            break
    assert (seen, pages) == (names(), 3)
    prefixed = s3.list_buckets(Prefix="bucket-1")["Buckets"]
    assert [b["Name"] for b in prefixed] == [n for n in names() if n.startswith("bucket-1")]
    first = s3.list_buckets(MaxBuckets=10_000)      # S3's largest page
    rest = s3.list_buckets(MaxBuckets=10_000, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in first["Buckets"] + rest["Buckets"]] == names()
    assert "ContinuationToken" not in rest
