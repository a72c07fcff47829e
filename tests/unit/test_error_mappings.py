"""Every error class of objectstore.errors is mapped explicitly at each edge: a new class
added without a mapping fails here, instead of falling through to a base class's status
(or a 500) by accident."""

from __future__ import annotations

import gc

import pytest

from objectstore import errors
from objectstore.api import swift_errors
from objectstore.node import wire


def error_classes(*modules: str) -> list[type[errors.ObjectStoreError]]:
    """ObjectStoreError and every class below it defined in objectstore.errors (or in
    one of `modules`)."""
    found: list[type[errors.ObjectStoreError]] = []
    todo: list[type[errors.ObjectStoreError]] = [errors.ObjectStoreError]
    while todo:
        cls = todo.pop()
        if cls.__module__ in (errors.__name__, *modules) and cls not in found:
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def swift_classes() -> list[type[errors.ObjectStoreError]]:
    """What the Swift edge can meet: the shared errors and its own."""
    return error_classes(swift_errors.__name__)


def test_the_walk_finds_the_whole_hierarchy() -> None:
    classes = error_classes()
    assert errors.ObjectStoreError in classes
    assert errors.ObjectNotFound in classes and errors.NameTaken in classes
    assert len(classes) == sum(
        1 for v in vars(errors).values()
        if isinstance(v, type) and issubclass(v, errors.ObjectStoreError))


def test_a_class_added_without_a_mapping_is_found() -> None:
    class NewError(errors.Conflict):
        pass
    NewError.__module__ = errors.__name__
    try:
        assert NewError in error_classes()
        assert NewError not in wire.ERROR_STATUS
        assert NewError not in swift_errors.SWIFT_ERRORS
    finally:
        del NewError
        gc.collect()        # gone from __subclasses__ for the walks that follow


@pytest.mark.parametrize("cls", error_classes(), ids=lambda c: c.__name__)
def test_the_node_maps_every_error_explicitly(cls: type[errors.ObjectStoreError]) -> None:
    assert cls in wire.ERROR_STATUS, f"{cls.__name__} has no node status in node/wire.py"
    assert wire.status_for(cls("x")) == wire.ERROR_STATUS[cls]


@pytest.mark.parametrize("status", sorted(wire.STATUS_ERRORS))
def test_a_status_the_nodes_agree_on_maps_back_to_itself(status: int) -> None:
    """Both directions agree: the error the proxy raises for a node status is one the
    node would answer with that same status."""
    assert wire.status_for(wire.error_for(status)("x")) == status


@pytest.mark.parametrize("status", [0, 401, 403, 500, 503, 499])
def test_a_status_that_says_the_nodes_failed_is_unavailable(status: int) -> None:
    assert wire.error_for(status) is errors.ServiceUnavailable


def test_a_class_defined_elsewhere_gets_its_nearest_ancestors_status() -> None:
    class Elsewhere(errors.ContainerNotEmpty):
        pass
    assert wire.status_for(Elsewhere("x")) == 409


@pytest.mark.parametrize("cls", swift_classes(), ids=lambda c: c.__name__)
def test_swift_maps_every_error_explicitly(cls: type[errors.ObjectStoreError]) -> None:
    assert cls in swift_errors.SWIFT_ERRORS, \
        f"{cls.__name__} has no entry in api/swift_errors.py"
    assert swift_errors.swift_error(cls("x")) is swift_errors.SWIFT_ERRORS[cls]


def test_swift_sees_its_own_errors_too() -> None:
    assert swift_errors.FeatureNotImplemented in swift_classes()
    assert swift_errors.MethodNotAllowed in swift_classes()


@pytest.mark.parametrize("cls", error_classes(), ids=lambda c: c.__name__)
def test_swift_and_the_nodes_agree_on_the_status(cls: type[errors.ObjectStoreError]) -> None:
    """One error, one status, whichever side answers (a node's 500 is Swift's too)."""
    assert swift_errors.SWIFT_ERRORS[cls].status == wire.ERROR_STATUS[cls]


def test_swift_answers_in_its_own_words_or_the_errors() -> None:
    r = swift_errors.error_response(errors.ObjectNotFound("o"))
    assert (r.status_code, r.body) == (404, b"<html><h1>Not Found</h1><p>The resource "
                                             b"could not be found.</p></html>")
    assert r.headers["content-type"] == "text/html; charset=UTF-8"
    r = swift_errors.error_response(errors.NameTaken("another account holds 'x'"))
    assert (r.status_code, r.body) == (409, b"another account holds 'x'")
    r = swift_errors.error_response(errors.BadRequest(""))
    assert (r.status_code, r.body) == (400, b"") and "content-type" not in r.headers


def test_a_304_412_and_416_quote_the_object() -> None:
    obj = {"etag": "abc", "last-modified": "then", "x-timestamp": "1.0",
           "content-length": "10", "x-object-meta-a": "secret"}
    r = swift_errors.error_response(errors.NotModified(""), obj)
    assert (r.status_code, r.body) == (304, b"")
    assert {k: r.headers[k] for k in ("etag", "last-modified", "x-timestamp")} == {
        "etag": "abc", "last-modified": "then", "x-timestamp": "1.0"}
    assert r.headers["x-object-meta-a"] == "secret"      # Swift's 304 keeps every header
    assert r.headers.get("content-length") in (None, "0")   # ... but its body's
    r = swift_errors.error_response(errors.PreconditionFailed("no"), obj)
    assert (r.status_code, r.headers["etag"]) == (412, "abc")  # a failed If-Match too
    assert swift_errors.error_response(errors.PreconditionFailed("no")).headers.get(
        "etag") is None
    r = swift_errors.error_response(errors.RangeNotSatisfiable("no"), obj)
    assert (r.status_code, r.headers["content-range"]) == (416, "bytes */10")
    assert swift_errors.error_response(errors.RangeNotSatisfiable("no")).headers.get(
        "content-range") is None


def test_swift_answers_a_class_defined_elsewhere_as_its_ancestor() -> None:
    class Elsewhere(errors.ContainerNotEmpty):
        pass
    assert swift_errors.error_response(Elsewhere("x")).status_code == 409
