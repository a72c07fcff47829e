"""S3 storage classes: a label an object keeps, never a different way of storing it.

Every class S3 names is accepted (features.STORAGE_CLASSES; others are
InvalidStorageClass) on PutObject, CopyObject (the request's, else STANDARD, as S3 does:
a copy does not inherit the source's) and CreateMultipartUpload (Complete gives the
upload's to the object). The store keeps every object on its ring alike, so GLACIER and
DEEP_ARCHIVE objects stay readable at once; RestoreObject on them answers 200, as S3 does
for an object whose restored copy is already there, and on any other class
InvalidObjectState, as S3 does.

A class other than STANDARD is kept as a parameter of the object's container row
(LISTING_PARAMS, `s3_storage_class=GLACIER`), so the listings show it without reading
the object, and HEAD/GET read it from the same system metadata. STANDARD is kept as
nothing at all (and S3 sends no x-amz-storage-class for it): plain writes carry no
extra byte.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.manifests import listed_etags
from objectstore.proxy.object_info import LISTING_PARAMS
from objectstore.proxy.put_options import PutOptions
from objectstore.s3compat import s3errors
from objectstore.s3compat.xmlbody import parse, read_limited

HEADER = "x-amz-storage-class"
PARAM = "s3_storage_class"
STANDARD = "STANDARD"
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})   # S3 asks for a restore before a read


def requested(headers: Mapping[str, str]) -> str:
    """The class a write asks for (features.check_object_write has checked it)."""
    return headers.get(HEADER, STANDARD).strip() or STANDARD


def on_write(headers: Mapping[str, str], options: PutOptions) -> None:
    """PutObject, CopyObject (either directive), CreateMultipartUpload."""
    keep(requested(headers), options.system_metadata)


def keep(storage: str, system: dict[str, str]) -> None:
    if storage != STANDARD:
        system[LISTING_PARAMS] = f"{PARAM}={storage}"
    else:
        system.pop(LISTING_PARAMS, None)


def of(system: Mapping[str, str]) -> str:
    """An object's class, from its system metadata (or its node headers)."""
    params = system.get(LISTING_PARAMS)
    if not params:
        return STANDARD
    return listed_etags(f"; {params}")[1].get(PARAM, STANDARD)


def listed(row_etag: str) -> str:
    """The class a container row shows (its ETag's parameters)."""
    return listed_etags(row_etag)[1].get(PARAM, STANDARD)


def kept(system: Mapping[str, str]) -> dict[str, str]:
    """An upload's class (its marker's system metadata), for the object Complete makes."""
    return {LISTING_PARAMS: system[LISTING_PARAMS]} if system.get(LISTING_PARAMS) else {}


def header_out(system: Mapping[str, str], out: dict[str, str]) -> None:
    """x-amz-storage-class on HEAD/GET (S3 sends none for STANDARD)."""
    storage = of(system)
    if storage != STANDARD:
        out[HEADER] = storage


async def restore(request: Request, system: Mapping[str, str]) -> Response:
    """RestoreObject (POST ?restore) of an object whose class is `of(system)`."""
    body = await read_limited(request.stream())
    if body.strip():
        root = parse(body)
        if (root.findtext("Type") or "").strip().upper() == "SELECT":
            raise s3errors.not_implemented("SELECT restore requests")
    if of(system) not in ARCHIVED:
        raise s3errors.InvalidObjectState(
            "Restore is not allowed for the object's current storage class")
    # nothing to bring back: the object is readable already, as a restored one is
    return Response(status_code=200)
