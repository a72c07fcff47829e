"""S3 multipart uploads over the proxy core.

An upload lives in the bucket's segments container `<bucket>+segments` (a name no S3
bucket can have, so ListBuckets hides it): an empty marker object `<key>/<uploadId>`
holding the object's content type and metadata, and one object per part,
`<key>/<uploadId>/<part number, 5 digits>`. Complete writes a manifest at the key
(see proxy/manifests.py) listing the parts; both APIs then read them as one object.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.manifests import (
    MANIFEST,
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    Segment,
    manifest_body,
)
from objectstore.s3compat.responses import S3Error, el, xml_doc
from objectstore.s3compat.xmlbody import parse

MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 10_000


def segments_container(bucket: str) -> str:
    return f"{bucket}+segments"


def part_name(key: str, upload_id: str, number: int) -> str:
    return f"{key}/{upload_id}/{number:05d}"


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


class Multipart:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers

    async def create(self, account: str, bucket: str, key: str,
                     headers: dict[str, str]) -> bytes:
        await self.containers.head_container(account, bucket)
        seg = segments_container(bucket)
        try:
            await self.containers.head_container(account, seg)
        except errors.ContainerNotFound:
            await self.containers.put_container(account, seg, {})
        upload_id = secrets.token_urlsafe(24)
        await self.proxy.put_object(account, seg, f"{key}/{upload_id}", _one(b""),
                                    {**headers, "content-length": "0"})
        body = el("Bucket", bucket) + el("Key", key) + el("UploadId", upload_id)
        return xml_doc("InitiateMultipartUploadResult", body)

    async def _marker(self, account: str, bucket: str, key: str,
                      upload_id: str) -> dict[str, str]:
        try:
            return await self.proxy.head_object(account, segments_container(bucket),
                                                f"{key}/{upload_id}")
        except errors.NotFound:
            raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.") \
                from None

    async def upload_part(self, account: str, bucket: str, key: str, upload_id: str,
                          number: int, body: AsyncIterator[bytes],
                          headers: dict[str, str]) -> str:
        if not 1 <= number <= MAX_PARTS:
            raise S3Error(400, "InvalidArgument", "Part number must be an integer between "
                          "1 and 10000, inclusive")
        await self._marker(account, bucket, key, upload_id)
        stored = await self.proxy.put_object(account, segments_container(bucket),
                                             part_name(key, upload_id, number), body,
                                             headers)
        return stored["etag"]

    async def _parts(self, account: str, bucket: str, key: str,
                     upload_id: str) -> list[dict[str, Any]]:
        prefix = f"{key}/{upload_id}/"
        listing = await self.containers.list_container(
            account, segments_container(bucket), prefix=prefix, limit=10_000)
        return [e for e in listing.entries if "name" in e]

    async def complete(self, account: str, bucket: str, key: str, upload_id: str,
                       body: bytes) -> tuple[bytes, str]:
        marker = await self._marker(account, bucket, key, upload_id)
        wanted = _requested_parts(body)
        have = {int(e["name"].rsplit("/", 1)[1]): e
                for e in await self._parts(account, bucket, key, upload_id)}
        segments = []
        digests = b""
        for i, (number, etag) in enumerate(wanted):
            part = have.get(number)
            if part is None or part["hash"] != etag:
                raise S3Error(400, "InvalidPart", "One or more of the specified parts could "
                              "not be found. The part may not have been uploaded, or the "
                              "specified entity tag may not match the part's entity tag.")
            if part["bytes"] < MIN_PART and i < len(wanted) - 1:
                raise S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than "
                              "the minimum allowed object size.")
            segments.append(Segment(segments_container(bucket), part["name"], part["bytes"],
                                    part["hash"]))
            digests += bytes.fromhex(etag)
        s3_etag = f"{hashlib.md5(digests).hexdigest()}-{len(segments)}"
        manifest = manifest_body(segments)
        keep = {k: v for k, v in marker.items()
                if k.startswith("x-object-meta-") or k in ("content-type", "content-encoding",
                                                           "content-disposition",
                                                           "content-language",
                                                           "cache-control", "expires")}
        await self.proxy.put_object(account, bucket, key, _one(manifest), {
            **keep, "content-length": str(len(manifest)), MANIFEST: "1",
            MANIFEST_SIZE: str(sum(s.size for s in segments)), MANIFEST_ETAG: s3_etag})
        used = {s.name for s in segments}
        for part in have.values():
            if part["name"] not in used:
                await self._delete(account, bucket, part["name"])
        await self._delete(account, bucket, f"{key}/{upload_id}")
        result = (el("Location", f"/{bucket}/{key}") + el("Bucket", bucket) + el("Key", key)
                  + el("ETag", f'"{s3_etag}"'))
        return xml_doc("CompleteMultipartUploadResult", result), s3_etag

    async def _delete(self, account: str, bucket: str, name: str) -> None:
        with contextlib.suppress(errors.NotFound):
            await self.proxy.delete_object(account, segments_container(bucket), name)

    async def abort(self, account: str, bucket: str, key: str, upload_id: str) -> None:
        await self._marker(account, bucket, key, upload_id)
        for part in await self._parts(account, bucket, key, upload_id):
            await self._delete(account, bucket, part["name"])
        await self._delete(account, bucket, f"{key}/{upload_id}")

    async def list_parts(self, account: str, bucket: str, key: str, upload_id: str) -> bytes:
        await self._marker(account, bucket, key, upload_id)
        parts = "".join(
            f"<Part>{el('PartNumber', int(p['name'].rsplit('/', 1)[1]))}"
            f"{el('ETag', chr(34) + p['hash'] + chr(34))}{el('Size', p['bytes'])}</Part>"
            for p in await self._parts(account, bucket, key, upload_id))
        body = (el("Bucket", bucket) + el("Key", key) + el("UploadId", upload_id)
                + el("IsTruncated", "false") + parts)
        return xml_doc("ListPartsResult", body)

    async def list_uploads(self, account: str, bucket: str) -> bytes:
        await self.containers.head_container(account, bucket)
        try:
            listing = await self.containers.list_container(
                account, segments_container(bucket), limit=10_000)
        except errors.ContainerNotFound:
            listing = None
        uploads = ""
        for e in listing.entries if listing else []:
            name = e.get("name", "")
            key, _, upload = name.rpartition("/")
            if key and upload and not upload.isdigit() and e["bytes"] == 0:
                uploads += f"<Upload>{el('Key', key)}{el('UploadId', upload)}</Upload>"
        body = el("Bucket", bucket) + el("IsTruncated", "false") + uploads
        return xml_doc("ListMultipartUploadsResult", body)


def _requested_parts(body: bytes) -> list[tuple[int, str]]:
    root = parse(body)
    if root.tag != "CompleteMultipartUpload":
        raise S3Error(400, "MalformedXML", "expected CompleteMultipartUpload")
    parts = []
    for p in root.findall("Part"):
        try:
            parts.append((int(p.findtext("PartNumber") or ""),
                          (p.findtext("ETag") or "").strip().strip('"')))
        except ValueError:
            raise S3Error(400, "MalformedXML", "bad PartNumber") from None
    if not parts:
        raise S3Error(400, "MalformedXML", "no parts")
    numbers = [n for n, _ in parts]
    if numbers != sorted(set(numbers)):
        raise S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending "
                      "order. The parts list must be specified in order by part number.")
    return parts
