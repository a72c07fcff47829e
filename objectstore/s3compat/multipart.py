"""S3 multipart uploads over the proxy core.

An upload lives in the bucket's segments container `<bucket>+segments` (a name no S3
bucket can have, so ListBuckets hides it): an empty marker object `<key>/<uploadId>`
holding the object's content type, metadata and checksum algorithm, and one object per
part, `<key>/<uploadId>/<part number, 5 digits>`. Complete writes a manifest at the key
(see proxy/manifests.py: the format of a Swift SLO, which this object then is to Swift)
listing the parts; both APIs then read them as one object. The
manifest remembers its upload id, so repeating a Complete that succeeded answers the
same result again.

With a checksum algorithm, every part's checksum is computed by the nodes as it is
stored; Complete checks the client's list against them and stores the object's
checksum: COMPOSITE (checksum of the part checksums, `-N`) or, for the CRCs, FULL_OBJECT
(the CRC of all the bytes, combined from the parts').
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from objectstore import checksums, errors
from objectstore.crypto.protection import CRYPTO_SSE, Encryption, Protection, protection_of
from objectstore.proxy.bodies import once
from objectstore.proxy.containers import Containers
from objectstore.proxy.copies import Write
from objectstore.proxy.core import Proxy
from objectstore.proxy.manifests import Segment, listing_etag, manifest_body, slo_etag
from objectstore.proxy.object_info import (
    CHECKSUM,
    CHECKSUM_TYPE,
    LISTING_ETAG,
    MANIFEST,
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    S3_CHECKSUM_ALGORITHM,
    S3_CHECKSUM_TYPE,
    S3_UPLOAD_ID,
    SLO_ETAG,
    ObjectInfo,
)
from objectstore.proxy.put_options import PutOptions, Stored, check_write
from objectstore.proxy.s3_acl_store import kept as acl_kept
from objectstore.s3compat import object_lock, s3errors, sse, storage_class, tagging
from objectstore.s3compat.responses import el, xml_doc
from objectstore.s3compat.uploads import write_conditions
from objectstore.s3compat.xmlbody import parse

MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 10_000
OWNER = "<{0}><ID>{1}</ID><DisplayName>{1}</DisplayName></{0}>"


def segments_container(bucket: str) -> str:
    return f"{bucket}+segments"


def part_name(key: str, upload_id: str, number: int) -> str:
    return f"{key}/{upload_id}/{number:05d}"



def requested_checksum(headers: Mapping[str, str]) -> tuple[str, str]:
    """(algorithm, type) a CreateMultipartUpload asks for; ('', '') for none."""
    algorithm = headers.get("x-amz-checksum-algorithm", "").strip().lower()
    kind = headers.get("x-amz-checksum-type", "").strip().upper()
    if not algorithm:
        if kind:
            raise s3errors.InvalidRequest("x-amz-checksum-type needs "
                                          "x-amz-checksum-algorithm")
        return "", ""
    if algorithm not in checksums.ALGORITHMS:
        raise s3errors.InvalidRequest(f"Unsupported checksum algorithm {algorithm}")
    kind = kind or ("FULL_OBJECT" if algorithm == "crc64nvme" else "COMPOSITE")
    # CRCs combine into a FULL_OBJECT checksum (CRC64NVME only so); the digests and
    # xxhashes do not, so theirs is COMPOSITE
    allowed = {"crc32": ("COMPOSITE", "FULL_OBJECT"), "crc32c": ("COMPOSITE", "FULL_OBJECT"),
               "crc64nvme": ("FULL_OBJECT",)}.get(algorithm, ("COMPOSITE",))
    if kind not in allowed:
        raise s3errors.InvalidRequest(f"The {kind} checksum type cannot be used "
                                      f"with the {algorithm.upper()} checksum algorithm.")
    return algorithm, kind


def checksum_headers(algorithm: str, kind: str) -> dict[str, str]:
    if not algorithm:
        return {}
    return {"x-amz-checksum-algorithm": algorithm.upper(), "x-amz-checksum-type": kind}


@dataclass(frozen=True)
class Part:
    number: int
    name: str
    size: int
    etag: str
    checksum: str = ""


class Multipart:
    def __init__(self, proxy: Proxy, containers: Containers, write: Write | None = None
                 ) -> None:
        self.proxy = proxy
        self.containers = containers
        self.write: Write = write or proxy.put_object     # how the object is stored

    async def create(self, account: str, bucket: str, key: str, options: PutOptions,
                     request_headers: Mapping[str, str],
                     encryption: Encryption | None = None) -> tuple[bytes, dict[str, str]]:
        """Start an upload: its marker keeps what `options` say is to be stored with
        the object (content type and headers, user metadata), and how its parts are
        to be encrypted (`encryption`; for SSE-C, a verifier of the key)."""
        algorithm, kind = requested_checksum(request_headers)
        if encryption is not None:
            self.proxy.check_encryption(encryption)
            options.system_metadata[CRYPTO_SSE] = encryption.protection.text()
        seg = segments_container(bucket)
        try:
            await self.containers.head_container(account, seg)
        except errors.ContainerNotFound:     # parts keep as many replicas as the bucket
            policy = await self.proxy.container_policies.index(account, bucket)
            await self.containers.put_container(account, seg, {}, policy=policy or None)
        upload_id = secrets.token_urlsafe(24)
        options.length = 0
        if algorithm:
            options.system_metadata.update({S3_CHECKSUM_ALGORITHM: algorithm,
                                            S3_CHECKSUM_TYPE: kind})
        await self.proxy.put_object(account, seg, f"{key}/{upload_id}", once(b""), options)
        body = el("Bucket", bucket) + el("Key", key) + el("UploadId", upload_id)
        return (xml_doc("InitiateMultipartUploadResult", body),
                {**checksum_headers(algorithm, kind),
                 **sse.answer_headers(encryption.protection if encryption else None)})

    async def marker(self, account: str, bucket: str, key: str,
                     upload_id: str) -> ObjectInfo:
        """The upload's marker; NoSuchUpload if it was completed or aborted."""
        try:
            return await self.proxy.head_object_info(account, segments_container(bucket),
                                                     f"{key}/{upload_id}")
        except errors.NotFound:
            raise s3errors.NoSuchUpload() from None

    async def part_encryption(self, account: str, bucket: str, key: str, upload_id: str,
                              request_headers: Mapping[str, str]) -> Encryption | None:
        """How a part of the upload is encrypted (a part of an SSE-C upload must bring
        the upload's key: 400 without it or with another)."""
        marker = await self.marker(account, bucket, key, upload_id)
        return _encryption_of(marker, request_headers)

    async def upload_part(self, account: str, bucket: str, key: str, upload_id: str,
                          number: int, body: AsyncIterator[bytes], options: PutOptions,
                          request_headers: Mapping[str, str]) -> Stored:
        """Store one part (its length and any checksum algorithm the request declared
        in `options`), encrypted as the upload says; returns its ETag and the checksum
        computed of it, in the upload's algorithm."""
        if not 1 <= number <= MAX_PARTS:
            raise s3errors.InvalidArgument("Part number must be an integer between "
                                           "1 and 10000, inclusive")
        marker = await self.marker(account, bucket, key, upload_id)
        options.encryption = _encryption_of(marker, request_headers)
        algorithm = marker.system.s3_checksum_algorithm
        sent = options.checksum_algorithm
        if algorithm and sent and sent != algorithm:
            raise s3errors.InvalidRequest(
                f"Checksum Type mismatch occurred, expected checksum Type: {algorithm}, "
                f"actual checksum Type: {sent}")
        if algorithm:
            options.checksum_algorithm = algorithm
        # a part is stored (and counted) in the account at once: its quota holds for it
        await self.containers.confirm_account_write(account, segments_container(bucket),
                                                    options.length)
        return await self.proxy.put_object(account, segments_container(bucket),
                                           part_name(key, upload_id, number), body, options)

    async def parts(self, account: str, bucket: str, key: str, upload_id: str,
                    algorithm: str = "", after: int = 0, limit: int = MAX_PARTS
                    ) -> list[Part]:
        """The upload's parts in order (numbers above `after`), with their checksums
        when the upload has an algorithm (read from each part, a few at a time)."""
        prefix = f"{key}/{upload_id}/"
        listing = await self.containers.list_container(
            account, segments_container(bucket), prefix=prefix,
            marker=part_name(key, upload_id, after) if after else "", limit=limit)
        found = [Part(int(e["name"].rsplit("/", 1)[1]), e["name"], int(e["bytes"]), e["hash"])
                 for e in listing.entries if "name" in e]
        if not algorithm:
            return found
        gate = asyncio.Semaphore(16)

        async def with_checksum(part: Part) -> Part:
            async with gate:
                head = await self.proxy.head_object_info(
                    account, segments_container(bucket), part.name)
            return Part(part.number, part.name, part.size, part.etag,
                        head.system.checksums.get(algorithm, ""))

        return list(await asyncio.gather(*(with_checksum(p) for p in found)))

    async def complete(self, account: str, bucket: str, key: str, upload_id: str,
                       body: bytes, request_headers: Mapping[str, str]
                       ) -> tuple[bytes, str, str | None, Protection | None]:
        """Assemble the object; returns the result document, the object's ETag, its
        version id (None: unversioned; the object is written by `write`) and how it is
        encrypted (an SSE-C upload's Complete brings the upload's key). The
        request's If-Match / If-None-Match are checked when the manifest is written
        (after the parts were checked), or, for a Complete repeated after it succeeded,
        against the object it made."""
        conditions = write_conditions(request_headers, PutOptions())
        try:
            marker = await self.marker(account, bucket, key, upload_id)
        except s3errors.NoSuchUpload:
            return await self._completed_before(account, bucket, key, upload_id,
                                                conditions)
        protection = protection_of(marker.system.other)
        sse.unlock(protection, request_headers)
        algorithm = marker.system.s3_checksum_algorithm
        kind = marker.system.s3_checksum_type
        wanted = _requested_parts(body, algorithm)
        have = {p.number: p for p in await self.parts(account, bucket, key, upload_id,
                                                      algorithm)}
        chosen = _check_parts(wanted, have, algorithm)
        digests = b"".join(bytes.fromhex(p.etag) for p in chosen)
        s3_etag = f"{hashlib.md5(digests).hexdigest()}-{len(chosen)}"
        segments = [Segment(segments_container(bucket), p.name, p.size, p.etag, p.checksum)
                    for p in chosen]
        manifest = manifest_body(segments)
        options = conditions
        options.content_type = marker.content_type
        options.content_headers = marker.content_headers
        options.user_metadata = marker.user_metadata
        options.length = len(manifest)
        # the object adds its whole size to the bucket: the bucket's and the account's
        # quotas hold for it as for a PutObject of that size (EntityTooLarge)
        await self.containers.confirm_write(account, bucket, sum(s.size for s in segments))
        options.system_metadata = {
            MANIFEST: "1", MANIFEST_SIZE: str(sum(s.size for s in segments)),
            MANIFEST_ETAG: s3_etag, SLO_ETAG: slo_etag(segments), S3_UPLOAD_ID: upload_id,
            LISTING_ETAG: listing_etag(manifest, s3_etag, slo_etag(segments)),
            **tagging.kept(marker.system.other), **object_lock.kept(marker.system.other),
            **acl_kept(marker.system.other), **storage_class.kept(marker.system.other)}
        if protection is not None:      # shown by the object; each part has its own key
            options.system_metadata[CRYPTO_SSE] = protection.text()
        checksum: dict[str, str] = {}
        if algorithm:
            value = _object_checksum(algorithm, kind, chosen)
            given = request_headers.get(f"x-amz-checksum-{algorithm}")
            if given is not None and given != value:
                raise s3errors.BadDigest(f"The {algorithm.upper()} you specified did "
                                         "not match the calculated checksum.")
            checksum = {algorithm: value}
            options.system_metadata.update({CHECKSUM + algorithm: value, CHECKSUM_TYPE: kind,
                                            S3_CHECKSUM_ALGORITHM: algorithm})
        stored = await self.write(account, bucket, key, once(manifest), options)
        used = {p.name for p in chosen}
        for part in have.values():
            if part.name not in used:
                await self._delete(account, bucket, part.name)
        await self._delete(account, bucket, f"{key}/{upload_id}")
        return (_result(bucket, key, s3_etag, checksum, kind), s3_etag, stored.version_id,
                protection)

    async def _completed_before(self, account: str, bucket: str, key: str,
                                upload_id: str, conditions: PutOptions
                                ) -> tuple[bytes, str, str | None, Protection | None]:
        """A Complete repeated after it succeeded gets the same answer (if its
        conditions hold for the object it made)."""
        try:
            info: ObjectInfo | None = await self.proxy.head_object_info(account, bucket, key)
        except errors.ObjectNotFound:
            info = None
        check_write(conditions, key, None if info is None
                    else info.system.manifest_etag or info.etag)
        if info is None or info.system.s3_upload_id != upload_id:
            raise s3errors.NoSuchUpload()
        etag = info.system.manifest_etag
        return (_result(bucket, key, etag, info.system.checksums,
                        info.system.checksum_type), etag, None,
                protection_of(info.system.other))

    async def _delete(self, account: str, bucket: str, name: str) -> None:
        with contextlib.suppress(errors.NotFound):
            await self.proxy.delete_object(account, segments_container(bucket), name)

    async def abort(self, account: str, bucket: str, key: str, upload_id: str) -> None:
        await self.marker(account, bucket, key, upload_id)
        for part in await self.parts(account, bucket, key, upload_id):
            await self._delete(account, bucket, part.name)
        await self._delete(account, bucket, f"{key}/{upload_id}")

    async def list_parts(self, account: str, bucket: str, key: str, upload_id: str,
                         params: Mapping[str, str], owner: str) -> bytes:
        marker = await self.marker(account, bucket, key, upload_id)
        owner = marker.system.s3_owner or owner       # whom the object will belong to
        algorithm = marker.system.s3_checksum_algorithm
        after = _number(params, "part-number-marker", 0)
        limit = min(_number(params, "max-parts", 1000), 1000)
        found = await self.parts(account, bucket, key, upload_id, algorithm, after,
                                 limit + 1)
        shown = found[:limit]
        truncated = len(found) > limit
        items = ""
        for p in shown:
            items += (f"<Part>{el('PartNumber', p.number)}{el('ETag', chr(34) + p.etag + chr(34))}"
                      f"{el('Size', p.size)}")
            if p.checksum:
                items += el(f"Checksum{algorithm.upper()}", p.checksum)
            items += "</Part>"
        body = (el("Bucket", bucket) + el("Key", key) + el("UploadId", upload_id)
                + OWNER.format("Initiator", owner) + OWNER.format("Owner", owner)
                + el("StorageClass", storage_class.of(marker.system.other))
                + el("PartNumberMarker", after)
                + el("NextPartNumberMarker", shown[-1].number if shown else after)
                + el("MaxParts", limit) + el("IsTruncated", str(truncated).lower()))
        if algorithm:
            body += el("ChecksumAlgorithm", algorithm.upper())
            body += el("ChecksumType", marker.system.s3_checksum_type)
        return xml_doc("ListPartsResult", body + items)

    async def list_uploads(self, account: str, bucket: str, params: Mapping[str, str],
                           owner: str) -> bytes:
        """ListMultipartUploads: the markers in the segments container, in key order,
        paginated by key-marker / upload-id-marker / max-uploads."""
        limit = min(_number(params, "max-uploads", 1000), 1000)
        prefix = params.get("prefix", "")
        key_marker, id_marker = params.get("key-marker", ""), params.get("upload-id-marker", "")
        try:
            listing = await self.containers.list_container(
                account, segments_container(bucket), prefix=prefix,
                marker=f"{key_marker}/{id_marker}" if key_marker and id_marker
                else key_marker, limit=10_000)
            entries = listing.entries
        except errors.ContainerNotFound:
            entries = []
        uploads = []
        for e in entries:
            key, _, upload = str(e.get("name", "")).rpartition("/")
            if key and upload and not upload.isdigit() and e["bytes"] == 0 and \
                    (id_marker or key != key_marker):
                uploads.append((key, upload, storage_class.listed(str(e.get("hash", "")))))
        shown, truncated = uploads[:limit], len(uploads) > limit
        owners = await self._upload_owners(account, bucket, [(k, u) for k, u, _ in shown],
                                           owner)
        items = "".join(f"<Upload>{el('Key', k)}{el('UploadId', u)}"
                        f"{OWNER.format('Initiator', o)}{OWNER.format('Owner', o)}"
                        f"{el('StorageClass', sc)}</Upload>"
                        for (k, u, sc), o in zip(shown, owners))
        body = (el("Bucket", bucket) + el("KeyMarker", key_marker)
                + el("UploadIdMarker", id_marker) + el("MaxUploads", limit)
                + el("IsTruncated", str(truncated).lower()))
        if prefix:
            body += el("Prefix", prefix)
        if truncated and shown:
            body += el("NextKeyMarker", shown[-1][0]) + el("NextUploadIdMarker", shown[-1][1])
        return xml_doc("ListMultipartUploadsResult", body + items)

    async def _upload_owners(self, account: str, bucket: str,
                             uploads: list[tuple[str, str]], default: str) -> list[str]:
        """Whom each upload's object will belong to, from its marker (a listing does
        not carry it: another account may have started an upload in a shared bucket)."""
        limit = asyncio.Semaphore(16)

        async def owner_of(key: str, upload_id: str) -> str:
            async with limit:
                try:
                    marker = await self.marker(account, bucket, key, upload_id)
                except s3errors.NoSuchUpload:       # completed or aborted meanwhile
                    return default
                return marker.system.s3_owner or default
        return list(await asyncio.gather(*(owner_of(k, u) for k, u in uploads)))


