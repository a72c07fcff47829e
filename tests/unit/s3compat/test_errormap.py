"""The S3 error catalogue and the one table from internal errors to it: every internal
error class mapped explicitly (none falls through to a 500 by accident), every S3 code
with a status, and the <Error> document as clients have always read it."""

from __future__ import annotations

import inspect
import xml.etree.ElementTree as ET

import pytest

import objectstore.s3compat.app  # noqa: F401 -- loads every module the S3 edge uses
from objectstore import errors
from objectstore.proxy import s3_acl_errors
from objectstore.proxy.policy import MalformedPolicy, PolicyNotSupported
from objectstore.s3compat import s3errors
from objectstore.s3compat.errormap import INTERNAL, error_response, to_s3


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def _internal_classes() -> list[type[errors.ObjectStoreError]]:
    """Every error class of ours the S3 edge may see: the hierarchy in objectstore.errors
    and any other module's subclass, but the S3 catalogue itself and the Swift edge's
    own errors (objectstore.api, never raised under S3)."""
    return [c for c in [errors.ObjectStoreError, *_all_subclasses(errors.ObjectStoreError)]
            if c.__module__.startswith("objectstore.")
            and not c.__module__.startswith("objectstore.api")
            and not issubclass(c, s3errors.S3Error)]


def _unmapped(classes: list[type[errors.ObjectStoreError]]) -> list[str]:
    return sorted(c.__qualname__ for c in classes if c not in INTERNAL)


def test_every_internal_error_is_mapped_explicitly() -> None:
    """A new class in objectstore.errors fails here until it is given an S3 code; found
    through its ancestor instead, a new kind of error might answer the wrong code."""
    classes = _internal_classes()
    in_errors_module = {c for _, c in inspect.getmembers(errors, inspect.isclass)
                        if issubclass(c, errors.ObjectStoreError)}
    assert in_errors_module <= set(classes)
    assert _unmapped(classes) == []


def test_the_walk_finds_a_class_nobody_mapped() -> None:
    class Unheard(errors.BadRequest):
        pass

    assert _unmapped([errors.BadRequest, Unheard]) == [Unheard.__qualname__]


def test_the_table_maps_only_internal_classes_onto_the_catalogue() -> None:
    for internal, s3 in INTERNAL.items():
        assert issubclass(internal, errors.ObjectStoreError)
        assert not issubclass(internal, s3errors.S3Error)
        assert issubclass(s3, s3errors.S3Error) and s3 is not s3errors.S3Error


def _catalogue() -> list[type[s3errors.S3Error]]:
    return [c for c in _all_subclasses(s3errors.S3Error) if c.__module__ == s3errors.__name__]


def test_every_s3_code_has_a_status_and_a_message() -> None:
    codes = []
    for cls in _catalogue():
        assert isinstance(vars(cls).get("status"), int), cls
        assert 300 <= cls.status <= 599, cls
        assert isinstance(cls.default_message, str) and cls.default_message, cls
        assert cls.code and cls.code.replace(".", "").isalnum(), cls   # KMS.NotFound...
        codes.append(cls.code)
    assert len(codes) == len(set(codes)), "one class per S3 code"
    assert "NotImplemented" in codes and s3errors.S3NotImplemented.status == 501


def test_only_failures_of_ours_are_5xx() -> None:
    """A client's mistake is never a 500: only the base class (an error nobody named),
    a damaged file or stored ACL, a full device, a missing quorum and a proxy without
    the encryption keys it needs are the server's fault; a feature not built is 501
    NotImplemented (a bucket policy naming what this store cannot evaluate, a canned ACL
    it cannot honour)."""
    fives = {c for c, s3 in INTERNAL.items() if s3.status >= 500}
    assert fives == {errors.ObjectStoreError, errors.DiskFileError,
                     errors.InsufficientStorage, errors.ServiceUnavailable,
                     errors.KeysUnavailable, PolicyNotSupported, s3_acl_errors.CorruptStoredAcl,
                     s3_acl_errors.CannedAclNotBuilt}


