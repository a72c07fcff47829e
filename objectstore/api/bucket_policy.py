"""A bucket policy binds Swift requests too: a container with an S3 bucket policy has
each Swift request to it evaluated against the policy as the S3 action it amounts to
(a GET of an object is s3:GetObject, a container listing s3:ListBucket, ...). So an
explicit Deny holds whichever API is used (the account's owners included), and an
Allow lets a Swift user in as it lets an S3 key. A container without a policy costs a
dict lookup (the container cache's system metadata)."""

from __future__ import annotations

from starlette.requests import Request

from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.proxy.authorization import Identity
from objectstore.proxy.policy import Decision, RequestContext, bucket_arn, evaluate, object_arn
from objectstore.proxy.policy.callers import Caller, common_keys
from objectstore.proxy.policy_store import FLAG

# (names an object, method) -> the S3 action a Swift request amounts to
ACTIONS = {(True, "GET"): "s3:GetObject", (True, "HEAD"): "s3:GetObject",
           (True, "PUT"): "s3:PutObject", (True, "POST"): "s3:PutObject",
           (True, "COPY"): "s3:GetObject", (True, "DELETE"): "s3:DeleteObject",
           (False, "GET"): "s3:ListBucket", (False, "HEAD"): "s3:ListBucket",
           (False, "DELETE"): "s3:DeleteBucket"}


async def policy_verdict(b: Backend, who: Identity, request: Request, t: SwiftPath,
                         method: str) -> Decision:
    """The container's policy on this request (NONE without a policy, or for what no
    S3 action names: container and account settings stay the owners')."""
    if t.container is None:
        return Decision.NONE
    action = ACTIONS.get((t.obj is not None, method))
    if action is None:
        return Decision.NONE
    flag = await b.containers.cached_sysmeta(t.account, t.container, FLAG)
    if not flag:
        return Decision.NONE
    stored = await b.policies.get(t.account, t.container, flag)
    if stored is None:
        return Decision.NONE
    client = request.client
    caller = Caller(who.requester, client.host if client else None,
                    request.url.scheme == "https", None, None,
                    t.account.removeprefix("AUTH_"))
    resource = bucket_arn(t.container) if t.obj is None else object_arn(t.container, t.obj)
    keys = common_keys({k.lower(): v for k, v in request.headers.items()}, caller, None)
    return evaluate(stored.policy, RequestContext(who.requester, action, resource, keys))
