"""Swift's legacy versioned writes, the pure rules: which container headers set, remove
or are refused, the archive's naming, and the one-kind-of-versioning check."""

from __future__ import annotations

import pytest

from objectstore import errors
from objectstore.api.swift_errors import PreconditionFailedWithReason
from objectstore.api.version_archive import prefix_of
from objectstore.api.versioned_writes import (
    LOCATION,
    MODE,
    check_one_kind,
    requested,
    shown,
)

SET_STACK = {LOCATION: "arch", MODE: "stack"}
SET_HISTORY = {LOCATION: "arch", MODE: "history"}
REMOVED = {LOCATION: "", MODE: ""}


@pytest.mark.parametrize(("headers", "settings"), [
    ({}, {}),
    ({"x-versions-location": "arch"}, SET_STACK),
    ({"x-history-location": "arch"}, SET_HISTORY),
    ({"x-versions-location": ""}, REMOVED),             # an empty value removes
    ({"x-history-location": ""}, REMOVED),
    ({"x-remove-versions-location": "x"}, REMOVED),
    ({"x-remove-history-location": "1"}, REMOVED),
    ({"x-remove-versions-location": ""}, {}),           # a removal needs a value
    # one of the two empty: the other one decides
    ({"x-versions-location": "arch", "x-history-location": ""}, SET_STACK),
    ({"x-versions-location": "", "x-history-location": "arch"}, SET_HISTORY),
    # setting wins over removing in the same request
    ({"x-versions-location": "arch", "x-remove-versions-location": "x"}, SET_STACK),
    ({"x-history-location": "arch", "x-remove-history-location": "x"}, SET_HISTORY),
    ({"x-versions-location": "a%20b"}, {LOCATION: "a%20b", MODE: "stack"}),   # as sent
])
def test_what_a_container_request_sets(headers: dict[str, str],
                                       settings: dict[str, str]) -> None:
    assert requested(headers) == settings


def test_both_locations_at_once_are_refused() -> None:
    with pytest.raises(errors.BadRequest, match="Only one of"):
        requested({"x-versions-location": "a", "x-history-location": "b"})


@pytest.mark.parametrize("value", ["a/b", "a%2Fb", "..", "%00x", "x" * 257])
def test_a_location_must_name_a_container(value: str) -> None:
    with pytest.raises(PreconditionFailedWithReason, match="Container name"):
        requested({"x-versions-location": value})


def test_the_setting_is_shown_by_its_mode() -> None:
    assert shown(SET_STACK) == {"x-versions-location": "arch"}
    assert shown(SET_HISTORY) == {"x-history-location": "arch"}
    assert shown(REMOVED) == {} and shown({}) == {}


@pytest.mark.parametrize(("name", "prefix"), [
    ("o", "001o/"),
    ("photos/2026/cat.jpg", "013photos/2026/cat.jpg/"),
    ("café ü", "008café ü/"),                  # UTF-8 bytes, not characters
    ("x" * 1000, "3e8" + "x" * 1000 + "/"),
])
def test_archive_names_count_utf8_bytes_in_three_hex_digits(name: str, prefix: str) -> None:
    assert prefix_of(name) == prefix


def test_one_container_has_one_kind_of_versioning() -> None:
    check_one_kind({"x-versions-location": "a"}, {}, SET_STACK)
    check_one_kind({"x-versions-enabled": "true"}, {}, {})
    check_one_kind({"x-versions-location": ""}, {LOCATION: "a"}, REMOVED)
    for headers, current in (({}, {"x-container-sysmeta-versions-enabled": "true"}),
                             ({}, {"x-container-sysmeta-versions-enabled": "false"}),
                             ({"x-versions-enabled": "true"}, {})):
        with pytest.raises(errors.BadRequest, match="uses object versioning"):
            check_one_kind(headers, current, SET_STACK)
    for value in ("true", "false"):     # Swift refuses either on a legacy container
        with pytest.raises(errors.BadRequest, match="legacy versioned writes"):
            check_one_kind({"x-versions-enabled": value}, {LOCATION: "a"}, {})
