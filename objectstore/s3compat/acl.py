"""ACLs, as far as they exist so far: the canned `private` ACL, under which the owner
has FULL_CONTROL and nobody else anything. Other ACLs are NotImplemented (an ACL issue
will add them) rather than silently ignored."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.uploads import request_stream
from objectstore.s3compat.xmlbody import parse, read_limited

OWNER = "<Owner><ID>{0}</ID><DisplayName>{0}</DisplayName></Owner>"


def only_private_acl(request: Request) -> None:
    """The canned ACLs that grant the owner alone everything: `private`, and
    `bucket-owner-full-control`, which says the same while the writer is the owner."""
    only_private(request.headers)


def only_private(headers: Mapping[str, str]) -> None:
    """only_private_acl of a request's headers (or a POST form's fields)."""
    acl = headers.get("x-amz-acl")
    if acl not in (None, "private", "bucket-owner-full-control") or any(
            k.startswith("x-amz-grant-") for k in headers):
        raise s3errors.S3NotImplemented("only the private ACL is supported")


async def acl_response(request: Request, owner: str) -> Response:
    """GET: the owner's FULL_CONTROL; PUT: accepted when it grants only that."""
    if request.method == "PUT":
        only_private_acl(request)
        body = await read_limited(request_stream(request))
        if body.strip():
            grants = parse(body).iter("Permission")
            if any(g.text != "FULL_CONTROL" for g in grants):
                raise s3errors.S3NotImplemented("only the private ACL is supported")
        return Response(status_code=200)
    if request.method != "GET":
        raise s3errors.MethodNotAllowed()
    grant = ('<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/'
             'XMLSchema-instance" xsi:type="CanonicalUser">'
             f"{el('ID', owner)}{el('DisplayName', owner)}</Grantee>"
             "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList>")
    return xml_response(xml_doc("AccessControlPolicy", OWNER.format(owner) + grant))
