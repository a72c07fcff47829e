"""Containers and accounts through the proxy: replicated SQLite listings.

A container PUT creates the container's replicas and a row in each account replica
(accounts are created on first use). A listing page comes from one replica (the next
if it fails, as Swift's proxy does); stats and metadata from the newest answer among a
quorum.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from objectstore import errors
from objectstore.node import paths, wire
from objectstore.node.client import Target, node_path
from objectstore.proxy import quotas
from objectstore.proxy.container_policies import index_of
from objectstore.proxy.core import Proxy, target_of
from objectstore.proxy.existence import NONE
from objectstore.proxy.fanout import Reply, answer_from
from objectstore.proxy.quorum import Answer, newest, quorum_size, write_outcome
from objectstore.proxy.quotas import container_quotas
from objectstore.proxy.strategy import KNOWN, shared
from objectstore.proxy.version_names import (
    RESERVED,
    STATE,
    is_reserved,
    listed_size,
    versions_container,
)
from objectstore.timestamps import Timestamp

# a Swift-only container (swift_only.py) is never remembered as known: S3 must see its mark
SWIFT_ONLY = "x-container-sysmeta-swift-only"
VERSIONING = STATE
_PAST_HIDDEN = RESERVED + "\U0010ffff"     # a marker past every hidden container
CONTAINER_SYSMETA = "x-container-sysmeta-"
ACCOUNT_SYSMETA = "x-account-sysmeta-"
# Swift's legacy versioned writes (api/versioned_writes.py): the archive container's name.
# S3 reads it too, to refuse writes the Swift setting would version (s3compat/features.py)
LEGACY_VERSIONS = CONTAINER_SYSMETA + "versions-location"
# the header of a container's or account's info that says when it last changed
LAST_CHANGED = wire.METADATA_TIMESTAMP


@dataclass(frozen=True)
class Listing:
    headers: dict[str, str]         # x-item-count, x-bytes-used, metadata
    entries: list[dict[str, Any]]   # {"name", "bytes", "hash", ...} or {"subdir"}


class Containers:
    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        proxy.container_policies.look_up = self._policy_of

    async def _policy_of(self, account: str, container: str) -> int | None:
        try:
            return index_of(await self.head_container(account, container))
        except errors.ContainerNotFound:
            return None

    async def _broadcast(self, method: str, kind: str, account: str, container: str | None,
                         row: str | None, headers: dict[str, str],
                         extra: list[dict[str, str]] | None = None) -> list[Answer]:
        """Send one write to every primary replica of an account or container (replica i
        also gets `extra[i]`, if given)."""
        name = (account, container) if kind == paths.CONTAINERS else (account,)
        where = self.proxy.placement(*name)
        part, primaries = where.partition, where.primaries
        fanout = self.proxy.fanout
        replies = await fanout.call(
            (target_of(d) for d in primaries),
            fanout.exchange(method, lambda t: node_path(
                kind, t.device, part, account,
                container if kind == paths.CONTAINERS else row,
                row if kind == paths.CONTAINERS else None),
                lambda slot: {**headers, **extra[slot % len(extra)]} if extra else headers),
            self.proxy.write_strategy(where.replicas, len(primaries)))
        return [Answer(r.answer.status, None, r.slot) for r in replies]

    def _check(self, answers: list[Answer], what: str) -> int:
        status = write_outcome(answers, self.proxy.ring.current().replicas)
        if not 200 <= status < 300:
            raise wire.error_for(status)(f"{what}: {status}")
        return status

    async def ensure_account(self, account: str) -> None:
        ts = {"x-timestamp": Timestamp(1).internal}    # oldest: never revives a deletion
        self._check(await self._broadcast("PUT", paths.ACCOUNTS, account, None, None, ts),
                    "account")

    async def put_container(self, account: str, container: str,
                            metadata: dict[str, str], policy: int | None = None) -> bool:
        """Create a container (True) or update an existing one (False). A new one keeps
        its objects in storage `policy` (None: the default); Conflict if an existing
        one is in another policy than the one asked for."""
        if policy is not None:
            try:
                held = index_of(await self.head_container(account, container))
            except errors.ContainerNotFound:
                held = policy
            if held != policy:
                raise errors.Conflict(f"container {container!r} is in another storage "
                                      "policy (a container's policy cannot change)")
        await self.ensure_account(account)
        ts = Timestamp.now()
        made = {"x-timestamp": ts.internal}
        if policy:
            made[wire.POLICY_SYSMETA] = str(policy)
        awhere = self.proxy.placement(account)
        reports = [{wire.ACCOUNT_PARTITION: str(awhere.partition),   # replica i reports to i
                    wire.ACCOUNT_UPDATE: target_of(d).spec} for d in awhere.primaries]
        status = self._check(await self._broadcast(
            "PUT", paths.CONTAINERS, account, container, None, made, reports), "container")
        if status == 201 and not metadata.get(SWIFT_ONLY):
            self.proxy.known_containers.remember(
                account, container,
                sysmeta={wire.POLICY_SYSMETA: str(policy)} if policy else NONE)
        else:       # an existing one keeps its quota and system metadata: ask again
            self.proxy.known_containers.forget(account, container)
        if status == 201:
            self.proxy.container_policies.remember(account, container, policy or 0)
        else:
            self.proxy.container_policies.forget(account, container)
        if metadata:
            await self.post_container(account, container, metadata)
        if status == 201:       # an existing container's replicas report their counts
            self._check(await self._broadcast(
                "PUT", paths.ACCOUNTS, account, None, container,
                {"x-timestamp": ts.internal, "x-object-count": "0", "x-bytes-used": "0",
                 "x-content-type": str(policy) if policy else ""}),
                "account row")
        return status == 201

    async def post_container(self, account: str, container: str,
                             metadata: dict[str, str]) -> None:
        self.proxy.known_containers.forget(account, container)   # a quota may change
        await self._info(paths.CONTAINERS, account, container)      # 404 if missing
        headers = {**metadata, "x-timestamp": Timestamp.now().internal}
        self._check(await self._broadcast("POST", paths.CONTAINERS, account, container, None,
                                          headers), "container metadata")

    async def post_account(self, account: str, metadata: dict[str, str]) -> None:
        self.proxy.known_containers.forget(account, "")        # a quota may change
        await self.ensure_account(account)
        headers = {**metadata, "x-timestamp": Timestamp.now().internal}
        self._check(await self._broadcast("POST", paths.ACCOUNTS, account, None, None,
                                          headers), "account metadata")

    async def delete_container(self, account: str, container: str) -> None:
        self.proxy.known_containers.forget(account, container)
        self.proxy.container_policies.forget(account, container)
        ts = Timestamp.now()
        answers = await self._broadcast("DELETE", paths.CONTAINERS, account, container, None,
                                        {"x-timestamp": ts.internal})
        replicas = self.proxy.ring.current().replicas
        if sum(1 for a in answers if a.status == 409) >= 1:
            raise errors.ContainerNotEmpty(container)
        if sum(1 for a in answers if a.status == 404) >= quorum_size(replicas):
            raise errors.ContainerNotFound(container)
        self._check(answers, "delete container")
        self.proxy.known_containers.forget(account, container)  # a HEAD may have raced us
        self._check(await self._broadcast("DELETE", paths.ACCOUNTS, account, None, container,
                                          {"x-timestamp": ts.internal}), "account row")

    async def _info(self, kind: str, account: str, container: str | None
                    ) -> dict[str, str]:
        """Headers (stats, metadata) of the newest replica among those that answer."""
        name = (account, container) if kind == paths.CONTAINERS else (account,)
        where = self.proxy.placement(*name)
        part, primaries = where.partition, where.primaries

        async def one(slot: int, target: Target) -> Reply:
            path = node_path(kind, target.device, part, account, container)
            resp = await self.proxy.client.request("HEAD", target, path)
            async with resp:
                await resp.read()
                h = {k.lower(): v for k, v in resp.headers.items()}
            # the newest metadata wins: a replica a POST has not reached yet (the POST
            # answered once a quorum had it) must not be the one believed
            stamp = h.get(LAST_CHANGED) or h.get("x-put-timestamp")
            return Reply(Answer(resp.status, Timestamp.parse(stamp) if stamp else None), h)

        replies = await self.proxy.fanout.call(
            (target_of(d) for d in primaries), one,
            shared(quorum=quorum_size(where.replicas), width=len(primaries),
                     success=KNOWN))
        results = [(r.answer, r.headers) for r in replies]
        answers = [r[0] for r in results]
        found = [a for a in answers if a.status in (200, 204)]
        if not found:
            if sum(1 for a in answers if a.status == 404) >= 1:
                missing = (errors.ContainerNotFound if kind == paths.CONTAINERS
                           else errors.AccountNotFound)
                raise missing(container or account)
            raise wire.error_for(write_outcome(answers, where.replicas))(       # a refusal, or 503
                f"storage nodes answered {sorted(a.status for a in answers)}")
        best = newest(found) or found[0]
        return results[best.node][1]

    async def _listing(self, kind: str, account: str, container: str | None,
                       query: str) -> tuple[dict[str, str], bytes]:
        """A listing page from one replica: the primaries in turn until one has it.
        (Asking all of them cost three times the work for the same page; stats and
        metadata come from `_info`'s quorum.) Not found only if none has it."""
        name = (account, container) if kind == paths.CONTAINERS else (account,)
        where = self.proxy.placement(*name)
        part, primaries = where.partition, where.primaries

        async def one(slot: int, target: Target) -> Reply:
            path = node_path(kind, target.device, part, account, container) + query
            resp = await self.proxy.client.request("GET", target, path)
            async with resp:
                body = await resp.read()
                h = {k.lower(): v for k, v in resp.headers.items()}
            return Reply(answer_from(resp.status, h, -1), h, kept=_Body(body))

        replies = await self.proxy.fanout.call(
            (target_of(d) for d in primaries), one,
            shared(quorum=1, width=1, success=frozenset({200}), retry_failures=True,
                     hedge=True))
        for r in replies:
            if r.answer.status == 200 and isinstance(r.kept, _Body):
                return r.headers, r.kept.data
        if any(r.answer.status == 404 for r in replies):
            raise (errors.ContainerNotFound(container or account) if kind == paths.CONTAINERS
                   else errors.AccountNotFound(account))
        # a refusal a quorum agrees on (e.g. 400 for a bad delimiter: the node says why), or 503
        answers = [r.answer for r in replies]
        refused = wire.error_for(write_outcome(answers, where.replicas))
        why = [r.kept.data.decode(errors="replace").strip() for r in replies
               if isinstance(r.kept, _Body) and r.answer.status in wire.STATUS_ERRORS]
        if refused is errors.ServiceUnavailable or not why:
            why = [f"storage nodes answered {sorted(a.status for a in answers)}"]
        raise refused(why[0])

    async def list_container(self, account: str, container: str,
                             **params: Any) -> Listing:
        headers, body = await self._listing(paths.CONTAINERS, account, container,
                                            _query(params))
        rows = json.loads(body)
        if b"version_bytes=" in body:       # pointers to versions: their versions' sizes
            rows = [listed_size(row) for row in rows]
        return Listing(headers, rows)

    async def list_account(self, account: str, **params: Any) -> Listing:
        """An account's containers, without the hidden ones (versions containers:
        their names begin with NUL, so they sort first -- the listing starts past them)."""
        if not params.get("reverse") and (params.get("marker") or "") < _PAST_HIDDEN:
            params["marker"] = _PAST_HIDDEN
        try:
            headers, body = await self._listing(paths.ACCOUNTS, account, None, _query(params))
        except errors.AccountNotFound:
            return Listing({"x-item-count": "0", "x-bytes-used": "0"}, [])
        rows = json.loads(body)
        if b"\\u0000" in body:
            rows = [r for r in rows if not is_reserved(r.get("name") or r.get("subdir", ""))]
        return Listing(headers, rows)

    async def head_container(self, account: str, container: str) -> dict[str, str]:
        headers = await self._info(paths.CONTAINERS, account, container)
        self.proxy.container_policies.remember(account, container, index_of(headers))
        if not headers.get(SWIFT_ONLY):
            self.proxy.known_containers.remember(
                account, container, quota=container_quotas(headers) != (None, None),
                sysmeta={k: v for k, v in headers.items()
                         if k.startswith(CONTAINER_SYSMETA) and v})
        return headers

    async def versioning(self, account: str, container: str) -> str:
        """The container's versioning state (version_names.STATE), trusting a recent
        answer; ContainerNotFound if it does not exist."""
        await self.confirm(account, container)
        return self.proxy.known_containers.versioning(account, container)

    async def cached_sysmeta(self, account: str, container: str, name: str) -> str:
        """One system metadata value of a container (or, with container "", of the
        account), trusting a recent answer; "" if unset. A missing container: ""."""
        known = self.proxy.known_containers
        if not known.known(account, container):
            if container:
                try:
                    await self.head_container(account, container)
                except errors.ContainerNotFound:
                    return ""
            else:
                self._remember_account(account,
                                       (await self.list_account(account, limit="0")).headers)
        return known.sysmeta(account, container).get(name, "")

    def _remember_account(self, account: str, headers: Mapping[str, str]) -> None:
        """Remember that the account exists, whether it has a quota, its sysmeta."""
        self.proxy.known_containers.remember(
            account, "", quota=quotas.has_account_quota(headers),
            sysmeta={k: v for k, v in headers.items()
                     if k.startswith(ACCOUNT_SYSMETA) and v})

    async def confirm(self, account: str, container: str) -> None:
        """ContainerNotFound unless the container exists (trusting a recent answer)."""
        if not self.proxy.known_containers.known(account, container):
            await self.head_container(account, container)

    async def confirm_write(self, account: str, container: str, adding: int | None
                            ) -> None:
        """As `confirm`, for a new object of `adding` bytes (None: not known): also
        QuotaExceeded past the container's quota (its counts are asked afresh then:
        only containers with a quota pay for it)."""
        known = self.proxy.known_containers
        if not known.known(account, container) or known.has_quota(account, container):
            headers = await self.head_container(account, container)
            limits = container_quotas(headers)
            used = int(headers.get("x-bytes-used", "0"))
            if limits != (None, None) and headers.get(VERSIONING):  # its versions count
                try:
                    kept = await self._info(paths.CONTAINERS, account,
                                            versions_container(container))
                    used += int(kept.get("x-bytes-used", "0"))
                except errors.ContainerNotFound:
                    pass
            quotas.check(limits, used, int(headers.get("x-item-count", "0")), adding)
        await self.confirm_account_write(account, container, adding)

    async def confirm_account_write(self, account: str, container: str,
                                    adding: int | None) -> None:
        """QuotaExceeded past the account's quota or that of the container's storage
        policy (asked afresh when it has one; whether it has one is remembered as for
        containers)."""
        known = self.proxy.known_containers
        if known.known(account, "") and not known.has_quota(account, ""):
            return
        headers = (await self.list_account(account, limit="0")).headers
        self._remember_account(account, headers)
        quotas.check_account(headers, await self.proxy.container_policies.index(
            account, container), adding)


@dataclass
class _Body:
    """A listing page read whole (nothing to release)."""

    data: bytes

    def release(self) -> None:
        pass


def _query(params: dict[str, Any]) -> str:
    given = {k: v for k, v in params.items()
             if v is not None and (v != "" or k == "path")}     # path= is the top level
    return "?" + urlencode(given) if given else ""


def listed_etag(value: str) -> str:
    """A container row's ETag without the parameters a row may carry after it (a Swift
    symlink's target, as Swift keeps it: `<md5>; symlink_target=c/o`)."""
    return value.partition(";")[0].strip()
