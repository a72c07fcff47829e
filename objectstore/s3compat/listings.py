"""The S3 listings: ListBuckets (every bucket, however many), ListObjects (v1 and v2)
from the account and container listings of the proxy core.

With `encoding-type=url` keys and prefixes are percent-encoded in the response, in the
elements each API's clients decode (botocore's list): v1 leaves <Prefix> as sent.

A key may hold characters XML 1.0 cannot carry (S3 accepts any UTF-8, control
characters included). S3 writes them as references like `&#x1F;`, which XML parsers
refuse, so the whole page becomes unreadable. We answer such a page percent-encoded as
if `encoding-type=url` had been asked, saying so with <EncodingType>url</EncodingType>:
the document stays well-formed and every key can still be read back exactly. (SDKs
such as botocore ask for the url encoding anyway; a v1 <Prefix> with such a character
is the one element left as sent, its character replaced, see responses.xml_text.)
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response, StreamingResponse

from objectstore.proxy.containers import Containers
from objectstore.proxy.manifests import listed_etags
from objectstore.s3compat import s3errors, storage_class
from objectstore.s3compat.responses import (
    el,
    iso,
    quote_etag,
    url_encode,
    xml_doc,
    xml_safe,
)
from objectstore.timestamps import Timestamp

OWNER = "<Owner><ID>{0}</ID><DisplayName>{0}</DisplayName></Owner>"


def count_param(params: dict[str, str], name: str, most: int = 1000) -> int:
    try:
        value = int(params.get(name, "1000"))
    except ValueError:
        raise s3errors.InvalidArgument(f"{name} must be a number") from None
    if value < 0:
        raise s3errors.InvalidArgument(f"{name} must be >= 0")
    return min(value, most)


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise s3errors.InvalidArgument("The continuation token provided is "
                                       "incorrect") from None


def _last_name(entries: list[dict[str, Any]]) -> str:
    return str(entries[-1].get("name") or entries[-1].get("subdir") or "") if entries else ""


ACCOUNT_PAGE = 10_000        # the most containers one account listing request returns
MAX_BUCKETS = 10_000         # S3's limit of max-buckets


def _is_bucket(entry: dict[str, Any]) -> bool:
    # `<bucket>+segments` containers hold multipart parts: never buckets themselves
    return "name" in entry and "+" not in entry["name"]


async def _bucket_pages(containers: Containers, swift_account: str, prefix: str,
                        marker: str, size: int = ACCOUNT_PAGE,
                        first: list[dict[str, Any]] | None = None,
                        hidden: frozenset[str] | set[str] = frozenset()
                        ) -> AsyncIterator[list[dict[str, Any]]]:
    """The account's buckets in name order, one account listing page at a time (a
    listing request returns at most ACCOUNT_PAGE containers, so one is not enough);
    `hidden` names are Swift-only containers (proxy/swift_only.py), no buckets."""
    while True:
        if first is None:
            listing = await containers.list_account(swift_account, prefix=prefix,
                                                    marker=marker, limit=size)
            page = listing.entries
        else:
            page, first = first, None
        yield [e for e in page if _is_bucket(e) and e["name"] not in hidden]
        if len(page) < size:
            return
        marker = str(page[-1]["name"])


def _bucket_xml(entries: list[dict[str, Any]]) -> str:
    return "".join(f"<Bucket>{el('Name', e['name'])}"
                   f"{el('CreationDate', iso(Timestamp.parse(e['timestamp'])))}</Bucket>"
                   for e in entries)


def no_buckets() -> Response:
    """ListBuckets of a requester who owns no account (anonymous): an empty list."""
    return Response(xml_doc("ListAllMyBucketsResult", "<Buckets></Buckets>"),
                    media_type="application/xml")


async def list_buckets(containers: Containers, swift_account: str, owner: str,
                       params: dict[str, str],
                       hidden: frozenset[str] | set[str] = frozenset()) -> Response:
    """ListBuckets: every bucket, streamed page by page (memory stays bounded however
    many there are), or one page of max-buckets when the client asks to paginate."""
    prefix = params.get("prefix", "")
    token = params.get("continuation-token")
    marker = _untoken(token) if token else ""
    tail = (el("Prefix", prefix) if prefix else "") + "</ListAllMyBucketsResult>"
    head = xml_doc("ListAllMyBucketsResult", "").decode().removesuffix(
        "</ListAllMyBucketsResult>") + OWNER.format(owner) + "<Buckets>"
    if "max-buckets" in params:
        limit = max(1, min(count_param(params, "max-buckets", MAX_BUCKETS), MAX_BUCKETS))
        shown: list[dict[str, Any]] = []
        async for page in _bucket_pages(containers, swift_account, prefix, marker,
                                        min(limit + 1, ACCOUNT_PAGE), hidden=hidden):
            shown += page
            if len(shown) > limit:
                break
        more = len(shown) > limit
        body = head + _bucket_xml(shown[:limit]) + "</Buckets>"
        if more:
            body += el("ContinuationToken", _token(str(shown[limit - 1]["name"])))
        return Response((body + tail).encode(), media_type="application/xml")
    # the first page is read before the answer starts, so its errors are S3 errors
    first = (await containers.list_account(swift_account, prefix=prefix, marker=marker,
                                           limit=ACCOUNT_PAGE)).entries

    async def document() -> AsyncIterator[bytes]:
        yield head.encode()
        async for page in _bucket_pages(containers, swift_account, prefix, marker,
                                        first=first, hidden=hidden):
            yield _bucket_xml(page).encode()
        yield ("</Buckets>" + tail).encode()

    return StreamingResponse(document(), media_type="application/xml")


@dataclass(frozen=True)
class Page:
    """One page of a bucket listing, as both object listings read it."""

    entries: list[dict[str, Any]]
    truncated: bool
    max_keys: int
    prefix: str
    delimiter: str
    encode: bool

    def name(self, text: str) -> str:
        return url_encode(text) if self.encode else text


async def _page(containers: Containers, swift_account: str, bucket: str,
                params: dict[str, str], marker: str) -> Page:
    max_keys = count_param(params, "max-keys")
    prefix, delimiter = params.get("prefix", ""), params.get("delimiter", "")
    listing = await containers.list_container(
        swift_account, bucket, prefix=prefix, delimiter=delimiter, marker=marker,
        limit=max_keys + 1)
    entries = listing.entries[:max_keys]
    shown = [prefix, delimiter, marker, params.get("start-after", "")] + [
        str(e.get("name") or e.get("subdir") or "") for e in entries]
    encode = params.get("encoding-type") == "url" or not all(map(xml_safe, shown))
    return Page(entries, len(listing.entries) > max_keys and max_keys > 0,
                max_keys, prefix, delimiter, encode)


async def list_objects(containers: Containers, swift_account: str, bucket: str,
                       params: dict[str, str], owner: str) -> bytes:
    v2 = params.get("list-type") == "2"
    token = params.get("continuation-token")
    start = params.get("start-after" if v2 else "marker", "")
    marker = _untoken(token) if v2 and token else start
    page = await _page(containers, swift_account, bucket, params, marker)
    entries, truncated, max_keys = page.entries, page.truncated, page.max_keys
    prefix, delimiter, encode, name = page.prefix, page.delimiter, page.encode, page.name
    with_owner = not v2 or params.get("fetch-owner", "").lower() == "true"
    parts = [el("Name", bucket), el("Prefix", name(prefix) if v2 else prefix),
             el("MaxKeys", max_keys), el("IsTruncated", str(truncated).lower())]
    if delimiter:
        parts.append(el("Delimiter", name(delimiter)))
    if encode:
        parts.append(el("EncodingType", "url"))
    parts += _contents(entries, name, OWNER.format(owner) if with_owner else "")
    last = _last_name(entries)
    if v2:
        parts.append(el("KeyCount", len(entries)))
        if token is not None:
            parts.append(el("ContinuationToken", token))
        if truncated:
            parts.append(el("NextContinuationToken", _token(last)))
        if "start-after" in params:
            parts.append(el("StartAfter", name(params["start-after"])))
    else:
        parts.append(el("Marker", name(marker)))
        if truncated and delimiter:
            parts.append(el("NextMarker", name(last)))
    return xml_doc("ListBucketResult", "".join(parts))


def s3_etag(listed: str) -> str:
    """A row's ETag as S3 shows it (a large object's row also carries Swift's)."""
    etag, params = listed_etags(listed)
    return params.get("s3_etag", etag)


def _contents(entries: list[dict[str, Any]], name: Any, owner: str) -> list[str]:
    parts = []
    for e in entries:
        if "subdir" in e:
            parts.append(f"<CommonPrefixes>{el('Prefix', name(e['subdir']))}"
                         "</CommonPrefixes>")
            continue
        parts.append(f"<Contents>{el('Key', name(e['name']))}"
                     f"{el('LastModified', iso(Timestamp.parse(e['timestamp'])))}"
                     f"{el('ETag', quote_etag(s3_etag(e['hash'])))}{el('Size', e['bytes'])}"
                     f"{el('StorageClass', storage_class.listed(e['hash']))}{owner}"
                     "</Contents>")
    return parts
