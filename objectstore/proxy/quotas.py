"""Account and container quotas, as Swift's account_quotas and container_quotas: what a
write may add before it is refused (QuotaExceeded: Swift 413, S3 EntityTooLarge).

Container quotas are plain metadata its owners set (X-Container-Meta-Quota-Bytes /
-Count). Account quotas are set by reseller admins only: X-Account-Quota-Bytes /
-Count (kept as account system metadata), the legacy X-Account-Meta-Quota-Bytes, and
per storage policy X-Account-Quota-Bytes-Policy-<name> / -Count-Policy-<name>, which
hold for the objects of that policy's containers alone."""

from __future__ import annotations

from collections.abc import Mapping

from objectstore import errors
from objectstore.node.wire import policy_stat

CONTAINER_BYTES = "x-container-meta-quota-bytes"
CONTAINER_COUNT = "x-container-meta-quota-count"
ACCOUNT_BYTES = "x-account-sysmeta-quota-bytes"
ACCOUNT_COUNT = "x-account-sysmeta-quota-count"
ACCOUNT_LEGACY_BYTES = "x-account-meta-quota-bytes"
# the same for one storage policy: these for the default, with "-<index>" for others
ACCOUNT_POLICY_BYTES = "x-account-sysmeta-quota-bytes-policy"
ACCOUNT_POLICY_COUNT = "x-account-sysmeta-quota-count-policy"
EXCEEDED = "Upload exceeds quota."


def container_quotas(headers: Mapping[str, str]) -> tuple[int | None, int | None]:
    return _int(headers.get(CONTAINER_BYTES)), _int(headers.get(CONTAINER_COUNT))


def policy_quota_keys(index: int) -> tuple[str, str]:
    """Where an account keeps its (bytes, count) quota for storage policy `index`."""
    suffix = f"-{index}" if index else ""
    return ACCOUNT_POLICY_BYTES + suffix, ACCOUNT_POLICY_COUNT + suffix


def account_quotas(headers: Mapping[str, str]) -> tuple[int | None, int | None]:
    """(bytes, count) for the whole account; the system metadata decides over the
    legacy metadata."""
    legacy = _int(headers.get(ACCOUNT_LEGACY_BYTES))
    current = _int(headers.get(ACCOUNT_BYTES))
    return (current if current is not None else legacy), _int(headers.get(ACCOUNT_COUNT))


def policy_quotas(headers: Mapping[str, str], index: int) -> tuple[int | None, int | None]:
    keys = policy_quota_keys(index)
    return _int(headers.get(keys[0])), _int(headers.get(keys[1]))


def has_account_quota(headers: Mapping[str, str]) -> bool:
    """Whether any quota holds for the account (its own or a policy's)."""
    return account_quotas(headers) != (None, None) or any(
        k.startswith((ACCOUNT_POLICY_BYTES, ACCOUNT_POLICY_COUNT)) and _int(v) is not None
        for k, v in headers.items())


def check_account(headers: Mapping[str, str], index: int, adding: int | None) -> None:
    """QuotaExceeded if one more object of `adding` bytes in a container of storage
    policy `index` would pass the account's quota, or that policy's."""
    check(account_quotas(headers), int(headers.get("x-bytes-used", "0")),
          int(headers.get("x-object-count", "0")), adding)
    check(policy_quotas(headers, index),
          int(headers.get(policy_stat(index, "bytes-used"), "0")),
          int(headers.get(policy_stat(index, "object-count"), "0")), adding)


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
