"""Server access logging's pure parts: the configuration's XML, operation names, the
record line, and how batches roll (on an injected clock)."""

from __future__ import annotations

import asyncio
import shlex

import pytest

from objectstore.s3compat import s3errors
from objectstore.s3compat.access_log_delivery import Batch, LogDelivery, object_name
from objectstore.s3compat.access_log_records import Record, operation
from objectstore.s3compat.logging_config import (
    LoggingConfig,
    decode,
    parse_status,
    status_xml,
)

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def status(inner: str) -> bytes:
    return f"<BucketLoggingStatus {NS}>{inner}</BucketLoggingStatus>".encode()


def test_the_configuration_parses_and_shows_as_s3_does() -> None:
    assert parse_status(status("")) is None
    asked = parse_status(status(
        "<LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>p/</TargetPrefix>"
        "<TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>DeliveryTime"
        "</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat>"
        "</LoggingEnabled>"))
    assert asked is not None
    assert (asked.target_bucket, asked.prefix, asked.partitioned, asked.date_source) == \
        ("logs", "p/", True, "DeliveryTime")
    config = LoggingConfig("logs", "AUTH_t", "p/", True, "DeliveryTime", "then")
    assert decode(config.encode()) == config and decode("{bad") is None
    shown = status_xml(config).decode()
    assert "<PartitionDateSource>DeliveryTime</PartitionDateSource>" in shown
    assert "<SimplePrefix/>" in status_xml(LoggingConfig("logs", "AUTH_t", "")).decode()
    assert config.same_as(LoggingConfig("logs", "AUTH_t", "p/", True, "DeliveryTime", "now"))


@pytest.mark.parametrize("inner, error", [
    ("<LoggingEnabled><TargetPrefix>p</TargetPrefix></LoggingEnabled>",
     s3errors.MalformedXML),
    ("<LoggingEnabled><TargetBucket>l</TargetBucket><LoggingType>Journal</LoggingType>"
     "</LoggingEnabled>", s3errors.MalformedXML),
    ("<LoggingEnabled><TargetBucket>l</TargetBucket><TargetObjectKeyFormat>"
     "<PartitionedPrefix><PartitionDateSource>x</PartitionDateSource></PartitionedPrefix>"
     "</TargetObjectKeyFormat></LoggingEnabled>", s3errors.MalformedXML),
    ("<LoggingEnabled><TargetBucket>l</TargetBucket><TargetGrants><Grant/></TargetGrants>"
     "</LoggingEnabled>", s3errors.S3NotImplemented),
    ("<LoggingEnabled><TargetBucket>l</TargetBucket><TargetPrefix>" + "p" * 513
     + "</TargetPrefix></LoggingEnabled>", s3errors.InvalidArgument),
    ("<LoggingEnabled/><LoggingEnabled/>", s3errors.MalformedXML)])
def test_what_cannot_be_kept_is_refused(inner: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_status(status(inner))


def test_operations_are_named_as_aws_names_them() -> None:
    assert operation("PUT", "k", {}) == "REST.PUT.OBJECT"
    assert operation("PUT", "k", {"uploadId": "u", "partNumber": "1"}) == "REST.PUT.PART"
    assert operation("POST", "k", {"uploadId": "u"}) == "REST.POST.UPLOAD"
    assert operation("POST", "k", {"uploads": ""}) == "REST.POST.UPLOADS"
    assert operation("PUT", "k", {"tagging": ""}) == "REST.PUT.OBJECT_TAGGING"
    assert operation("PUT", "k", {"legal-hold": ""}) == "REST.PUT.LEGAL_HOLD"
    assert operation("GET", None, {"list-type": "2"}) == "REST.GET.BUCKET"
    assert operation("POST", None, {"delete": ""}) == "REST.POST.DELETE_MULTI_OBJECT"
    assert operation("PUT", None, {"acl": ""}) == "REST.PUT.ACL"


def test_a_record_is_26_fields_whatever_its_values() -> None:
    record = Record("own er", "b", 0.0, "1.2.3.4", "", "tx1", "REST.GET.OBJECT",
                    "a b/\"c\"", 'GET /b/a%20b "x" HTTP/1.1', 200, "", None, 5, 3, 3,
                    "", 'agent "quoted" [x]', "", "SigV4", "AuthHeader", "host")
    parts = shlex.split(record.line().replace("[", '"').replace("]", '"'))
    assert len(parts) == 26
    assert parts[0] == "owner" and parts[2] == "01/Jan/1970:00:00:00 +0000"
    assert parts[4] == "-" and parts[7] == "a%20b/%22c%22" and parts[11] == "-"


def test_batches_roll_by_age_and_change_of_target() -> None:
    written: list[tuple[str, str, bytes]] = []
    now = [1000.0]

    async def write(config: LoggingConfig, name: str, body: bytes) -> None:
        written.append((config.target_bucket, name, body))

    async def main() -> None:
        delivery = LogDelivery(write, "us-east-1", roll_seconds=60, clock=lambda: now[0])
        first, second = LoggingConfig("l1", "AUTH_t", "a/"), LoggingConfig("l2", "AUTH_t", "")
        await delivery.add("b", "t", first, ["one", "two"])
        now[0] += 59
        await delivery.add("b", "t", first, ["three"])
        assert written == []
        now[0] += 1                                  # 60 s old: written on the next one
        await delivery.add("b", "t", first, ["four"])
        await delivery.add("b", "t", second, ["five"])   # the target changed
        await delivery.close()
        assert [(t, body) for t, _, body in written] == [
            ("l1", b"one\ntwo\nthree\n"), ("l1", b"four\n"), ("l2", b"five\n")]
        assert written[0][1].startswith("a/1970-01-01-00-")
        # two sources logging to one target and prefix share a batch (one log object)
        written.clear()
        await delivery.add("b", "t", first, ["six"])
        await delivery.add("c", "t", first, ["seven"])
        await delivery.flush(first, "c")
        assert [body for _, _, body in written] == [b"six\nseven\n"]

    asyncio.run(main())


def test_partitioned_names_carry_owner_region_bucket_and_day() -> None:
    config = LoggingConfig("l", "AUTH_t", "p/", True, "EventTime")
    name = object_name(Batch(config, "t", "src", 86400.0 * 2), "us-east-1", 86400.0 * 40)
    assert name.startswith("p/t/us-east-1/src/1970/01/03/1970-02-10-00-00-00-")