# What each internal error has always been answered as (status, code, message).
ANSWERS = [
    (errors.ObjectStoreError, 500, "InternalError", "We encountered an internal error."),
    (errors.BadRequest, 400, "InvalidRequest", "Invalid Request"),
    (errors.Unauthorized, 403, "AccessDenied", "Access Denied"),
    (errors.Forbidden, 403, "AccessDenied", "Access Denied"),
    (errors.NotFound, 404, "NoSuchKey", "The specified key does not exist."),
    (errors.AccountNotFound, 404, "NoSuchBucket", "The specified bucket does not exist"),
    (errors.ContainerNotFound, 404, "NoSuchBucket", "The specified bucket does not exist"),
    (errors.ObjectNotFound, 404, "NoSuchKey", "The specified key does not exist."),
    (errors.Conflict, 409, "OperationAborted", "A conflicting operation is in progress."),
    (errors.ContainerNotEmpty, 409, "BucketNotEmpty",
     "The bucket you tried to delete is not empty"),
    (errors.NameTaken, 409, "BucketAlreadyExists", "The requested bucket name is not "
     "available. The bucket namespace is shared by all users of the system. Please select "
     "a different name and try again."),
    (errors.PreconditionFailed, 412, "PreconditionFailed",
     "At least one of the pre-conditions you specified did not hold"),
    (errors.NotModified, 304, "NotModified", "Not Modified"),
    (errors.RangeNotSatisfiable, 416, "InvalidRange", "The requested range is not satisfiable"),
    (errors.UnprocessableEntity, 400, "BadDigest",
     "The Content-MD5 or checksum you specified did not match what was received."),
    (errors.ChecksumMismatch, 400, "BadDigest",
     "The Content-MD5 or checksum you specified did not match what was received."),
    (errors.InsufficientStorage, 507, "InsufficientStorage", "Insufficient Storage"),
    (errors.ServiceUnavailable, 503, "ServiceUnavailable", "Please reduce your request rate."),
    (errors.DiskFileError, 500, "InternalError", "We encountered an internal error."),
]


@pytest.mark.parametrize(("internal", "status", "code", "message"), ANSWERS)
def test_internal_errors_answer_as_before(internal: type[errors.ObjectStoreError],
                                          status: int, code: str, message: str) -> None:
    """Internal messages (which may name nodes or paths) are not shown, the code's is
    (a BadRequest's own message is: see below)."""
    told = "" if issubclass(internal, errors.BadRequest) else "node 10.0.0.3 answered 503"
    s3 = to_s3(internal(told))
    assert (s3.status, s3.code, str(s3)) == (status, code, message)


def test_a_bad_request_says_what_was_wrong() -> None:
    assert str(to_s3(errors.BadRequest("bad aws-chunked chunk size"))) == \
        "bad aws-chunked chunk size"
    assert str(to_s3(errors.BadRequest())) == "Invalid Request"


def test_a_subclass_answers_as_its_nearest_mapped_ancestor() -> None:
    class Narrower(errors.ContainerNotFound):
        pass

    assert to_s3(Narrower()).code == "NoSuchBucket"


def test_a_catalogue_error_is_answered_as_raised() -> None:
    exc = s3errors.InvalidPart("The requested partnumber is not satisfiable")
    assert to_s3(exc) is exc and (exc.status, exc.code) == (400, "InvalidPart")
    assert str(s3errors.NoSuchUpload()) == "The specified upload does not exist."
    assert str(s3errors.not_implemented("Object Lock")) == "Object Lock is not implemented yet"


def test_the_error_document_keeps_its_shape() -> None:
    exc = s3errors.AccessDenied("There were headers present in the request which were "
                                "not signed", HeadersNotSigned="x-amz-acl, x-amz-meta-a")
    response = error_response(exc, "PUT", "/b/a%20%3Ck%3E", "tx123")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/xml"
    assert response.body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
        b"<Message>There were headers present in the request which were not signed"
        b"</Message><HeadersNotSigned>x-amz-acl, x-amz-meta-a</HeadersNotSigned>"
        b"<Resource>/b/a &lt;k&gt;</Resource><RequestId>tx123</RequestId></Error>")
    ET.fromstring(response.body)


@pytest.mark.parametrize(("exc", "method", "status"), [
    (errors.ObjectNotFound(), "HEAD", 404), (errors.NotModified(), "GET", 304)])
def test_no_body_for_head_or_not_modified(exc: errors.ObjectStoreError, method: str,
                                          status: int) -> None:
    response = error_response(exc, method, "/b/k", "tx1")
    assert (response.status_code, response.body) == (status, b"")


def test_policy_errors_answer_with_s3s_words() -> None:
    """A bucket policy S3 refuses is 400 MalformedPolicy with S3's message; one naming
    what this store cannot evaluate is 501 NotImplemented naming it."""
    s3 = to_s3(MalformedPolicy("Policy has invalid resource"))
    assert (s3.status, s3.code, str(s3)) == (400, "MalformedPolicy",
                                             "Policy has invalid resource")
    s3 = to_s3(PolicyNotSupported("the condition key s3:TlsVersion"))
    assert (s3.status, s3.code, str(s3)) == (
        501, "NotImplemented", "the condition key s3:TlsVersion is not implemented yet")
