"""What GET /info advertises: exactly what this Swift API does, nothing it does not.

Clients read /info to choose how to work (python-swiftclient uploads large files as SLOs
when `slo` is listed, deletes in bulk when `bulk_delete` is): naming a middleware we do
not have would make them depend on it. So the core `swift` section, with the limits
that are really enforced (api/names.py, api/metadata.py, the listing limit), and a
section for each middleware that works, with its own limits."""

from __future__ import annotations

from typing import Any

from objectstore.api import (
    bulk,
    cors,
    metadata,
    names,
    slo,
    symlinks,
    tempurl,
    versioned_writes,
    versioning,
)

LISTING_LIMIT = 10_000

CAPABILITIES: dict[str, Any] = {"swift": {
    "version": "objectstore",
    "max_file_size": 5 * 1024 ** 3,
    "allow_account_management": False,     # accounts are made by use, not by PUT
    "container_listing_limit": LISTING_LIMIT,
    "account_listing_limit": LISTING_LIMIT,
    "max_object_name_length": names.MAX_OBJECT,
    "max_container_name_length": names.MAX_CONTAINER,
    "max_account_name_length": names.MAX_ACCOUNT,
    "max_meta_count": metadata.MAX_META_COUNT,
    "max_meta_name_length": metadata.MAX_META_NAME_LENGTH,
    "max_meta_value_length": metadata.MAX_META_VALUE_LENGTH,
    "max_meta_overall_size": metadata.MAX_META_OVERALL_SIZE,
    "max_header_size": metadata.MAX_HEADER_SIZE,
    "allow_open_expired": True,     # as [expirer] allow_open_expired says (cli/assemble.py)
    **cors.CAPABILITIES,
},
    "tempurl": tempurl.CAPABILITIES,
    "tempauth": {"account_acls": True},     # X-Account-Access-Control (proxy/swift_acl.py)
    "symlink": symlinks.CAPABILITIES,
    "object_versioning": versioning.CAPABILITIES,
    "container_quotas": {},
    "account_quotas": {},
    "staticweb": {},
    "bulk_delete": {"max_deletes_per_request": bulk.MAX_DELETES,
                    "max_failed_deletes": bulk.MAX_DELETES},
    "formpost": {"allowed_digests": list(tempurl.ALLOWED_DIGESTS)},
    "bulk_upload": {"max_failed_extractions": bulk.MAX_FAILED,
                    "max_containers_per_extraction": bulk.MAX_DELETES},
    "slo": slo.CAPABILITIES, "dlo": {},
    "versioned_writes": versioned_writes.CAPABILITIES,
    "etag_quoter": {"enable_by_default": False},    # per container/account (etag_quoter.py)
}
