"""The lifecycle document's parser and the rule decisions made from it (pure)."""

from __future__ import annotations

import pytest

from objectstore.proxy.lifecycle_rules import (
    Configuration,
    abort_due,
    current_expiry,
    days_after,
    marker_expiry,
    noncurrent_expired,
    noncurrent_rules,
)
from objectstore.s3compat import s3errors
from objectstore.s3compat.lifecycle_xml import configuration_xml, parse_configuration


def doc(*rules: str) -> bytes:
    return ("<LifecycleConfiguration xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>"
            + "".join(f"<Rule>{r}</Rule>" for r in rules)
            + "</LifecycleConfiguration>").encode()


def test_round_trip_keeps_the_filter_as_sent() -> None:
    body = doc("<ID>a</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value>"
               "</Tag><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>"
               "<Status>Enabled</Status><Expiration><Days>3</Days></Expiration>",
               "<ID>b</ID><Prefix>legacy/</Prefix><Status>Disabled</Status>"
               "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2"
               "</DaysAfterInitiation></AbortIncompleteMultipartUpload>")
    config = parse_configuration(body)
    again = parse_configuration(configuration_xml(config))
    assert again == config == Configuration.from_json(config.to_json())
    a, b = config.rules
    assert (a.filter.prefix, a.filter.tags, a.filter.size_less) == ("p/", (("k", "v"),), 10)
    assert not b.enabled and b.filter.prefix == "legacy/" and b.abort_days == 2
    assert b"<Prefix>legacy/</Prefix><Status>" in configuration_xml(config)


@pytest.mark.parametrize(("rule", "error"), [
    ("<ID>x</ID><Status>enabled</Status><Expiration><Days>1</Days></Expiration>",
     s3errors.MalformedXML),
    ("<ID>x</ID><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z"
     "</Date></Expiration>", s3errors.MalformedXML),
    ("<ID>x</ID><Status>Enabled</Status><Bogus/><Expiration><Days>1</Days></Expiration>",
     s3errors.MalformedXML),
    ("<ID>x</ID><Status>Enabled</Status><Expiration><Days>-1</Days></Expiration>",
     s3errors.InvalidArgument),
    ("<ID>x</ID><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date>"
     "</Expiration>", s3errors.InvalidArgument),
    ("<ID>x</ID><Status>Enabled</Status><Expiration><Date>1970-08-22T19:28:21Z</Date>"
     "</Expiration><Transition><Date>1970-08-22T19:28:21Z</Date><StorageClass>GLACIER"
     "</StorageClass></Transition>", s3errors.InvalidArgument),
    ("<ID>x</ID><Filter><And><ObjectSizeGreaterThan>9</ObjectSizeGreaterThan>"
     "<ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>"
     "<Expiration><Days>1</Days></Expiration>", s3errors.InvalidArgument),
    ("<ID>x</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
     "<Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true"
     "</ExpiredObjectDeleteMarker></Expiration>", s3errors.InvalidRequest),
    ("<ID>x</ID><Status>Enabled</Status>", s3errors.InvalidRequest),
    ("<ID>x</ID><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER"
     "</StorageClass></Transition>", s3errors.S3NotImplemented),
])
def test_refusals(rule: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_configuration(doc(rule))


def test_due_times_round_up_to_midnight() -> None:
    assert days_after(15.0, 1, 10.0) == 30.0 and days_after(20.0, 1, 10.0) == 30.0
    # AWS's example: created 10:30 on day 0, 3 days -> midnight starting day 4
    assert days_after(10.5 * 3600, 3, 86400.0) == 4 * 86400.0
    config = parse_configuration(doc(
        "<ID>late</ID><Prefix>a</Prefix><Status>Enabled</Status><Expiration><Days>5</Days>"
        "</Expiration>",
        "<ID>soon</ID><Filter><Prefix>a/b</Prefix></Filter><Status>Enabled</Status>"
        "<Expiration><Days>2</Days></Expiration>"
        "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>"
        "<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
        "</AbortIncompleteMultipartUpload>"))
    assert current_expiry(config, "a/b/c", 1, {}, 3.0, 10.0) == (30.0, "soon")
    assert current_expiry(config, "a/x", 1, {}, 3.0, 10.0) == (60.0, "late")
    assert current_expiry(config, "b", 1, {}, 3.0, 10.0) is None
    assert marker_expiry(config, "a/b", 3.0, 10.0) == 30.0
    assert abort_due(config, "a/b", 3.0, 10.0) == 20.0 and abort_due(config, "z", 3, 10) is None
    rules = noncurrent_rules(config, "a/b", 1, {})
    assert not noncurrent_expired(rules, 3.0, 1, 100.0, 10.0)      # one of the newest 2
    assert noncurrent_expired(rules, 3.0, 2, 100.0, 10.0)
    assert not noncurrent_expired(rules, 3.0, 2, 19.0, 10.0)       # not a day yet


def test_tags_and_sizes_select() -> None:
    (rule,) = parse_configuration(doc(
        "<ID>t</ID><Filter><And><Tag><Key>k</Key><Value>v</Value></Tag>"
        "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter>"
        "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration>")).rules
    assert rule.filter.matches("x", 11, {"k": "v", "other": "1"})
    assert not rule.filter.matches("x", 10, {"k": "v"})
    assert not rule.filter.matches("x", 11, {"k": "w"})
