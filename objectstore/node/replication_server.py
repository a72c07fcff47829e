"""The node API replicators talk to (other nodes' replicators, with the cluster secret):

    GET /replication/<device>/<partition>                 {suffix: hash}
    (each with `?policy=<i>` for the objects of storage policy i; none: policy 0)
    GET /replication/<device>/<partition>/<suffix>        {object hash: [file names]}
    PUT /replication/<device>/<partition>/<suffix>/<object hash>/<file name>
        body: the file's bytes; kept only if it checks out whole and is newer than
        what is held (201), else 200 (nothing newer needed) or 422 (damaged)

A pushed file is a copy of another replica's file, timestamp and all: the newest wins
here exactly as for a client's write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from objectstore.errors import BadRequest, DiskFileError, InsufficientStorage
from objectstore.node import paths
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import install_file
from objectstore.node.suffixes import suffix_hashes, suffix_listing

PREFIX = "/replication/"
_HASH = re.compile(r"^[0-9a-f]{32}$")
_SUFFIX = re.compile(r"^[0-9a-f]{3}$")


def part_dir(devices: Path, device: str, partition: int, policy: int = 0) -> Path:
    return (devices / paths.checked_device(device) / paths.objects_kind(policy)
            / str(partition))


def policy_query(policy: int) -> str:
    """What a replication request's path ends with for a policy's objects."""
    return f"?policy={policy}" if policy else ""


def _policy_of(request: Request) -> int:
    raw = request.query_params.get("policy", "0")
    if not raw.isdigit() or len(raw) > 6:
        raise BadRequest("policy must be a number")
    return int(raw)


class ReplicationServer:
    def __init__(self, config: NodeConfig) -> None:
        self.config = config

    async def handle(self, request: Request, path: str) -> Response:
        parts = path[len(PREFIX):].split("/")
        if len(parts) < 2 or not parts[1].isdigit():
            raise BadRequest("expected /replication/<device>/<partition>[/...]")
        device, partition, policy = parts[0], int(parts[1]), _policy_of(request)
        directory = part_dir(self.config.devices, device, partition, policy)
        if not (self.config.devices / paths.checked_device(device)).is_dir():
            return Response(b"no such device\n", status_code=507)
        if len(parts) == 2 and request.method == "GET":
            return _json(await asyncio.to_thread(suffix_hashes, directory))
        if len(parts) == 3 and request.method == "GET" and _SUFFIX.match(parts[2]):
            return _json(await asyncio.to_thread(suffix_listing, directory, parts[2]))
        if len(parts) == 5 and request.method == "PUT" and _SUFFIX.match(parts[2]) \
                and _HASH.match(parts[3]) and parts[3].endswith(parts[2]):
            return await self.receive(request, device, partition, parts[3], parts[4], policy)
        raise BadRequest("unknown replication request")

    async def receive(self, request: Request, device: str, partition: int, name_hash: str,
                      filename: str, policy: int = 0) -> Response:
        tmp = paths.tmp_dir(self.config.devices, device)
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=tmp)
            with os.fdopen(fd, "wb") as f:
                async for chunk in request.stream():
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            with contextlib.suppress(UnboundLocalError, FileNotFoundError):
                os.unlink(name)
            if exc.errno in (28, 122):                       # ENOSPC, EDQUOT
                raise InsufficientStorage(f"device {device} is full") from None
            raise
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
            raise
        try:
            installed = await asyncio.to_thread(install_file, self.config.devices, device,
                                                partition, name_hash, filename, Path(name),
                                                policy)
        except DiskFileError as exc:
            return Response(f"{exc}\n".encode(), status_code=422)
        return Response(status_code=201 if installed else 200)


def _json(doc: object) -> Response:
    return Response(json.dumps(doc).encode(), media_type="application/json")
