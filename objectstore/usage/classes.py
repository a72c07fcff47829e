"""The class of an operation, as usage counts transfers: `read` (GET/HEAD of objects),
`write` (PUT/POST/COPY of objects, multipart parts and completion), `list` (listings of
buckets, containers, the account, versions, uploads), `delete` (DELETE of objects,
multi-object delete) and `other` (settings, ACLs, policies, auth, everything else).

The operation is what the API layers noted (objectstore.request_id.note_operation):
S3's `REST.<METHOD>.<WHAT>` names and Swift's `"<METHOD> <level>"` (`bulk-delete` and
`extract-archive` for the bulk middleware's requests)."""

from __future__ import annotations

CLASSES = ("read", "write", "list", "delete", "other")

_S3 = {
    "GET.OBJECT": "read", "HEAD.OBJECT": "read",
    "PUT.OBJECT": "write", "POST.OBJECT": "write", "PUT.PART": "write",
    "POST.UPLOAD": "write", "POST.UPLOADS": "write",
    "GET.BUCKET": "list", "GET.SERVICE": "list", "GET.BUCKETVERSIONS": "list",
    "GET.UPLOADS": "list", "GET.UPLOAD": "list",
    "DELETE.OBJECT": "delete", "POST.DELETE_MULTI_OBJECT": "delete",
    "DELETE.UPLOAD": "delete",
}
_SWIFT = {
    "GET object": "read", "HEAD object": "read",
    "PUT object": "write", "POST object": "write", "COPY object": "write",
    "GET container": "list", "GET account": "list",
    "DELETE object": "delete", "bulk-delete": "delete", "extract-archive": "write",
}


def operation_class(api: str, operation: str) -> str:
    """One of CLASSES; `other` for whatever is not named above."""
    if api == "s3":
        return _S3.get(operation.removeprefix("REST."), "other")
    if api == "swift":
        return _SWIFT.get(operation, "other")
    return "other"
