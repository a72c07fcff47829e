"""Swift features this store does not have yet, refused out loud (DESIGN: never a silent
no-op).

Swift's middleware gives meaning to these headers; without it a request carrying them
would be stored as if they were not there (versions never kept, a sync that never
syncs). Until each feature is built, a request that asks for one gets 400 with the
feature named, before anything is written (400 rather than 501: Swift clients retry
every 5xx, so a 501 reached the user only after ~30 s of back-off).

Only a header with a value asks for something: an empty one and the `X-Remove-*` forms
ask for the feature to be off, which it is. (Every query parameter of the middleware
/info lists is built; `multipart-manifest` values other than put/get/delete are refused.)
"""

from __future__ import annotations

from collections.abc import Mapping

from objectstore.api.swift_errors import FeatureNotImplemented
from objectstore.api.truth import is_true
from objectstore.errors import BadRequest

# header -> the feature it asks for, per level, on writes (PUT, POST, COPY)
HEADER_FEATURES: dict[str, dict[str, str]] = {
    "object": {
    },
    "container": {
        "x-container-sync-to": "container sync (X-Container-Sync-To)",
        "x-container-sync-key": "container sync (X-Container-Sync-Key)",
    },
    "account": {
    },
}
# Large objects (api/slo.py, api/dlo.py) are built except what these name: a DLO's
# manifest is set by PUT or POST (a COPY that sets it is refused), and
# X-Static-Large-Object is the store's to set (Swift refuses it from clients too).
NOT_ON_COPY = {"x-object-manifest": "setting X-Object-Manifest on a COPY (PUT or POST "
               "the manifest instead)"}
RESERVED = {"x-static-large-object": "X-Static-Large-Object is a reserved header. To "
            "create a static large object add query param multipart-manifest=put."}
MANIFEST_QUERY = ("put", "get", "delete")
WRITES = ("PUT", "POST", "COPY")


def not_implemented(feature: str) -> FeatureNotImplemented:
    return FeatureNotImplemented(f"{feature} is not implemented yet; the request was not "
                                 "carried out.")


def refuse_unknown_manifest_query(query: Mapping[str, str]) -> None:
    """`multipart-manifest` takes put, get or delete; any other value is refused (400)
    rather than read as a plain request."""
    value = query.get("multipart-manifest")
    if value is not None and value not in MANIFEST_QUERY:
        raise BadRequest(f"multipart-manifest={value!r}: put, get or delete")


def refuse_unsupported_headers(method: str, level: str, headers: Mapping[str, str],
                               account: str, manifest_put: bool = False) -> None:
    """Refused (400, the feature named) for a feature header with a value on a write at
    `level`. `X-Static-Large-Object: true` is what a manifest PUT (`manifest_put`)
    makes anyway, so it may come with one; anywhere else it is reserved."""
    if method not in WRITES:
        return
    for name, feature in HEADER_FEATURES[level].items():
        if headers.get(name, "").strip():
            raise not_implemented(feature)
    if level == "object":
        for name, why in RESERVED.items():
            if name in headers and not (manifest_put and is_true(headers[name])):
                raise BadRequest(why)
        if method == "COPY":
            for name, feature in NOT_ON_COPY.items():
                if headers.get(name, "").strip():
                    raise not_implemented(feature)
