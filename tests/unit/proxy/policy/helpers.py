"""Small builders for policy tests: a statement, a document, a request context."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from objectstore.proxy.policy import Policy, RequestContext, Requester, parse_policy

BUCKET = "bucket"
OWNER = Requester("test")
ALT = Requester("test2")
ANON = Requester(None)


def statement(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"Effect": "Allow", "Principal": "*",
                               "Action": "s3:GetObject",
                               "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def document(*statements: dict[str, object], version: str | None = "2012-10-17") -> str:
    doc: dict[str, object] = {"Statement": list(statements)}
    if version is not None:
        doc["Version"] = version
    return json.dumps(doc)


def policy(*statements: dict[str, object], version: str | None = "2012-10-17",
           bucket: str = BUCKET) -> Policy:
    return parse_policy(document(*statements, version=version), bucket)


def ctx(action: str = "s3:GetObject", key: str | None = "k", who: Requester = ALT,
        keys: Mapping[str, Sequence[str]] | None = None, bucket: str = BUCKET
        ) -> RequestContext:
    resource = f"arn:aws:s3:::{bucket}" + (f"/{key}" if key is not None else "")
    return RequestContext(who, action, resource, {k: tuple(v) for k, v in
                                                  (keys or {}).items()})
