"""Account and container quotas, as Swift's account_quotas and container_quotas: what a
write may add before it is refused (QuotaExceeded: Swift 413, S3 EntityTooLarge).

Container quotas are plain metadata its owners set (X-Container-Meta-Quota-Bytes /
-Count). Account quotas are set by reseller admins only: X-Account-Quota-Bytes /
-Count (kept as account system metadata), the legacy X-Account-Meta-Quota-Bytes, and
the per-policy forms for the one policy this store has."""

from __future__ import annotations

from collections.abc import Mapping

from objectstore import errors

CONTAINER_BYTES = "x-container-meta-quota-bytes"
CONTAINER_COUNT = "x-container-meta-quota-count"
ACCOUNT_BYTES = "x-account-sysmeta-quota-bytes"
ACCOUNT_COUNT = "x-account-sysmeta-quota-count"
ACCOUNT_LEGACY_BYTES = "x-account-meta-quota-bytes"
# the same for the one storage policy (every container is in it: the same total)
ACCOUNT_POLICY_BYTES = "x-account-sysmeta-quota-bytes-policy"
ACCOUNT_POLICY_COUNT = "x-account-sysmeta-quota-count-policy"
EXCEEDED = "Upload exceeds quota."


def container_quotas(headers: Mapping[str, str]) -> tuple[int | None, int | None]:
    return _int(headers.get(CONTAINER_BYTES)), _int(headers.get(CONTAINER_COUNT))


def account_quotas(headers: Mapping[str, str]) -> tuple[int | None, int | None]:
    """(bytes, count); the system metadata decides over the legacy metadata, and the
    policy's quota holds as well (the lower of the two)."""
    legacy = _int(headers.get(ACCOUNT_LEGACY_BYTES))
    current = _int(headers.get(ACCOUNT_BYTES))
    total = current if current is not None else legacy
    return (_lower(total, _int(headers.get(ACCOUNT_POLICY_BYTES))),
            _lower(_int(headers.get(ACCOUNT_COUNT)), _int(headers.get(ACCOUNT_POLICY_COUNT))))


def _lower(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def check(quotas: tuple[int | None, int | None], used: int, count: int,
          adding: int | None) -> None:
    """QuotaExceeded if one more object of `adding` bytes would pass `quotas` (given
    what is `used` and how many objects there are). A write of unknown length (chunked)
    cannot be checked against a bytes quota: refused (400) rather than let through,
    unless the quota is used up already (413)."""
    max_bytes, max_count = quotas
    if max_bytes is not None:
        if adding is None and used < max_bytes:
            raise errors.BadRequest("Uploads under a bytes quota need a Content-Length "
                                    "(the quota cannot be checked)")
        if used + (adding or 0) > max_bytes or adding is None:
            raise errors.QuotaExceeded(EXCEEDED)
    if max_count is not None and count + 1 > max_count:
        raise errors.QuotaExceeded(EXCEEDED)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None
