"""ListObjectVersions: every version and delete marker of a bucket's objects, from the
one version model's merged listing (Versions.list_versions), as S3 pages it: by
key-marker and version-id-marker, with prefix, delimiter, max-keys and the URL
encoding; IsLatest marks each key's current version (or its newest delete marker).

A bucket that was never versioned lists each object once, as version "null".
"""

from __future__ import annotations

from objectstore.proxy.version_names import NULL, parse_version_object
from objectstore.proxy.versions import VersionEntry, Versions
from objectstore.s3compat import s3errors, storage_class
from objectstore.s3compat.listings import OWNER, count_param, s3_etag
from objectstore.s3compat.responses import el, iso, quote_etag, url_encode, xml_doc, xml_safe
from objectstore.s3compat.versioning import requested
from objectstore.timestamps import Timestamp


async def list_versions(versions: Versions, account: str, bucket: str,
                        params: dict[str, str], owner: str) -> bytes:
    limit = count_param(params, "max-keys")
    prefix, delimiter = params.get("prefix", ""), params.get("delimiter", "")
    key_marker = params.get("key-marker", "")
    vid_marker = params.get("version-id-marker", "")
    if vid_marker and not key_marker:
        raise s3errors.InvalidArgument("A version-id marker cannot be specified without "
                                       "a key marker.", ArgumentName="version-id-marker",
                                       ArgumentValue=vid_marker)
    version_marker = vid_marker
    if vid_marker:
        requested({"versionId": vid_marker})        # InvalidArgument unless an id
        if vid_marker == NULL:                      # a kept null one has its own id
            kept = await versions.null_copy(account, bucket, key_marker)
            if kept is not None:
                version_marker = _id_of(kept)
    entries = [] if limit == 0 else await versions.list_versions(
        account, bucket, prefix=prefix, delimiter=delimiter, marker=key_marker,
        version_marker=version_marker, limit=limit + 1)
    truncated = len(entries) > limit
    entries = entries[:limit]
    texts = [prefix, delimiter, key_marker] + [e.name for e in entries]
    encode = params.get("encoding-type") == "url" or not all(map(xml_safe, texts))

    def name(text: str) -> str:
        return url_encode(text) if encode else text

    parts = [el("Name", bucket), el("Prefix", name(prefix)), el("KeyMarker", name(key_marker)),
             el("VersionIdMarker", vid_marker), el("MaxKeys", limit),
             el("IsTruncated", str(truncated).lower())]
    if delimiter:
        parts.append(el("Delimiter", name(delimiter)))
    if encode:
        parts.append(el("EncodingType", "url"))
    who = OWNER.format(owner)
    for e in entries:
        parts.append(_entry_xml(e, name(e.name), who))
    if truncated and entries:
        last = entries[-1]
        parts.append(el("NextKeyMarker", name(last.name)))
        if last.subdir is None:
            parts.append(el("NextVersionIdMarker", _shown(last)))
    return xml_doc("ListVersionsResult", "".join(parts))


def _id_of(name: str) -> str:
    parsed = parse_version_object(name)
    assert parsed is not None
    return parsed[1]


def _shown(e: VersionEntry) -> str:
    return NULL if e.null else e.version_id


def _entry_xml(e: VersionEntry, key: str, owner: str) -> str:
    if e.subdir is not None:
        return f"<CommonPrefixes>{el('Prefix', key)}</CommonPrefixes>"
    common = (el("Key", key) + el("VersionId", _shown(e))
              + el("IsLatest", str(e.is_latest).lower())
              + el("LastModified", iso(Timestamp.parse(e.timestamp))))
    if e.is_marker:
        return f"<DeleteMarker>{common}{owner}</DeleteMarker>"
    return (f"<Version>{common}{el('ETag', quote_etag(s3_etag(e.etag)))}"
            f"{el('Size', e.size)}{owner}{el('StorageClass', storage_class.listed(e.etag))}"
            "</Version>")
