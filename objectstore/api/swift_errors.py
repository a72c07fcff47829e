"""Swift's answer to every internal error: one declarative table, and the one handler
that looks an exception up along its class hierarchy (a subclass defined elsewhere
gets its nearest ancestor's answer), so no request handler maps an error itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.responses import Response

from objectstore import errors


class FeatureNotImplemented(errors.ObjectStoreError):
    """The request asks for a Swift feature this store does not have yet: said plainly
    instead of storing the request and ignoring what it asked. 400, not 501:
    python-swiftclient (and so the `swift` command) retries every 5xx with back-off, so
    a 501 cost its user ~30 s of retries before the error showed."""


class LengthRequired(errors.BadRequest):
    """A PUT with neither a Content-Length nor chunked transfer encoding (411)."""


class TransferCodingNotImplemented(errors.ObjectStoreError):
    """A body in a transfer coding other than chunked (501, as Swift answers: the
    body could not be read as meant)."""


class MethodNotAllowed(errors.ObjectStoreError):
    """The path exists, but not with this method (405)."""


class NotAcceptable(errors.ObjectStoreError):
    """No answer in a format the request accepts (406): a version listing is JSON."""


class PreconditionFailedWithReason(errors.PreconditionFailed):
    """A 412 whose body says why (a malformed X-Symlink-Target), as Swift answers."""


class ConflictWithReason(errors.Conflict):
    """A 409 whose body says why, as Swift's middleware answers (a symlink's target
    changed, too many links), rather than the generic conflict page."""


# Extra response headers an error's answer carries, from the headers of the object the
# request was about (empty when it was about none).
HeadersOf = Callable[[Mapping[str, str]], dict[str, str]]

class BadPath(errors.PreconditionFailed):
    """A path Swift refuses with 412 and a plain sentence as the body ("Bad URL",
    "Invalid UTF8 or contains NULL"), which clients compare."""


BODY_HEADERS = ("content-length", "content-range")


def _object_headers(obj: Mapping[str, str]) -> dict[str, str]:
    """A conditional GET or HEAD's 304 or 412 carries the object's headers (ETag,
    Last-Modified, Accept-Ranges, metadata...), as Swift's do -- not its body's."""
    return {k: v for k, v in obj.items() if k not in BODY_HEADERS}


def _unsatisfied_range(obj: Mapping[str, str]) -> dict[str, str]:
    """A 416 says how long the object is (RFC 9110 14.4), and which one it is."""
    if not obj:
        return {}
    return {**_object_headers(obj), "content-range": f"bytes */{obj.get('content-length', '0')}"}


@dataclass(frozen=True)
class SwiftError:
    status: int
    reason: str
    explanation: str = ""       # Swift's own text; empty: the error's message says why
    empty: bool = False         # no body at all (304)
    headers: HeadersOf | None = None


NOT_FOUND = SwiftError(404, "Not Found", "The resource could not be found.")
CONFLICT = SwiftError(409, "Conflict",
                      "There was a conflict when trying to complete your request.")
UNPROCESSABLE = SwiftError(422, "Unprocessable Entity",
                           "Unable to process the contained instructions")
INTERNAL = SwiftError(500, "Internal Error", "An error occurred.")

# Every class of objectstore.errors, named explicitly (a unit test checks it).
SWIFT_ERRORS: dict[type[errors.ObjectStoreError], SwiftError] = {
    errors.ObjectStoreError: INTERNAL,
    FeatureNotImplemented: SwiftError(400, "Bad Request"),
    ConflictWithReason: SwiftError(409, "Conflict"),
    PreconditionFailedWithReason: SwiftError(412, "Precondition Failed"),
    NotAcceptable: SwiftError(406, "Not Acceptable", "The request is not acceptable."),
    TransferCodingNotImplemented: SwiftError(501, "Not Implemented"),
    MethodNotAllowed: SwiftError(405, "Method Not Allowed",
                                 "The method is not allowed for this resource."),
    errors.BadRequest: SwiftError(400, "Bad Request"),
    LengthRequired: SwiftError(411, "Length Required", "Length Required"),
    errors.Unauthorized: SwiftError(401, "Unauthorized", "This server could not verify "
                                    "that you are authorized to access the document you "
                                    "requested."),
    errors.Forbidden: SwiftError(403, "Forbidden", "Access was denied to this resource."),
    errors.NotFound: NOT_FOUND,
    errors.AccountNotFound: NOT_FOUND,
    errors.ContainerNotFound: NOT_FOUND,
    errors.ObjectNotFound: NOT_FOUND,
    errors.Conflict: CONFLICT,
    errors.ContainerNotEmpty: CONFLICT,
    errors.NameTaken: SwiftError(409, "Conflict"),     # says whose name it is
    errors.QuotaExceeded: SwiftError(413, "Request Entity Too Large"),
    errors.PreconditionFailed: SwiftError(412, "Precondition Failed", "A precondition "
                                          "for this request was not met.",
                                          headers=_object_headers),
    BadPath: SwiftError(412, "Precondition Failed"),
    errors.NotModified: SwiftError(304, "Not Modified", empty=True,
                                   headers=_object_headers),
    errors.RangeNotSatisfiable: SwiftError(416, "Requested Range Not Satisfiable",
                                           "The Range requested is not available.",
                                           headers=_unsatisfied_range),
    errors.UnprocessableEntity: UNPROCESSABLE,
    errors.ChecksumMismatch: UNPROCESSABLE,
    errors.InsufficientStorage: SwiftError(507, "Insufficient Storage", "There was not "
                                           "enough space to save the resource."),
    errors.ServiceUnavailable: SwiftError(503, "Service Unavailable", "The server is "
                                          "currently unavailable. Please try again at a "
                                          "later time."),
    errors.DiskFileError: INTERNAL,
    errors.EncryptionKeyRequired: SwiftError(400, "Bad Request"),
    errors.UnknownEncryptionKey: SwiftError(400, "Bad Request"),
    errors.KeysUnavailable: SwiftError(503, "Service Unavailable"),
}


def swift_error(exc: errors.ObjectStoreError) -> SwiftError:
    """The table's entry for the exception's class, or for its nearest ancestor."""
    return next(SWIFT_ERRORS[cls] for cls in type(exc).__mro__ if cls in SWIFT_ERRORS)


def error_response(exc: errors.ObjectStoreError,
                   obj: Mapping[str, str] | None = None) -> Response:
    """Swift's answer to `exc`; `obj` are the public headers of the object the request
    was about, if it got that far (a 304 and a 416 quote some of them)."""
    entry = swift_error(exc)
    headers = entry.headers(obj or {}) if entry.headers else {}
    if entry.empty:
        return Response(status_code=entry.status, headers=headers)
    if entry.explanation:
        body = f"<html><h1>{entry.reason}</h1><p>{entry.explanation}</p></html>".encode()
    else:
        body = str(exc).encode()
    return Response(body, status_code=entry.status, headers=headers,
                    media_type="text/html; charset=UTF-8" if body else None)
