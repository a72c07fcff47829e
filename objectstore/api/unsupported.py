"""Swift features this store does not have yet, refused out loud (DESIGN: never a silent
no-op).

Swift's middleware gives meaning to these headers and query parameters; without that
middleware a request carrying them would be stored as if they were not there (a DLO
manifest kept as a 468-byte object, an expiry time that never expires, an ACL that grants
nothing). Until each feature is built, a request that asks for one gets 400 with the
feature named, before anything is written (400 rather than 501: Swift clients retry
every 5xx, so a 501 reached the user only after ~30 s of back-off).

Only a header with a value asks for something: `X-Container-Read:` (empty) and the
`X-Remove-*` forms ask for the feature to be off, which it is. TempURL keys are plain
metadata (api/tempurl.py reads them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from objectstore.api import policies
from objectstore.api.swift_errors import FeatureNotImplemented

# query parameter -> the feature it belongs to (any level, any method)
QUERY_FEATURES = {
    "multipart-manifest": "static large objects (multipart-manifest=put)",
}
# header -> the feature it asks for, per level, on writes (PUT, POST, COPY)
HEADER_FEATURES: dict[str, dict[str, str]] = {
    "object": {
        "x-object-manifest": "dynamic large objects (X-Object-Manifest)",
        "x-static-large-object": "static large objects (X-Static-Large-Object)",
    },
    "container": {
        "x-versions-location": "object versioning (X-Versions-Location)",
        "x-history-location": "object versioning (X-History-Location)",
        "x-versions-enabled": "object versioning (X-Versions-Enabled)",
        "x-container-sync-to": "container sync (X-Container-Sync-To)",
        "x-container-sync-key": "container sync (X-Container-Sync-Key)",
    },
    "account": {
    },
}
WRITES = ("PUT", "POST", "COPY")
# Asked on reads and deletes of plain objects, these are honoured as they stand (see
# `manifest_query_refused`); `?symlink=get` is api/symlinks.py's. python-swiftclient
# sends `symlink=get` before every delete and `multipart-manifest=get` for
# --skip-identical.
READ_QUERY_OK = {"multipart-manifest": ("get", "delete")}


def not_implemented(feature: str) -> FeatureNotImplemented:
    return FeatureNotImplemented(f"{feature} is not implemented yet; the request was not "
                                 "carried out.")


def refuse_unsupported_query(query: Mapping[str, str],
                             names: Iterable[str] = tuple(QUERY_FEATURES)) -> None:
    """Refused (400) if the query has one of `names` (by default every feature parameter), except
    the values that READ_QUERY_OK honours."""
    for name in names:
        if name in query and query[name] not in READ_QUERY_OK.get(name, ()):
            raise not_implemented(QUERY_FEATURES[name])


def manifest_query_refused(query: Mapping[str, str], is_manifest: bool) -> None:
    """`multipart-manifest=get|delete` means "the manifest itself" -- the same as without
    it for a plain object, but not for a segmented one (an S3 multipart object), whose
    manifest we cannot show or delete alone yet: refused (400) then."""
    if is_manifest and "multipart-manifest" in query:
        raise not_implemented(f"multipart-manifest={query['multipart-manifest']} on a "
                              "segmented object")


def refuse_unsupported_headers(method: str, level: str, headers: Mapping[str, str],
                               account: str) -> None:
    """Refused (400, the feature named) for a feature header with a value on a write at
    `level`, or a storage policy we do not have (policies.py)."""
    if method not in WRITES:
        return
    for name, feature in HEADER_FEATURES[level].items():
        if headers.get(name, "").strip():
            raise not_implemented(feature)
    if level == "container":
        policies.check_requested(headers)
