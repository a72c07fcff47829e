"""A bucket's server access logging configuration (PutBucketLogging's
BucketLoggingStatus): where its log objects go and how they are named.

Kept as JSON in the source bucket's container system metadata (it is small: a bucket
name, a prefix of at most 512 bytes, a key format), so a request to a bucket learns
whether to log from the container cache it reads anyway: one dict lookup.

What is not built is refused, never accepted and ignored: TargetGrants (grants on the
log objects) are NotImplemented; so is anything else an element of LoggingEnabled
could name (RGW's LoggingType, ObjectRollTime, Filter, ...): MalformedXML, as S3 answers
an element it does not know.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass

from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc
from objectstore.s3compat.xmlbody import parse

SYSMETA = "x-container-sysmeta-s3-logging"
MAX_PREFIX = 512
DATE_SOURCES = ("EventTime", "DeliveryTime")
ELEMENTS = {"TargetBucket", "TargetPrefix", "TargetObjectKeyFormat", "TargetGrants"}


@dataclass(frozen=True)
class LoggingConfig:
    target_bucket: str
    target_account: str         # the Swift account holding the target bucket
    prefix: str
    partitioned: bool = False   # PartitionedPrefix (else SimplePrefix)
    date_source: str = "EventTime"
    changed: str = ""           # when it was set (Last-Modified of GetBucketLogging)

    def same_as(self, other: LoggingConfig | None) -> bool:
        """The same settings (whenever they were set)."""
        return other is not None and (self.target_bucket, self.target_account, self.prefix,
                                      self.partitioned, self.date_source) == (
            other.target_bucket, other.target_account, other.prefix, other.partitioned,
            other.date_source)

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))


def decode(value: str) -> LoggingConfig | None:
    """The stored configuration ("" or damaged: none)."""
    if not value:
        return None
    try:
        return LoggingConfig(**json.loads(value))
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Asked:
    """What a PutBucketLogging body asks for (None: logging off)."""

    target_bucket: str
    prefix: str
    partitioned: bool
    date_source: str


def parse_status(body: bytes) -> Asked | None:
    root = parse(body)
    if root.tag != "BucketLoggingStatus":
        raise s3errors.MalformedXML()
    enabled = [c for c in root if c.tag == "LoggingEnabled"]
    if len(enabled) > 1 or any(c.tag != "LoggingEnabled" for c in root):
        raise s3errors.MalformedXML()
    if not enabled:
        return None
    fields = {c.tag: c for c in enabled[0]}
    if set(fields) - ELEMENTS or len(fields) != len(enabled[0]):
        raise s3errors.MalformedXML()
    if "TargetGrants" in fields and len(fields["TargetGrants"]):
        raise s3errors.not_implemented("TargetGrants (grants on log objects)")
    target = (fields["TargetBucket"].text or "").strip() if "TargetBucket" in fields else ""
    if not target:
        raise s3errors.MalformedXML("LoggingEnabled needs a TargetBucket")
    prefix = fields["TargetPrefix"].text or "" if "TargetPrefix" in fields else ""
    if len(prefix.encode()) > MAX_PREFIX:
        raise s3errors.InvalidArgument(f"TargetPrefix is longer than {MAX_PREFIX} bytes")
    partitioned, source = _key_format(fields.get("TargetObjectKeyFormat"))
    return Asked(target, prefix, partitioned, source)


def _key_format(element: ET.Element | None) -> tuple[bool, str]:
    if element is None:
        return False, "EventTime"
    kinds = list(element)
    if len(kinds) != 1 or kinds[0].tag not in ("SimplePrefix", "PartitionedPrefix"):
        raise s3errors.MalformedXML("TargetObjectKeyFormat is SimplePrefix or "
                                    "PartitionedPrefix")
    if kinds[0].tag == "SimplePrefix":
        if len(kinds[0]):
            raise s3errors.MalformedXML()
        return False, "EventTime"
    sources = [c for c in kinds[0] if c.tag == "PartitionDateSource"]
    if len(sources) != len(kinds[0]) or len(sources) > 1:
        raise s3errors.MalformedXML()
    source = (sources[0].text or "").strip() if sources else "EventTime"
    if source not in DATE_SOURCES:
        raise s3errors.MalformedXML(f"PartitionDateSource is EventTime or DeliveryTime, "
                                    f"not {source!r}")
    return True, source


def status_xml(config: LoggingConfig | None) -> bytes:
    if config is None:
        return xml_doc("BucketLoggingStatus", "")
    key_format = (f"<PartitionedPrefix>{el('PartitionDateSource', config.date_source)}"
                  "</PartitionedPrefix>" if config.partitioned else "<SimplePrefix/>")
    return xml_doc("BucketLoggingStatus", (
        f"<LoggingEnabled>{el('TargetBucket', config.target_bucket)}"
        f"{el('TargetPrefix', config.prefix)}"
        f"<TargetObjectKeyFormat>{key_format}</TargetObjectKeyFormat></LoggingEnabled>"))
