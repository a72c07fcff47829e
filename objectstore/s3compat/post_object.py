"""S3 POST Object: an upload from an HTML form (multipart/form-data) to `POST /<bucket>`.

The fields come first (at most 256 KiB of them, names case-insensitive), then the
`file` field, which streams into the write as it arrives: never held whole. Fields
after the file are ignored, as S3 does. Who may: whoever may PutObject there, judged as
for a PutObject (the bucket's ACL and policy, the form's `acl` and `x-amz-grant-*` as
its headers): the user a form is signed for (SigV4 `x-amz-*` fields or SigV2
`AWSAccessKeyId`/`signature`, over a policy document: post_policy.py), or anyone for
an unsigned form (which carries no policy document).

Stored with the object: `Content-Type` and the other content headers, `x-amz-meta-*`,
`tagging` (a Tagging document); `key` may contain `${filename}` (the file's name). The
answer: a 303 to `success_action_redirect` (with bucket, key and etag in its query),
else `success_action_status` 200, 201 (a PostResponse document) or 204 (the default).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from objectstore.http.forms import FormReader, Part, boundary_of
from objectstore.proxy.default_encryption import bucket_default
from objectstore.proxy.object_info import CONTENT_HEADERS, S3_TAGGING
from objectstore.proxy.put_options import PutOptions
from objectstore.s3compat import (
    features,
    object_lock,
    s3errors,
    sigv4,
    sse,
    storage_class,
    tagging,
)
from objectstore.s3compat.access import S3Access, identity_of
from objectstore.s3compat.acl import acl_metadata, write_acl
from objectstore.s3compat.bodies import checked_body, checksum_algorithm
from objectstore.s3compat.credentials import KeyStore, S3User
from objectstore.s3compat.post_policy import (
    UNSIGNED,
    Policy,
    parse_policy,
    verify_v2,
    verify_v4,
)
from objectstore.s3compat.registry import BucketRegistry
from objectstore.s3compat.responses import el, quote_etag
from objectstore.s3compat.uploads import (
    DEFAULT_CONTENT_TYPE,
    MAX_OBJECT,
    META,
    request_stream,
    user_meta,
)
from objectstore.s3compat.versioning import S3Versioning

MAX_FIELDS = 256 * 1024         # all the fields before the file, together


def is_form(request: Request) -> bool:
    """A POST Object: a form, not signed in its headers or query (the form signs)."""
    return (request.headers.get("content-type", "").startswith("multipart/form-data")
            and "authorization" not in request.headers
            and not request.scope.get("query_string"))


class PostObject:
    def __init__(self, keys: KeyStore, registry: BucketRegistry,
                 versioning: S3Versioning, access: S3Access) -> None:
        self.keys = keys
        self.registry = registry
        self.versioning = versioning
        self.access = access

    async def handle(self, request: Request, bucket: str) -> Response:
        boundary = boundary_of(request.headers.get("content-type", ""))
        if boundary is None:
            raise s3errors.InvalidArgument("POST requires a multipart/form-data body")
        parts = FormReader(request_stream(request), boundary).parts()
        fields, file = await _fields(parts)
        user = await self.authenticate(fields)
        policy = parse_policy(fields["policy"]) if user is not None else UNSIGNED
        if "key" not in fields:
            raise s3errors.InvalidArgument("Bucket POST must contain a field named 'key'.  "
                                           "If it is specified, please check the order "
                                           "of the fields.")
        key = fields["key"].replace("${filename}", file.filename or "")
        if not key:
            raise s3errors.InvalidArgument("User key must have a length greater than 0.")
        if len(key.encode()) > 1024:
            raise s3errors.KeyTooLongError()
        fields = {**fields, "key": key, "bucket": bucket}
        policy.check(fields)
        reach = await self.access.reach(identity_of(user), bucket)
        asked = acl_headers(fields)
        await self.access.check(reach, "PUT", asked, bucket, key, {})   # as a PutObject
        account = reach.account
        await self.registry.confirm(account, bucket, None, write=True)
        sysmeta = self.versioning.proxy.known_containers.sysmeta(account, bucket)
        options, checks = _options(fields, sysmeta)
        options.encryption = sse.requested(
            {k: v for k, v in fields.items() if k.startswith(sse.SSE)},
            bucket_default(sysmeta), self.versioning.proxy.keyring)
        options.system_metadata.update(acl_metadata(
            write_acl(asked, reach, sysmeta, self.keys.directory), reach.owner))
        stored: dict[str, str] = {}
        body = checked_body(_within(file.data, policy), checks, None, stored)
        result = await self.versioning.put_object(account, bucket, key, body, options)
        async for rest in parts:        # what follows the file is read, not used
            async for _ in rest.data:
                pass
        etag = quote_etag(result.etag)
        location = f"{request.url.scheme}://{request.headers.get('host', '')}/{bucket}/" \
            + quote(key)
        headers = {"etag": etag, "location": location,
                   **sse.answer_headers(result.protection)}
        if result.version_id:
            headers["x-amz-version-id"] = result.version_id
        return _answer(fields, bucket, key, etag, headers)

    async def authenticate(self, fields: dict[str, str]) -> S3User | None:
        """The user the form is signed for (SigV4 or SigV2 fields); None for a form
        signed by nobody, which may carry no policy document either."""
        if "x-amz-signature" in fields or "x-amz-credential" in fields:
            _require(fields, "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
                     "x-amz-signature")
            if fields["x-amz-algorithm"] != sigv4.ALGORITHM:
                raise s3errors.InvalidArgument("Unsupported x-amz-algorithm")
            credential = _credential(fields["x-amz-credential"])
            user = await self._user(credential.access_key)
            verify_v4(fields["policy"], user.secret, credential, fields["x-amz-signature"])
        elif fields.keys() & {"awsaccesskeyid", "signature", "policy"}:
            _require(fields, "awsaccesskeyid", "policy", "signature")
            user = await self._user(fields["awsaccesskeyid"])
            verify_v2(fields["policy"], user.secret, fields["signature"])
        else:
            return None
        return user

    async def _user(self, access_key: str) -> S3User:
        user = await self.keys.get(access_key)
        if user is None:
            raise s3errors.InvalidAccessKeyId()
        return user


async def _fields(parts: AsyncIterator[Part]) -> tuple[dict[str, str], Part]:
    """The fields before the file (the first of a name counts), and the file."""
    fields: dict[str, str] = {}
    size = 0
    async for part in parts:
        name = part.name.lower()
        if name == "file":
            return fields, part
        value = bytearray()
        async for chunk in part.data:
            size += len(chunk)
            if size > MAX_FIELDS:
                raise s3errors.MaxPostPreDataLengthExceeded()
            value += chunk
        fields.setdefault(name, value.decode("utf-8", "replace"))
    raise s3errors.InvalidArgument("POST requires exactly one file upload per request.")


def _require(fields: dict[str, str], *names: str) -> None:
    for name in names:
        if not fields.get(name):
            raise s3errors.InvalidArgument(f"Bucket POST must contain a field named "
                                           f"'{name}'.  If it is specified, please check "
                                           "the order of the fields.")


def _credential(text: str) -> sigv4.Credential:
    parts = text.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or parts[3] != "s3":
        raise s3errors.InvalidArgument(f"Invalid x-amz-credential: {text}")
    return sigv4.Credential(*parts[:4])


def _options(fields: dict[str, str], bucket_sysmeta: Mapping[str, str]
             ) -> tuple[PutOptions, dict[str, str]]:
    """What the form asks to store (refusing what the store cannot honour, as for a
    PutObject with these headers), and the checksum fields the file is checked
    against."""
    amz = {k: v for k, v in fields.items() if k.startswith("x-amz-")}
    features.check_unversioned(bucket_sysmeta)
    features.check_object_write(amz)
    object_lock.check_bucket(amz, bucket_sysmeta)
    meta = user_meta({k: v for k, v in amz.items() if k.startswith(META)})
    options = PutOptions(content_type=fields.get("content-type", DEFAULT_CONTENT_TYPE),
                         content_headers={k: fields[k] for k in CONTENT_HEADERS if k in fields},
                         user_metadata={k[len(META):]: v for k, v in meta.items()})
    object_lock.requested(amz, options.system_metadata)    # the bucket's default: on write
    storage_class.on_write(amz, options)
    if fields.get("tagging"):
        tags = tagging.from_xml(fields["tagging"].encode(), tagging.OBJECT_TAGS)
        options.system_metadata[S3_TAGGING] = tagging.encode(tags)
    checks = {k: v for k, v in fields.items()
              if k == "content-md5" or k.startswith("x-amz-checksum-")}
    options.checksum_algorithm = checksum_algorithm(checks)
    return options, checks


async def _within(data: AsyncIterator[bytes], policy: Policy) -> AsyncIterator[bytes]:
    """The file, held to the policy's content-length-range (and PutObject's 5 GiB): a
    file outside it raises before its end, so nothing is stored."""
    low, high = policy.length_range or (0, MAX_OBJECT)
    high = min(high, MAX_OBJECT)
    size = 0
    async for chunk in data:
        size += len(chunk)
        if size > high:
            raise s3errors.EntityTooLarge("Your proposed upload exceeds the maximum "
                                          "allowed size")
        yield chunk
    if size < low:
        raise s3errors.EntityTooSmall("Your proposed upload is smaller than the minimum "
                                      "allowed size")


def _answer(fields: dict[str, str], bucket: str, key: str, etag: str,
            headers: dict[str, str]) -> Response:
    redirect = fields.get("success_action_redirect") or fields.get("redirect", "")
    if redirect.startswith(("http://", "https://")):
        query = urlencode({"bucket": bucket, "key": key, "etag": etag})
        headers["location"] = redirect + ("&" if "?" in redirect else "?") + query
        return Response(status_code=303, headers=headers)
    status = fields.get("success_action_status", "")
    if status == "201":
        body = (el("Location", headers["location"]) + el("Bucket", bucket) + el("Key", key)
                + el("ETag", etag))
        # (S3's PostResponse has no namespace, unlike its other documents)
        document = f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>{body}</PostResponse>'
        return Response(document.encode(), status_code=201, headers=headers,
                        media_type="application/xml")
    return Response(status_code=200 if status == "200" else 204, headers=headers)


def acl_headers(fields: Mapping[str, str]) -> dict[str, str]:
    """The form's `acl` and `x-amz-grant-*` fields as the PutObject headers they stand
    for."""
    out = {k: v for k, v in fields.items() if k.startswith("x-amz-grant-")}
    if "acl" in fields:
        out["x-amz-acl"] = fields["acl"]
    return out
