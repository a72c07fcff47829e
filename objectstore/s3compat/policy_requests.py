"""An S3 request as bucket policies see it: the IAM action(s) it needs, on which
resource ARN, with the values of its condition keys (`objectstore.proxy.policy`
evaluates them). Pure: the caller says who asks and how (`Caller`), and fills in what
it must look up -- the object's current tags for s3:ExistingObjectTag/<k>, the tag set
of a PutObjectTagging body for s3:RequestObjectTag/<k>.

Nothing here runs on a request unless its bucket has a policy to evaluate."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote

from objectstore.proxy.policy import RequestContext, Requester, bucket_arn, object_arn
from objectstore.proxy.policy.callers import Caller as Caller
from objectstore.proxy.policy.callers import common_keys
from objectstore.proxy.policy.callers import principal_keys as principal_keys
from objectstore.s3compat.policy_actions import bucket_action, object_action, source_action

GRANTS = ("read", "write", "read-acp", "write-acp", "full-control")
# headers whose value is the condition key of the same name (s3:<header>)
HEADER_KEYS = ("x-amz-acl", "x-amz-server-side-encryption",
               "x-amz-server-side-encryption-aws-kms-key-id",
               "x-amz-server-side-encryption-customer-algorithm",
               "x-amz-storage-class", "x-amz-content-sha256")
LOCK_HEADERS = {"x-amz-object-lock-mode": "s3:object-lock-mode",
                "x-amz-object-lock-retain-until-date": "s3:object-lock-retain-until-date",
                "x-amz-object-lock-legal-hold": "s3:object-lock-legal-hold"}
# the actions whose request headers carry ACLs, encryption, tags or a copy source
WRITES = {"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutBucketAcl",
          "s3:CreateBucket"}
LISTS = {"s3:ListBucket", "s3:ListBucketVersions"}


@dataclass(frozen=True)
class PolicyRequest:
    """One action a request needs. `role`: "request" (what it is), "copy-source" (the
    source a copy reads, in its own bucket), "tagging" (PutObject's x-amz-tagging needs
    s3:PutObjectTagging too), "bypass" (s3:BypassGovernanceRetention)."""

    action: str
    bucket: str
    key: str | None
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    role: str = "request"

    @property
    def resource(self) -> str:
        return bucket_arn(self.bucket) if self.key is None else object_arn(self.bucket,
                                                                          self.key)

    def context(self, requester: Requester) -> RequestContext:
        return RequestContext(requester, self.action, self.resource, self.keys)


def policy_requests(method: str, bucket: str, key: str | None, params: Mapping[str, str],
                    headers: Mapping[str, str], caller: Caller, *,
                    existing_tags: Mapping[str, str] | None = None,
                    request_tags: Mapping[str, str] | None = None,
                    now: float | None = None) -> list[PolicyRequest]:
    """What a request to `bucket` (and `key`) needs; [] when it is not an action a
    bucket policy governs (ListBuckets, or a method the API refuses anyway)."""
    names = {k.lower(): v for k, v in headers.items()}
    action = object_action(method, params) if key else bucket_action(method, params)
    if action is None:
        return []
    base = common_keys(names, caller, now)
    keys = dict(base)
    if params.get("versionId"):
        keys["s3:versionid"] = (params["versionId"],)
    if action in LISTS:
        keys.update(list_keys(params))
    if action in WRITES:
        keys.update(write_keys(names, now))
    if existing_tags is not None:
        keys.update(tag_keys("s3:ExistingObjectTag", existing_tags, total=False))
    tags = request_tags
    if tags is None and action == "s3:PutObject" and "x-amz-tagging" in names:
        tags = dict(parse_qsl(names["x-amz-tagging"], keep_blank_values=True))
    if tags is not None and action in ("s3:PutObject", "s3:PutObjectTagging",
                                       "s3:PutObjectVersionTagging"):
        keys.update(tag_keys("s3:RequestObjectTag", tags, total=True))
    out = [PolicyRequest(action, bucket, key, keys)]
    source = names.get("x-amz-copy-source")
    if key and source and method == "PUT":
        out.extend(_copy(source, keys, base, names))
    if action == "s3:PutObject" and names.get("x-amz-tagging"):
        out.append(PolicyRequest("s3:PutObjectTagging", bucket, key, keys, "tagging"))
    if names.get("x-amz-bypass-governance-retention", "").strip().lower() == "true":
        out.append(PolicyRequest("s3:BypassGovernanceRetention", bucket, key, keys,
                                 "bypass"))
    return out


def _copy(source: str, keys: dict[str, tuple[str, ...]], base: dict[str, tuple[str, ...]],
          names: Mapping[str, str]) -> list[PolicyRequest]:
    """CopyObject / UploadPartCopy: the destination's keys name the source; the source
    is read with s3:GetObject(Version) in its own bucket, with the request's own keys."""
    path, _, query = source.partition("?")
    path = unquote(path).lstrip("/")
    keys["s3:x-amz-copy-source"] = (path,)
    if "x-amz-metadata-directive" in names:
        keys["s3:x-amz-metadata-directive"] = (names["x-amz-metadata-directive"].strip(),)
    src_bucket, _, src_key = path.partition("/")
    if not src_bucket or not src_key:
        return []
    vid = dict(parse_qsl(query)).get("versionId") if query else None
    src_keys = dict(base)
    if vid:
        src_keys["s3:versionid"] = (vid,)
    return [PolicyRequest(source_action(vid), src_bucket, src_key, src_keys, "copy-source")]


