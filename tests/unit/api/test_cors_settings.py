"""A Swift container's CORS metadata read as the one rule S3's evaluation answers from."""

from __future__ import annotations

import pytest

from objectstore import errors
from objectstore.api.cors import (
    METHODS,
    OBJECT_METHODS,
    check_settings,
    container_rules,
)

META = "x-container-meta-access-control-"


def test_no_allowed_origin_no_rule() -> None:
    assert container_rules({}, True) == []
    assert container_rules({META + "allow-origin": "  ", META + "max-age": "5"}, True) == []


def test_the_metadata_as_a_rule() -> None:
    [rule] = container_rules({META + "allow-origin": "http://a.com  http://b.com",
                              META + "max-age": "60",
                              META + "expose-headers": "X-Foo x-bar"}, True)
    assert rule.allowed_origins == ("http://a.com", "http://b.com") and rule.whole_origins
    assert rule.allowed_methods == OBJECT_METHODS and rule.allowed_headers == ("*",)
    assert rule.max_age == 60 and rule.expose_headers == ()
    assert rule.answer_exposes[-2:] == ("x-foo", "x-bar")
    assert "x-object-meta-*" in rule.answer_exposes
    [on_container] = container_rules({META + "allow-origin": "*"}, False)
    assert on_container.allowed_methods == METHODS and "COPY" not in METHODS


def test_a_max_age_a_browser_cannot_read() -> None:
    """Refused when set; one stored before that was refused goes unsent."""
    for bad in ("soon", "-1", "1.5"):
        with pytest.raises(errors.BadRequest):
            check_settings({META + "max-age": bad})
    check_settings({META + "max-age": "600"})
    check_settings({META + "max-age": ""})          # (empty: removes it)
    [rule] = container_rules({META + "allow-origin": "*", META + "max-age": "soon"}, True)
    assert rule.max_age is None
