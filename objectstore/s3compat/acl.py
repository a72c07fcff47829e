"""S3 ACLs on requests: Get/PutBucketAcl, Get/PutObjectAcl (of a version with
`versionId`), and the ACL every write that may carry one keeps (CreateBucket,
PutObject, CopyObject, CreateMultipartUpload -- a canned `x-amz-acl` or
`x-amz-grant-*` headers).

The model is proxy/s3_acl.py; a bucket's ACL is kept in its container's system
metadata, an object's in the object's (changed by a POST: no rewrite of the data).
An object written without one has its bucket owner's private ACL, and keeps no header
for it. Who may read or change an ACL was decided before (access.py: READ_ACP,
WRITE_ACP); here is what S3 refuses of the ACL itself: ACLs disabled by the bucket's
ObjectOwnership, a public ACL under BlockPublicAcls, grantees nobody has."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy import s3_acl_store
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.posted_metadata import post_system
from objectstore.proxy.public_access import of_sysmeta
from objectstore.proxy.s3_acl import ACL, Directory, Owner, check_not_blocked, private
from objectstore.proxy.s3_acl_headers import requested_acl
from objectstore.proxy.s3_ownership import check_acl_change, object_write_acl
from objectstore.s3compat import s3errors
from objectstore.s3compat.access import Reach, bucket_acl, object_acl, ownership_of
from objectstore.s3compat.acl_xml import put_acl, read_acl_body, render_policy
from objectstore.s3compat.responses import xml_response
from objectstore.s3compat.uploads import request_stream
from objectstore.s3compat.versioning import S3Versioning, requested


def _blocks_public(sysmeta: Mapping[str, str]) -> bool:
    pab = of_sysmeta(sysmeta)
    return pab is not None and pab.block_public_acls


def write_acl(headers: Mapping[str, str], reach: Reach, sysmeta: Mapping[str, str],
              directory: Directory) -> ACL:
    """The ACL (and so the owner) of what an object write makes, as it asks for it and
    the bucket's ObjectOwnership decides; S3's refusals for what it may not ask."""
    bucket_owner = Owner(reach.owner)
    writer = Owner(reach.who.account) if reach.who.account else bucket_owner
    acl = object_write_acl(ownership_of(sysmeta), headers, writer, bucket_owner, directory)
    check_not_blocked(acl, _blocks_public(sysmeta))
    return acl


def acl_metadata(acl: ACL, bucket_owner: str) -> dict[str, str]:
    """The system metadata that keeps `acl` (none for the bucket owner's private ACL,
    which an object without one has)."""
    if acl == private(Owner(bucket_owner)):
        return {}
    return {s3_acl_store.OBJECT_ACL: s3_acl_store.encode(acl)}


def bucket_create_acl(headers: Mapping[str, str], owner: str, directory: Directory
                      ) -> ACL | None:
    """The ACL CreateBucket asks for (None: the private one)."""
    return requested_acl(headers, Owner(owner), Owner(owner), directory)


class AclRequests:
    def __init__(self, proxy: Proxy, containers: Containers, versioning: S3Versioning,
                 directory: Directory) -> None:
        self.proxy = proxy
        self.containers = containers
        self.versioning = versioning
        self.directory = directory

    async def bucket(self, request: Request, reach: Reach, bucket: str) -> Response:
        sysmeta = self.proxy.known_containers.sysmeta(reach.account, bucket)
        if request.method == "GET":
            return xml_response(render_policy(bucket_acl(sysmeta, reach.owner)))
        if request.method != "PUT":
            raise s3errors.MethodNotAllowed()
        check_acl_change(ownership_of(sysmeta))
        owner = Owner(reach.owner)
        body = await read_acl_body(request_stream(request))
        acl = put_acl(request.headers, body, owner, owner, self.directory)
        check_not_blocked(acl, _blocks_public(sysmeta))
        await self.containers.post_container(reach.account, bucket, {
            s3_acl_store.CONTAINER_ACL: s3_acl_store.encode(acl)})
        return Response(status_code=200)

    async def object(self, request: Request, reach: Reach, bucket: str, key: str,
                     params: dict[str, str]) -> Response:
        vid = requested(params)
        container, name = await self.versioning.locate(reach.account, bucket, key, vid)
        sysmeta = self.proxy.known_containers.sysmeta(reach.account, bucket)
        head = await self.proxy.head_object(reach.account, container, name, raw=True)
        current = object_acl(head, sysmeta, reach.owner)
        shown = {"x-amz-version-id": vid} if vid else {}
        if request.method == "GET":
            return xml_response(render_policy(current), shown)
        if request.method != "PUT":
            raise s3errors.MethodNotAllowed()
        check_acl_change(ownership_of(sysmeta))
        body = await read_acl_body(request_stream(request))
        acl = put_acl(request.headers, body, current.owner, Owner(reach.owner),
                      self.directory)
        check_not_blocked(acl, _blocks_public(sysmeta))
        await post_system(self.proxy, reach.account, container, name,
                          {s3_acl_store.OBJECT_ACL: s3_acl_store.encode(acl)})
        return Response(status_code=200, headers=shown)
