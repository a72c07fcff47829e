"""Where the users an admin makes through the admin API are kept: one object per user in
the internal account `.admin`, container `users`, named `<account>:<user>`, holding the
user as JSON -- in the cluster, replicated as any object, so every proxy reads the same
users and a change outlives the proxy that made it.

The account is out of every user's reach (user accounts are `AUTH_<name>`), and the
documents are encrypted with the store's SSE-S3 key when the proxy has one (they hold
secrets: an S3 secret must be kept readable, since a signature is checked by signing
again). Loading is one container listing; a document is read again only when its
listing's ETag changed, so a proxy that reloads every few seconds mostly reads one page.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from objectstore import errors
from objectstore.crypto.protection import SSE_S3, Protection
from objectstore.proxy.bodies import once
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import Encryption, PutOptions
from objectstore.proxy.small_objects import read_small

ACCOUNT = ".admin"
CONTAINER = "users"
PAGE = 10_000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserRecord:
    """A user as the cluster keeps it. `disabled`: may not log in or sign (kept, so it
    can be enabled again). A record for a user the config file also names overrides
    the config's (how a config user is disabled or given a new key)."""

    account: str
    user: str
    key: str
    access_key: str = ""
    admin: bool = True
    reseller_admin: bool = False
    disabled: bool = False
    email: str = ""
    created: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.account}:{self.user}"

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> UserRecord:
        doc = json.loads(data)
        if not isinstance(doc, dict):
            raise ValueError("a user record is a JSON object")
        return cls(**{k: doc[k] for k in cls.__dataclass_fields__ if k in doc})



class UserRecords:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self._read: dict[str, tuple[str, UserRecord]] = {}     # name -> (etag, record)

    async def load(self) -> dict[str, UserRecord]:
        """Every stored user, by `account:user` (a damaged record is logged and left
        out: its user cannot log in until an admin writes it again)."""
        try:
            listing = await self.containers.list_container(ACCOUNT, CONTAINER, limit=PAGE)
        except errors.NotFound:
            self._read.clear()
            return {}
        found: dict[str, tuple[str, UserRecord]] = {}
        for row in listing.entries:
            name, etag = row.get("name"), row.get("hash", "")
            if not isinstance(name, str):
                continue
            known = self._read.get(name)
            if known is not None and known[0] == etag:
                found[name] = known
                continue
            record = await self._get(name)
            if record is not None:
                found[name] = (etag, record)
        self._read = found
        return {name: record for name, (_, record) in found.items()}

    async def _get(self, name: str) -> UserRecord | None:
        data = await read_small(self.proxy, ACCOUNT, CONTAINER, name)
        if data is None:                # deleted between the listing and now
            return None
        try:
            return UserRecord.from_json(data)
        except (ValueError, TypeError):
            log.warning("user record %s of %s/%s is damaged: left out", name, ACCOUNT,
                        CONTAINER)
            return None

    async def save(self, record: UserRecord) -> None:
        if not self.proxy.known_containers.known(ACCOUNT, CONTAINER):
            try:
                await self.containers.head_container(ACCOUNT, CONTAINER)
            except errors.ContainerNotFound:
                await self.containers.put_container(ACCOUNT, CONTAINER, {})
        data = record.to_json()
        sealed = Encryption(Protection(SSE_S3)) if self.proxy.keyring is not None else None
        await self.proxy.put_object(ACCOUNT, CONTAINER, record.name, once(data),
                                    PutOptions(content_type="application/json",
                                               length=len(data), encryption=sealed))

    async def delete(self, name: str) -> None:
        with contextlib.suppress(errors.NotFound):
            await self.proxy.delete_object(ACCOUNT, CONTAINER, name)


def record_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a record a JSON request may set, type-checked (BadRequest)."""
    out: dict[str, Any] = {}
    for key, kind in (("account", str), ("user", str), ("key", str), ("access_key", str),
                      ("email", str), ("admin", bool), ("reseller_admin", bool),
                      ("disabled", bool)):
        if key in doc:
            if not isinstance(doc[key], kind):
                raise errors.BadRequest(f"{key!r} must be a {kind.__name__}")
            out[key] = doc[key]
    return out
