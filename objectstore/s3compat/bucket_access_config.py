"""The bucket settings that say who gets in: Put/Get/DeleteBucketPolicy,
GetBucketPolicyStatus, Put/Get/DeletePublicAccessBlock, and
Put/Get/DeleteBucketOwnershipControls. Only the bucket owner reaches here (or whom
its policy allows: access.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.policy import is_public, parse_policy
from objectstore.proxy.policy_store import PolicyStore
from objectstore.proxy.public_access import FIELDS, SYSMETA, PublicAccessBlock, of_sysmeta
from objectstore.proxy.s3_acl import is_public as acl_is_public
from objectstore.proxy.s3_ownership import SYSMETA as OWNERSHIP
from objectstore.proxy.s3_ownership import ObjectOwnership, check_bucket_acl
from objectstore.s3compat import s3errors
from objectstore.s3compat.access import Reach, bucket_acl, ownership_of
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.uploads import request_stream
from objectstore.s3compat.xmlbody import parse, read_limited

# a policy is at most 20 KB normalized; what is sent may have more white space
MAX_POLICY_BODY = 64 * 1024
PARAMS = ("policy", "policyStatus", "publicAccessBlock", "ownershipControls")


class BucketAccessConfig:
    def __init__(self, proxy: Proxy, containers: Containers, policies: PolicyStore) -> None:
        self.proxy = proxy
        self.containers = containers
        self.policies = policies

    async def handle(self, request: Request, reach: Reach, bucket: str, param: str
                     ) -> Response:
        method = request.method
        if param == "policyStatus":
            if method != "GET":
                raise s3errors.MethodNotAllowed()
            return await self.policy_status(reach, bucket)
        handlers = {"policy": (self.get_policy, self.put_policy, self.delete_policy),
                    "publicAccessBlock": (self.get_block, self.put_block, self.delete_block),
                    "ownershipControls": (self.get_ownership, self.put_ownership,
                                          self.delete_ownership)}[param]
        if method == "GET":
            return await handlers[0](reach, bucket)
        if method == "PUT":
            return await handlers[1](request, reach, bucket)
        if method == "DELETE":
            return await handlers[2](reach, bucket)
        raise s3errors.MethodNotAllowed()

    def _sysmeta(self, reach: Reach, bucket: str) -> dict[str, str]:
        return dict(self.proxy.known_containers.sysmeta(reach.account, bucket))

    # -- policy ------------------------------------------------------------------------
    async def get_policy(self, reach: Reach, bucket: str) -> Response:
        flag = self.policies.flag(reach.account, bucket)
        text = await self.policies.raw(reach.account, bucket) if flag else None
        if text is None:
            raise s3errors.NoSuchBucketPolicy(BucketName=bucket)
        return Response(text, status_code=200, media_type="application/json")

    async def put_policy(self, request: Request, reach: Reach, bucket: str) -> Response:
        body = await read_limited(request_stream(request), MAX_POLICY_BODY)
        policy = parse_policy(body, bucket, check_action_resources=False, unique_sids=False)
        block = of_sysmeta(self._sysmeta(reach, bucket))
        if block is not None and block.block_public_policy and is_public(policy):
            raise s3errors.AccessDenied()
        await self.policies.put(reach.account, bucket, body)
        return Response(status_code=204)

    async def delete_policy(self, reach: Reach, bucket: str) -> Response:
        await self.policies.delete(reach.account, bucket)
        return Response(status_code=204)

    async def policy_status(self, reach: Reach, bucket: str) -> Response:
        flag = self.policies.flag(reach.account, bucket)
        stored = await self.policies.get(reach.account, bucket, flag) if flag else None
        # public by its policy or by its ACL (unless IgnorePublicAcls), as ceph answers;
        # a bucket without a policy is answered too (AWS: NoSuchBucketPolicy)
        sysmeta = self._sysmeta(reach, bucket)
        block = of_sysmeta(sysmeta)
        by_acl = acl_is_public(bucket_acl(sysmeta, reach.owner)) and not (
            block is not None and block.ignore_public_acls)
        public = "true" if (stored is not None and stored.public) or by_acl else "false"
        return xml_response(xml_doc("PolicyStatus", el("IsPublic", public)))

    # -- PublicAccessBlock -------------------------------------------------------------
    async def get_block(self, reach: Reach, bucket: str) -> Response:
        block = of_sysmeta(self._sysmeta(reach, bucket))
        if block is None:
            raise s3errors.NoSuchPublicAccessBlockConfiguration(BucketName=bucket)
        body = "".join(el(name, "true" if value else "false")
                       for name, value in zip(FIELDS, block.values(), strict=True))
        return xml_response(xml_doc("PublicAccessBlockConfiguration", body))

    async def put_block(self, request: Request, reach: Reach, bucket: str) -> Response:
        root = parse(await read_limited(request_stream(request)))
        if root.tag != "PublicAccessBlockConfiguration":
            raise s3errors.MalformedXML("expected PublicAccessBlockConfiguration")
        unknown = sorted({child.tag for child in root} - set(FIELDS))
        if unknown:
            raise s3errors.MalformedXML(f"unknown element {unknown[0]}")
        values = []
        for name in FIELDS:
            text = (root.findtext(name) or "false").strip().lower()
            if text not in ("true", "false"):
                raise s3errors.MalformedXML(f"{name} must be true or false")
            values.append(text == "true")
        block = PublicAccessBlock(*values)
        await self.containers.post_container(reach.account, bucket, {SYSMETA: block.encode()})
        return Response(status_code=200)

    async def delete_block(self, reach: Reach, bucket: str) -> Response:
        await self.containers.post_container(reach.account, bucket, {SYSMETA: ""})
        return Response(status_code=204)

    # -- ObjectOwnership ---------------------------------------------------------------
    async def get_ownership(self, reach: Reach, bucket: str) -> Response:
        ownership = ownership_of(self._sysmeta(reach, bucket))
        if ownership is None:
            raise s3errors.OwnershipControlsNotFoundError(BucketName=bucket)
        rule = el("ObjectOwnership", ownership.value)
        return xml_response(xml_doc("OwnershipControls", f"<Rule>{rule}</Rule>"))

    async def put_ownership(self, request: Request, reach: Reach, bucket: str) -> Response:
        root = parse(await read_limited(request_stream(request)))
        rules = root.findall("Rule") if root.tag == "OwnershipControls" else []
        if len(rules) != 1:
            raise s3errors.MalformedXML("expected OwnershipControls with one Rule")
        ownership = parse_ownership(rules[0].findtext("ObjectOwnership"))
        check_bucket_acl(ownership, bucket_acl(self._sysmeta(reach, bucket), reach.owner))
        await self.containers.post_container(reach.account, bucket,
                                             {OWNERSHIP: ownership.value})
        return Response(status_code=200)

    async def delete_ownership(self, reach: Reach, bucket: str) -> Response:
        await self.containers.post_container(reach.account, bucket, {OWNERSHIP: ""})
        return Response(status_code=204)


def parse_ownership(text: str | None) -> ObjectOwnership:
    try:
        return ObjectOwnership((text or "").strip())
    except ValueError:
        raise s3errors.MalformedXML(f"unknown ObjectOwnership {text!r}") from None
