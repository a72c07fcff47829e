"""DeleteObjects: up to 1,000 keys (or versions of them) deleted in one request, each
as DeleteObject would (optionally Quiet: only the errors are listed)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.s3compat import object_lock
from objectstore.s3compat.delete_conditions import from_entry
from objectstore.s3compat.errormap import to_s3
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.uploads import integrity_checked_body
from objectstore.s3compat.versioning import Deleted, S3Versioning, requested
from objectstore.s3compat.xmlbody import delete_keys


async def delete_objects(request: Request, versioning: S3Versioning, account: str,
                         bucket: str, may_delete: Callable[[str, str | None], None] | None
                         = None, deleted_keys: list[tuple[str, str]] | None = None
                         ) -> Response:
    """`may_delete(key, version_id)` refuses a key the bucket policy denies (its error
    is listed for that key; the others are deleted). Each key deleted is added to
    `deleted_keys` (with its version id, "" for none), for the access log."""
    h = request.headers
    body = await integrity_checked_body(request)   # S3 insists on it for a delete list
    keys, quiet = delete_keys(body)
    bypass = object_lock.bypassing(h)
    results = []
    for entry in keys:
        key, vid = entry.findtext("Key") or "", entry.findtext("VersionId")
        named = el("Key", key) + (el("VersionId", vid) if vid is not None else "")
        try:
            if may_delete is not None:
                may_delete(key, vid)
            conditions = from_entry(entry.findtext("ETag"), entry.findtext("LastModifiedTime"),
                                    entry.findtext("Size"))
            deleted = await versioning.delete(account, bucket, key, requested(
                {} if vid is None else {"versionId": vid}), conditions, bypass)
            if deleted_keys is not None:
                deleted_keys.append((key, vid or ""))
            if not quiet:
                results.append(f"<Deleted>{named}{_marker(deleted)}"
                               "</Deleted>")
        except errors.ObjectStoreError as exc:
            s3 = to_s3(exc)
            results.append(f"<Error>{named}{el('Code', s3.code)}"
                           f"{el('Message', str(s3))}</Error>")
    return xml_response(xml_doc("DeleteResult", "".join(results)))


def _marker(deleted: Deleted) -> str:
    """A delete marker removed (a version named) or made (none named), and its id."""
    if not deleted.marker:
        return ""
    return el("DeleteMarker", "true") + el("DeleteMarkerVersionId", deleted.version_id or "")
