"""S3 server access logging: PutBucketLogging / GetBucketLogging (`?logging`), and a
record of every request to a bucket that has it, written in batches to the target
bucket (access_log_delivery.py).

Who may turn it on: whoever may PutBucketLogging on the source bucket (its owner, or
whom its policy allows), and only into a target bucket that exists, is not the source,
does not log itself, and is the same owner's or lets the logging service write there
(a policy allowing `{"Service": "logging.s3.amazonaws.com"}` s3:PutObject on the
prefix, with the source bucket as aws:SourceArn and its owner as aws:SourceAccount).
The log objects are written with the target bucket's own rules (versioning included)
and belong to its owner.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.proxy.bodies import once
from objectstore.proxy.default_encryption import default_encryption
from objectstore.proxy.policy import Requester
from objectstore.proxy.policy.context import RequestContext
from objectstore.proxy.policy.evaluation import Decision, evaluate
from objectstore.proxy.put_options import PutOptions
from objectstore.s3compat import s3errors
from objectstore.s3compat.access import Reach, S3Access
from objectstore.s3compat.access_log_delivery import IDLE_SECONDS, ROLL_SECONDS, LogDelivery
from objectstore.s3compat.access_log_records import Record, operation
from objectstore.s3compat.logging_config import (
    SYSMETA,
    LoggingConfig,
    decode,
    parse_status,
    status_xml,
)
from objectstore.s3compat.registry import BucketRegistry
from objectstore.s3compat.responses import xml_response
from objectstore.s3compat.uploads import request_stream
from objectstore.s3compat.versioning import S3Versioning
from objectstore.s3compat.xmlbody import read_limited

SERVICE = "logging.s3.amazonaws.com"
LOGGED = "access_log"       # request.state: a Logged, when the bucket may log
MAX_BODY = 64 * 1024



@dataclass
class Logged:
    """What a request to a logging bucket leaves for its record (request.state)."""

    reach: Reach
    bucket: str
    key: str
    params: dict[str, str]
    signature_version: str
    auth_type: str
    started: float
    deleted: list[tuple[str, str]] | None = None   # DeleteObjects: (key, version id)
    acl_required: bool = False     # an ACL, not ownership or a policy, let it in


class BucketLogging:
    def __init__(self, versioning: S3Versioning, registry: BucketRegistry,
                 access: S3Access, region: str, roll_seconds: float = ROLL_SECONDS,
                 idle_seconds: float = IDLE_SECONDS) -> None:
        self.versioning = versioning
        self.proxy = versioning.proxy
        self.containers = versioning.containers
        self.registry = registry
        self.access = access
        self.delivery = LogDelivery(self._write, region, roll_seconds,
                                    idle_seconds=idle_seconds, allowed=self._still_allowed)

    # -- the configuration -----------------------------------------------------------
    async def handle(self, request: Request, reach: Reach, bucket: str,
                     headers: dict[str, str]) -> Response:
        current = decode(headers.get(SYSMETA, ""))
        if request.method == "GET":
            extra = {"last-modified": current.changed} if current and current.changed else {}
            return xml_response(status_xml(current), extra)
        if request.method != "PUT":
            raise s3errors.MethodNotAllowed()
        asked = parse_status(await read_limited(request_stream(request), MAX_BODY))
        if asked is None:
            if current is not None:
                await self.delivery.flush(current, bucket)
                await self.containers.post_container(reach.account, bucket, {SYSMETA: ""})
            return Response(status_code=200)
        target_account = await self._check_target(reach, bucket, asked.target_bucket,
                                                  asked.prefix)
        wanted = LoggingConfig(asked.target_bucket, target_account, asked.prefix,
                               asked.partitioned, asked.date_source,
                               time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
        if not wanted.same_as(current):         # the same again changes nothing
            if current is not None:
                await self.delivery.flush(current, bucket)
            await self.containers.post_container(reach.account, bucket,
                                                 {SYSMETA: wanted.encode()})
        return Response(status_code=200)

    async def _check_target(self, reach: Reach, bucket: str, target: str, prefix: str
                            ) -> str:
        """The Swift account of a target the source may log to, else the error."""
        owner = await self.registry.owner(target)
        if owner is None:
            raise s3errors.NoSuchKey(f"The target bucket for logging does not exist: "
                                     f"{target}")
        if target == bucket:
            raise s3errors.InvalidArgument("A bucket cannot log to itself")
        target_headers = await self.registry.require(owner, target)
        if target_headers.get(SYSMETA):
            raise s3errors.InvalidArgument(f"The target bucket {target} has logging "
                                           "itself")
        if not await self._service_may_write(owner, target, prefix, bucket, reach.owner):
            raise s3errors.AccessDenied(f"The policy of {target} does not let the logging "
                                        "service write there")
        return owner

    async def _service_may_write(self, account: str, target: str, prefix: str,
                                 source: str, source_owner: str) -> bool:
        flag = self.access.policies.flag(account, target)
        stored = await self.access.policies.get(account, target, flag) if flag else None
        if stored is None:
            return False
        ctx = RequestContext(Requester(None, service=SERVICE), "s3:PutObject",
                             f"arn:aws:s3:::{target}/{prefix}",
                             {"aws:SourceArn": (f"arn:aws:s3:::{source}",),
                              "aws:SourceAccount": (source_owner,)})
        # the service must be named: a grant to everyone ("*") is not one to it
        named = any(not s.deny and SERVICE in s.principals.services and s.applies(ctx)
                    for s in stored.policy.statements_for(ctx.action_lower))
        return named and evaluate(stored.policy, ctx) is Decision.ALLOW

    async def _still_allowed(self, config: LoggingConfig, bucket: str, owner: str) -> bool:
        """Whether the target still lets the logging service in for `bucket` (its
        owner may have changed its policy since logging was turned on)."""
        try:
            await self.registry.require(config.target_account, config.target_bucket)
        except errors.ObjectStoreError:
            return False
        return await self._service_may_write(config.target_account, config.target_bucket,
                                             config.prefix, bucket, owner)

    async def forget(self, account: str, bucket: str) -> None:
        """The bucket is deleted: what it gathered is written first."""
        config = decode(self.proxy.known_containers.sysmeta(account, bucket).get(SYSMETA, ""))
        if config is not None:
            await self.delivery.flush(config, bucket)

    # -- records ---------------------------------------------------------------------
    async def record(self, logged: Logged, request: Request, response: Response,
                     request_id: str, error_code: str) -> None:
        """The record(s) of one request, if its bucket logs (a dict lookup if not)."""
        account, bucket = logged.reach.account, logged.bucket
        config = decode(self.proxy.known_containers.sysmeta(account, bucket).get(SYSMETA, ""))
        if config is None:
            return
        now = time.time()
        elapsed = int((time.monotonic() - logged.started) * 1000)
        h = request.headers
        sent = response.headers.get("content-length")
        size = None if not logged.key else h.get(
            "x-amz-decoded-content-length", h.get("content-length")) \
            if request.method in ("PUT", "POST") else sent
        query = request.scope.get("query_string", b"").decode("latin-1")
        target = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        line = f"{request.method} {target}{'?' + query if query else ''} HTTP/1.1"
        client = request.client
        version = response.headers.get("x-amz-version-id", logged.params.get("versionId", ""))

        def one(key: str, vid: str) -> str:
            return Record(
                logged.reach.owner, bucket, now, client.host if client else "",
                "" if logged.reach.who.account is None else logged.reach.requester,
                request_id, operation(request.method, logged.key or None, logged.params),
                key, line, response.status_code, error_code,
                int(sent) if sent and sent.isdigit() and sent != "0" else None,
                int(size) if size and size.isdigit() else None, elapsed, elapsed,
                h.get("referer", ""), h.get("user-agent", ""), vid,
                logged.signature_version, logged.auth_type, h.get("host", ""),
                logged.acl_required).line()

        if logged.deleted is not None:
            lines = [one(k, v) for k, v in logged.deleted]
        else:
            lines = [one(logged.key, version)]
        if lines:
            await self.delivery.add(bucket, logged.reach.owner, config, lines)

    async def _write(self, config: LoggingConfig, name: str, body: bytes) -> None:
        """A log object, encrypted as the target bucket's default says (its container
        info was read when its permission was checked, just before)."""
        proxy = self.versioning.proxy
        sysmeta = proxy.known_containers.sysmeta(config.target_account, config.target_bucket)
        await self.versioning.put_object(
            config.target_account, config.target_bucket, name, once(body),
            PutOptions(content_type="text/plain", length=len(body),
                       encryption=default_encryption(sysmeta, proxy.keyring)))
