"""FormPost: an HTML form in a browser uploads files straight into a container, signed
with the container's or account's TempURL keys, as OpenStack Swift's formpost:

    <form action="https://host/v1/AUTH_acct/container/prefix" method="POST"
          enctype="multipart/form-data">
      redirect, max_file_size, max_file_count, expires, signature (hidden fields),
      then the file inputs

The signature is an HMAC of `path\\nredirect\\nmax_file_size\\nmax_file_count\\nexpires`
(SHA-1/256/512, hex or `<digest>:<base64>`, as TempURL's). Each file becomes the object
`<prefix><filename>`, streamed (a file past max_file_size is refused and not stored);
`x_delete_at` / `x_delete_after` and `content-type` fields apply to the files after
them. Fields after a file are not seen (they would need the whole body buffered).
The answer: 303 to `redirect?status=<code>&message=<text>`, or the status as text."""

from __future__ import annotations

import hmac
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import tempurl, version_archive, versioning
from objectstore.api.backend import Backend
from objectstore.api.link_requests import link_keys
from objectstore.api.names import SwiftPath
from objectstore.http.forms import FormReader, Part
from objectstore.proxy.expiring import Entry, enqueue
from objectstore.proxy.put_options import PutOptions

MAX_VALUE_LENGTH = 4096


class FormUnauthorized(errors.Unauthorized):
    pass


class FileTooLarge(errors.BadRequest):
    pass


async def form_post(b: Backend, request: Request, t: SwiftPath, raw_path: bytes,
                    boundary: bytes) -> Response:
    """`raw_path`: the request's path as sent; what the form's signature covers."""
    assert t.container is not None
    keys = [k for ks in await link_keys(b, t) for k in ks]
    fields: dict[str, str] = {}
    status, message = "", ""
    files = 0
    try:
        async for part in FormReader(request.stream(), boundary).parts():
            if part.filename is None:
                fields[part.name.lower()] = await _value(part.data)
                continue
            files += 1
            if files > _int(fields, "max_file_count"):
                status, message = "400 Bad Request", "max file count exceeded"
                break
            _check_signature(fields, unquote(raw_path.decode("latin-1")), keys)
            await _store(b, t, part, fields)
            status = "201 Created"
    except FileTooLarge:
        status, message = "400 Bad Request", "max_file_size exceeded"
    except FormUnauthorized as exc:
        return Response(f"FormPost: {exc}".encode(), status_code=401,
                        media_type="text/plain")
    if not status:
        status, message = "400 Bad Request", "no files to process"
    redirect = fields.get("redirect")
    if not redirect:
        body = status + (f"\r\nFormPost: {message.title()}" if message else "")
        return Response(body.encode(), status_code=int(status.split()[0]),
                        media_type="text/plain")
    location = (redirect + ("&" if "?" in redirect else "?") +
                f"status={status.split()[0]}&message={quote(message)}")
    page = f'<html><body><p><a href="{location}">Click to continue...</a></p></body></html>'
    return Response(page.encode(), status_code=303, headers={"location": location},
                    media_type="text/html")


async def _value(data: AsyncIterator[bytes]) -> str:
    value = b""
    async for chunk in data:
        value += chunk[:MAX_VALUE_LENGTH - len(value)]     # the rest is read and dropped
    return value.decode("utf-8", "replace").rstrip("\r\n")


def _int(fields: dict[str, str], name: str) -> int:
    try:
        return int(fields.get(name) or 0)
    except ValueError:
        raise errors.BadRequest(f"FormPost: {name} not an integer") from None


def _check_signature(fields: dict[str, str], path: str, keys: list[str]) -> None:
    if _int(fields, "expires") < time.time():
        raise FormUnauthorized("Form Expired")
    digest, given = tempurl.split_signature(fields.get("signature", ""))
    if digest not in tempurl.ALLOWED_DIGESTS or not given or not keys:
        raise FormUnauthorized("Invalid Signature")
    body = "\n".join([path, fields.get("redirect", ""), fields.get("max_file_size", ""),
                      fields.get("max_file_count", ""), fields.get("expires", "")])
    if not any(hmac.compare_digest(hmac.new(tempurl.raw_bytes(k), body.encode(),
                                            digest).digest(), given) for k in keys):
        raise FormUnauthorized("Invalid Signature")


async def _store(b: Backend, t: SwiftPath, part: Part, fields: dict[str, str]) -> None:
    assert t.container is not None and part.filename is not None
    name = (t.obj or "") + (part.filename or "filename")
    limit = _int(fields, "max_file_size")
    delete_at = _delete_at(fields)

    async def capped() -> AsyncIterator[bytes]:
        size = 0
        async for chunk in part.data:
            size += len(chunk)
            if size > limit:
                raise FileTooLarge("max_file_size exceeded")
            yield chunk

    await b.containers.confirm_write(t.account, t.container, limit)   # at most that
    await version_archive.keep_current(b, {}, replace(t, obj=name))   # if versioned
    content_type = fields.get("content-type") or part.headers.get(
        "content-type", "application/octet-stream")
    encoding = fields.get("content-encoding") or part.headers.get("content-encoding")
    options = PutOptions(content_type=content_type, length=None, delete_at=delete_at,
                         content_headers={"content-encoding": encoding} if encoding else {})
    await versioning.store(b, t, capped(), options, obj=name)
    if delete_at is not None:
        await enqueue(b.proxy, b.containers, Entry(delete_at, t.account, t.container, name))


def _delete_at(fields: dict[str, str]) -> int | None:
    if "x_delete_at" in fields:
        try:
            return int(fields["x_delete_at"])
        except ValueError:
            raise errors.BadRequest("FormPost: x_delete_at not an integer: Unix timestamp "
                                    "required.") from None
    if "x_delete_after" in fields:
        try:
            return int(time.time()) + int(fields["x_delete_after"])
        except ValueError:
            raise errors.BadRequest("FormPost: x_delete_after not an integer: Number of "
                                    "seconds required.") from None
    return None
