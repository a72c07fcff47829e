"""S3's wire format: error codes for our internal errors, XML documents, request ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from starlette.responses import Response

from objectstore import errors
from objectstore import request_id as request_ids
from objectstore.s3compat.sigv4 import SignatureError
from objectstore.s3compat.uri import InvalidName, InvalidURI
from objectstore.timestamps import Timestamp

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# Headers stored with an object and returned with it.
STORED = ("content-type", "content-encoding", "content-disposition", "content-language",
          "cache-control", "expires")

# Internal errors -> (HTTP status, S3 code, message), most specific first.
S3_ERRORS: list[tuple[type[errors.ObjectStoreError], int, str, str]] = [
    (InvalidURI, 400, "InvalidURI", "Couldn't parse the specified URI."),
    (InvalidName, 400, "InvalidArgument",
     "Bucket names and object keys must not contain a NUL character"),
    (errors.ContainerNotFound, 404, "NoSuchBucket", "The specified bucket does not exist"),
    (errors.ObjectNotFound, 404, "NoSuchKey", "The specified key does not exist."),
    (errors.AccountNotFound, 404, "NoSuchBucket", "The specified bucket does not exist"),
    (errors.NotFound, 404, "NoSuchKey", "The specified key does not exist."),
    (errors.ContainerNotEmpty, 409, "BucketNotEmpty",
     "The bucket you tried to delete is not empty"),
    (errors.Conflict, 409, "OperationAborted", "A conflicting operation is in progress."),
    (errors.PreconditionFailed, 412, "PreconditionFailed",
     "At least one of the pre-conditions you specified did not hold"),
    (errors.NotModified, 304, "NotModified", "Not Modified"),
    (errors.RangeNotSatisfiable, 416, "InvalidRange",
     "The requested range is not satisfiable"),
    (errors.UnprocessableEntity, 400, "BadDigest",
     "The Content-MD5 or checksum you specified did not match what was received."),
    (errors.Unauthorized, 403, "AccessDenied", "Access Denied"),
    (errors.Forbidden, 403, "AccessDenied", "Access Denied"),
    (errors.BadRequest, 400, "InvalidRequest", "Invalid Request"),
    (errors.InsufficientStorage, 507, "InsufficientStorage", "Insufficient Storage"),
    (errors.ServiceUnavailable, 503, "ServiceUnavailable", "Please reduce your request rate."),
    (errors.ObjectStoreError, 500, "InternalError", "We encountered an internal error."),
]


class S3Error(errors.ObjectStoreError):
    """An error with an explicit S3 code (what the internal hierarchy does not name)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


SIGNATURE_STATUS = {"RequestTimeTooSkewed": 403, "SignatureDoesNotMatch": 403,
                    "AccessDenied": 403, "InvalidAccessKeyId": 403}


def request_id() -> str:
    return request_ids.request_id()    # the outer layer's id for this request


def error_for(exc: errors.ObjectStoreError) -> tuple[int, str, str]:
    if isinstance(exc, S3Error):
        return exc.status, exc.code, str(exc)
    if isinstance(exc, SignatureError):
        return SIGNATURE_STATUS.get(exc.code, 400), exc.code, str(exc)
    for cls, status, code, message in S3_ERRORS:
        if isinstance(exc, cls):
            detail = str(exc) if isinstance(exc, errors.BadRequest) and str(exc) else message
            return status, code, detail
    raise AssertionError("unreachable: ObjectStoreError is in the table")


# What XML 1.0 cannot carry at all, not even as a character reference (its `Char`
# production): C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> bool:
    """Whether `text` can be written in an XML 1.0 document as it is."""
    return _NOT_XML.search(text) is None


def xml_text(value: object) -> str:
    """Text content for our XML documents, always well-formed: markup escaped, CR as a
    reference (a parser would read a raw CR back as LF), and what XML 1.0 cannot carry
    replaced by U+FFFD. (S3 writes such characters as references like `&#x1F;`, which
    XML parsers refuse; listings avoid the loss by percent-encoding, see listings.py.)"""
    return _NOT_XML.sub("\ufffd", escape(str(value), {"\r": "&#13;"}))


def error_xml(code: str, message: str, resource: str, req_id: str,
              details: dict[str, str] | None = None) -> bytes:
    extra = "".join(el(k, v) for k, v in (details or {}).items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{xml_text(message)}</Message>{extra}<Resource>{xml_text(resource)}"
            f"</Resource><RequestId>{req_id}</RequestId></Error>").encode()


def xml_doc(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">{body}</{root}>'.encode()


def el(name: str, value: object) -> str:
    return f"<{name}>{xml_text(value)}</{name}>"


def iso(ts: Timestamp) -> str:
    return datetime.fromtimestamp(ts.seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def xml_response(body: bytes) -> Response:
    return Response(body, status_code=200, media_type="application/xml")


def quote_etag(etag: str) -> str:
    return f'"{etag}"'


def url_encode(text: str) -> str:
    return quote(text, safe="/")


def object_headers_out(node: dict[str, Any], ts: Timestamp) -> dict[str, str]:
    headers = {k: v for k, v in node.items() if k in STORED or k == "content-length"}
    headers["etag"] = quote_etag(node.get("etag", ""))
    headers["last-modified"] = formatdate(int(ts.seconds), usegmt=True)    # as listed
    headers["accept-ranges"] = "bytes"
    for k, v in node.items():
        if k.startswith("x-object-meta-"):
            headers["x-amz-meta-" + k[len("x-object-meta-"):]] = v
    return headers


def stored_checksums(node: dict[str, Any]) -> dict[str, str]:
    """The x-amz-checksum-* an object was uploaded with (kept as system metadata)."""
    prefix = "x-object-sysmeta-checksum-"
    return {"x-amz-checksum-" + k[len(prefix):]: v for k, v in node.items()
            if k.startswith(prefix)}