def _encryption_of(marker: ObjectInfo, request_headers: Mapping[str, str]
                   ) -> Encryption | None:
    protection = protection_of(marker.system.other)
    key = sse.unlock(protection, request_headers)
    return None if protection is None else Encryption(protection, key)


def _number(params: Mapping[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise s3errors.InvalidArgument(f"{name} must be a non-negative integer")
    return int(value)


def _result(bucket: str, key: str, etag: str, checksum: Mapping[str, str], kind: str
            ) -> bytes:
    """The Complete's answer; `checksum` is the object's (algorithm -> value), of
    type `kind`, when the upload has one."""
    body = (el("Location", f"/{bucket}/{key}") + el("Bucket", bucket) + el("Key", key)
            + el("ETag", f'"{etag}"'))
    for algo, value in checksum.items():
        body += el(f"Checksum{algo.upper()}", value)
    if checksum:
        body += el("ChecksumType", kind)
    return xml_doc("CompleteMultipartUploadResult", body)


def _requested_parts(body: bytes, algorithm: str) -> list[tuple[int, str, str | None]]:
    """(number, etag, checksum or None) of each part a Complete lists, in order."""
    root = parse(body)
    if root.tag != "CompleteMultipartUpload":
        raise s3errors.MalformedXML("expected CompleteMultipartUpload")
    parts = []
    for p in root.findall("Part"):
        try:
            number = int(p.findtext("PartNumber") or "")
        except ValueError:
            raise s3errors.MalformedXML("bad PartNumber") from None
        etag = (p.findtext("ETag") or "").strip().strip('"')
        checksum = p.findtext(f"Checksum{algorithm.upper()}") if algorithm else None
        parts.append((number, etag, checksum.strip() if checksum else None))
    if not parts:
        raise s3errors.MalformedXML("no parts")
    numbers = [n for n, _, _ in parts]
    if numbers != sorted(numbers):
        raise s3errors.InvalidPartOrder()
    # a part number listed twice (a part uploaded again): its last entry counts
    return [p for i, p in enumerate(parts) if i + 1 == len(parts) or parts[i + 1][0] != p[0]]


def _check_parts(wanted: list[tuple[int, str, str | None]], have: dict[int, Part],
                 algorithm: str) -> list[Part]:
    chosen = []
    for i, (number, etag, checksum) in enumerate(wanted):
        part = have.get(number)
        if part is None or part.etag != etag:
            raise s3errors.InvalidPart()
        if algorithm and checksum is not None and checksum != part.checksum:
            raise s3errors.InvalidPart(f"The checksum of part {number} does not "
                                       "match the part's checksum.")
        if part.size < MIN_PART and i < len(wanted) - 1:
            raise s3errors.EntityTooSmall()
        chosen.append(part)
    return chosen


def _object_checksum(algorithm: str, kind: str, parts: list[Part]) -> str:
    if kind == "FULL_OBJECT":
        return checksums.full_object(algorithm, [(p.checksum, p.size) for p in parts])
    return checksums.composite(algorithm, [p.checksum for p in parts])