def delete_object_request(bucket: str, key: str, version_id: str | None, caller: Caller,
                          now: float | None = None) -> PolicyRequest:
    """One key of a DeleteObjects: judged as its own DeleteObject(Version)."""
    keys = common_keys({}, caller, now)
    if version_id:
        keys["s3:versionid"] = (version_id,)
    action = "s3:DeleteObjectVersion" if version_id else "s3:DeleteObject"
    return PolicyRequest(action, bucket, key, keys)


def missing_object_request(bucket: str, key: str, caller: Caller,
                           now: float | None = None) -> PolicyRequest:
    """A read of a key that does not exist is 404 to a requester S3 lets list the
    bucket with that prefix (s3:ListBucket, s3:prefix the key), else 403."""
    keys = common_keys({}, caller, now)
    keys["s3:prefix"] = (key,)
    return PolicyRequest("s3:ListBucket", bucket, None, keys)


def list_keys(params: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """s3:prefix, s3:delimiter, s3:max-keys: present when the request gives them."""
    return {f"s3:{name}": (params[name],) for name in ("prefix", "delimiter", "max-keys")
            if name in params}


def write_keys(names: Mapping[str, str], now: float | None) -> dict[str, tuple[str, ...]]:
    """The keys of the headers that say how an object (or ACL) is written."""
    keys: dict[str, tuple[str, ...]] = {}
    for header in HEADER_KEYS:
        if header in names:
            keys["s3:" + header] = (names[header].strip(),)
    for grant in GRANTS:
        value = names.get("x-amz-grant-" + grant)
        if value is not None:
            keys["s3:x-amz-grant-" + grant] = tuple(
                g.strip() for g in value.split(",") if g.strip())
    for header, name in LOCK_HEADERS.items():
        if header in names:
            keys[name] = (names[header].strip(),)
    until = names.get("x-amz-object-lock-retain-until-date")
    if until:
        keys.update(_remaining_days(until, now))
    for header in ("if-match", "if-none-match"):
        if header in names:
            keys["s3:" + header] = (names[header].strip(),)
    return keys


def _remaining_days(until: str, now: float | None) -> dict[str, tuple[str, ...]]:
    try:
        moment = datetime.fromisoformat(until.strip().replace("Z", "+00:00"))
    except ValueError:
        return {}
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    left = moment.timestamp() - (time.time() if now is None else now)
    return {"s3:object-lock-remaining-retention-days": (str(max(0, int(left // 86400))),)}


def tag_keys(prefix: str, tags: Mapping[str, str], total: bool
             ) -> dict[str, tuple[str, ...]]:
    """`<prefix>/<tag>` per tag; with `total`, s3:RequestObjectTagKeys (every key)."""
    keys: dict[str, tuple[str, ...]] = {f"{prefix}/{name}".lower(): (value,)
                                        for name, value in tags.items()}
    if total:
        keys["s3:requestobjecttagkeys"] = tuple(tags)
    return keys
