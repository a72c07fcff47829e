"""S3's AccessControlPolicy document: parsed from PutBucketAcl/PutObjectAcl bodies into
the model of `proxy/s3_acl.py`, and rendered for GetBucketAcl/GetObjectAcl as S3 does.

Parsing, as S3 refuses: what is not XML, not an AccessControlPolicy, or a grant
without a grantee type (`xsi:type`), its ID/URI/EmailAddress or a known permission
is MalformedACLError; an ID nobody has is InvalidArgument, as is an unknown group URI;
an email nobody has is UnresolvableGrantByEmailAddress; an Owner that is not the
resource's owner is AccessDenied (an ACL never changes an owner; without an Owner
element the owner stays). Namespaces are as the SDKs send them: the S3 namespace on
the elements (or none), xsi declared on each Grantee. DisplayName is ignored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Mapping

from objectstore.proxy.s3_acl import (
    ACL,
    Directory,
    Grant,
    Grantee,
    Group,
    Owner,
    Permission,
)
from objectstore.proxy.s3_acl_errors import AclOwnerMismatch, MalformedAcl
from objectstore.proxy.s3_acl_headers import grantee_of, requested_acl
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc
from objectstore.s3compat.xmlbody import parse, read_limited

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE = f"{{{XSI}}}type"
MAX_ACL_XML = 200 * 1024        # OpenStack Swift's s3api limit on an ACL body
_KINDS = {"CanonicalUser": ("ID", "id"), "Group": ("URI", "uri"),
          "AmazonCustomerByEmail": ("EmailAddress", "emailaddress")}


async def read_acl_body(stream: AsyncIterator[bytes]) -> bytes:
    """A PutAcl body, refused (MalformedACLError) past MAX_ACL_XML bytes unread."""
    try:
        return await read_limited(stream, MAX_ACL_XML)
    except s3errors.MalformedXML:
        raise s3errors.MalformedACLError("The XML you provided was too large") from None


def _grantee(element: ET.Element | None, directory: Directory) -> Grantee:
    if element is None:
        raise MalformedAcl("a Grant without a Grantee")
    kind = element.get(_XSI_TYPE)
    if kind is None or kind not in _KINDS:
        raise MalformedAcl(f"a Grantee's xsi:type must be CanonicalUser, Group or "
                           f"AmazonCustomerByEmail, not {kind!r}")
    child, header_kind = _KINDS[kind]
    value = (element.findtext(child) or "").strip()
    if not value:
        raise MalformedAcl(f"a {kind} Grantee without its {child}")
    if kind == "Group":
        try:
            return Group(value)
        except ValueError:
            raise s3errors.InvalidArgument("Invalid group uri", ArgumentName="Group/URI",
                                           ArgumentValue=value) from None
    return grantee_of(header_kind, value, directory)


def _permission(text: str | None) -> Permission:
    try:
        return Permission((text or "").strip())
    except ValueError:
        raise MalformedAcl(f"unknown Permission {text!r}") from None


def parse_policy(body: bytes, resource_owner: Owner, directory: Directory) -> ACL:
    """The ACL an AccessControlPolicy gives a resource `resource_owner` owns."""
    try:
        root = parse(body)
    except s3errors.MalformedXML:
        raise MalformedAcl("The XML you provided was not well-formed or did not "
                           "validate against our published schema") from None
    if root.tag != "AccessControlPolicy":
        raise MalformedAcl("expected an AccessControlPolicy document")
    owner = root.find("Owner")
    if owner is not None:
        owner_id = (owner.findtext("ID") or "").strip()
        if not owner_id:
            raise MalformedAcl("an Owner without an ID")
        if owner_id != resource_owner.id:
            raise AclOwnerMismatch("an ACL cannot change the owner")
    grants = []
    for acl_list in root.findall("AccessControlList"):
        for grant in acl_list:
            if grant.tag != "Grant":
                raise MalformedAcl(f"unexpected {grant.tag} in AccessControlList")
            grants.append(Grant(_grantee(grant.find("Grantee"), directory),
                                _permission(grant.findtext("Permission"))))
    return ACL(resource_owner, tuple(grants))


def _grantee_xml(grantee: Grantee, names: Mapping[str, str]) -> str:
    head = f'<Grantee xmlns:xsi="{XSI}" xsi:type='
    if isinstance(grantee, Group):
        return f'{head}"Group">{el("URI", grantee.value)}</Grantee>'
    return (f'{head}"CanonicalUser">{el("ID", grantee.id)}'
            f'{el("DisplayName", names.get(grantee.id, grantee.id))}</Grantee>')


def render_policy(acl: ACL) -> bytes:
    """The GetBucketAcl / GetObjectAcl answer for `acl`."""
    names = {acl.owner.id: acl.owner.display_name}
    grants = "".join(f"<Grant>{_grantee_xml(g.grantee, names)}"
                     f"{el('Permission', g.permission.value)}</Grant>"
                     for g in acl.grants)
    owner = f"<Owner>{el('ID', acl.owner.id)}{el('DisplayName', acl.owner.display_name)}" \
            "</Owner>"
    return xml_doc("AccessControlPolicy",
                   f"{owner}<AccessControlList>{grants}</AccessControlList>")


def put_acl(headers: Mapping[str, str], body: bytes, owner: Owner, bucket_owner: Owner,
            directory: Directory) -> ACL:
    """The ACL a PutBucketAcl or PutObjectAcl asks for on a resource `owner` owns:
    from its headers or from its body, one of them (UnexpectedContent for both,
    MissingSecurityHeader for neither)."""
    acl = requested_acl(headers, owner, bucket_owner, directory)
    if acl is not None:
        if body.strip():
            raise s3errors.UnexpectedContent()
        return acl
    if not body.strip():
        raise s3errors.MissingSecurityHeader(MissingHeaderName="x-amz-acl")
    return parse_policy(body, owner, directory)
