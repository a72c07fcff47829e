"""PutBucketLifecycleConfiguration's document, checked as S3 checks it, and the document
GetBucketLifecycleConfiguration answers.

Errors as S3 answers them: a document of the wrong shape (unknown or repeated
elements, a Status other than Enabled/Disabled, both Filter and Prefix, an Expiration
with more or less than one of Days/Date/ExpiredObjectDeleteMarker, more than 1,000
rules) is MalformedXML; a bad value (an ID over 255 characters, two rules with one ID,
Days not a positive integer, a Date not at midnight UTC) is InvalidArgument; a rule
without an action, or an action its filter cannot go with, is InvalidRequest.
Transitions are checked, then refused (a storage class is a label here, every class
kept the same way on the ring, so a rule moving objects to another could never be
carried out). A Filter holding several
conditions side by side (Prefix, Tag and And at once: what ceph's RGW accepts) means
all of them.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from objectstore.proxy.lifecycle_rules import Configuration, Filter, Rule
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc
from objectstore.s3compat.xmlbody import parse

MAX_RULES = 1000
MAX_ID = 255
RULE_CHILDREN = {"ID", "Filter", "Prefix", "Status", "Expiration", "Transition",
                 "NoncurrentVersionExpiration", "NoncurrentVersionTransition",
                 "AbortIncompleteMultipartUpload"}
FILTER_CHILDREN = {"Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan"}


def parse_configuration(body: bytes) -> Configuration:
    root = parse(body)
    if root.tag != "LifecycleConfiguration":
        raise s3errors.MalformedXML("expected a LifecycleConfiguration")
    if any(child.tag != "Rule" for child in root):
        raise s3errors.MalformedXML("a LifecycleConfiguration holds only Rule elements")
    elements = list(root)
    if not elements or len(elements) > MAX_RULES:
        raise s3errors.MalformedXML(f"between 1 and {MAX_RULES} rules")
    rules = [_rule(e) for e in elements]
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise s3errors.InvalidArgument("Rule ID must be unique. Found same ID for more "
                                       "than one rule")
    return Configuration(tuple(rules))


def _only(parent: ET.Element, allowed: set[str], what: str) -> dict[str, ET.Element]:
    """Children by tag; MalformedXML for an unknown or repeated one."""
    found: dict[str, ET.Element] = {}
    for child in parent:
        if child.tag not in allowed or child.tag in found:
            raise s3errors.MalformedXML(f"unexpected {child.tag} in {what}")
        found[child.tag] = child
    return found


def _text(element: ET.Element) -> str:
    return (element.text or "").strip()


def _rule(element: ET.Element) -> Rule:
    parts = _only(element, RULE_CHILDREN, "Rule")
    rule_id = (parts["ID"].text or "") if "ID" in parts else ""
    if len(rule_id) > MAX_ID:
        raise s3errors.InvalidArgument("ID length should not exceed allowed limit of 255")
    rule_id = rule_id or secrets.token_urlsafe(30)        # S3 names a rule without one
    status = _text(parts["Status"]) if "Status" in parts else ""
    if status not in ("Enabled", "Disabled"):
        raise s3errors.MalformedXML("Status must be Enabled or Disabled")
    if "Filter" in parts and "Prefix" in parts:
        raise s3errors.MalformedXML("a Rule has a Filter or a Prefix, not both")
    if "Filter" in parts:
        selects = _filter(parts["Filter"])
        parts["Filter"].tail = None         # tostring writes what follows it too
        filter_xml = ET.tostring(parts["Filter"], encoding="unicode")
    else:
        selects = Filter(prefix=parts["Prefix"].text or "" if "Prefix" in parts else "")
        filter_xml = ""
    fields: dict[str, object] = {}
    if "Expiration" in parts:
        fields.update(_expiration(parts["Expiration"], selects))
    if "NoncurrentVersionExpiration" in parts:
        fields.update(_noncurrent(parts["NoncurrentVersionExpiration"]))
    if "AbortIncompleteMultipartUpload" in parts:
        if selects.tags or selects.size_greater is not None or selects.size_less is not None:
            raise s3errors.InvalidRequest("AbortIncompleteMultipartUpload cannot be "
                                          "specified with Tags or object size filters.")
        days = _days(_only(parts["AbortIncompleteMultipartUpload"], {"DaysAfterInitiation"},
                           "AbortIncompleteMultipartUpload").get("DaysAfterInitiation"),
                     "DaysAfterInitiation")
        fields["abort_days"] = days
    for name in ("Transition", "NoncurrentVersionTransition"):
        if name in parts:
            _transition(parts[name])
    if not fields and not parts.keys() & {"Transition", "NoncurrentVersionTransition"}:
        raise s3errors.InvalidRequest("At least one action needs to be specified in a "
                                      "rule")
    if parts.keys() & {"Transition", "NoncurrentVersionTransition"}:
        raise s3errors.not_implemented("lifecycle transitions (a storage class is a "
                                       "label here: every class is kept alike)")
    return Rule(id=rule_id, enabled=status == "Enabled", filter=selects,
                filter_xml=filter_xml, **fields)       # type: ignore[arg-type]


def _filter(element: ET.Element) -> Filter:
    parts = _only(element, FILTER_CHILDREN, "Filter")
    prefixes: list[str] = []
    tags: list[tuple[str, str]] = []
    greater = less = None
    if "Prefix" in parts:
        prefixes.append(parts["Prefix"].text or "")
    if "Tag" in parts:
        tags.append(_tag(parts["Tag"]))
    if "And" in parts:
        and_parts = list(parts["And"])
        for child in and_parts:
            if child.tag == "Prefix":
                prefixes.append(child.text or "")
            elif child.tag == "Tag":
                tags.append(_tag(child))
            elif child.tag in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
                size = _size(child)
                if child.tag == "ObjectSizeGreaterThan":
                    greater = size
                else:
                    less = size
            else:
                raise s3errors.MalformedXML(f"unexpected {child.tag} in And")
    if "ObjectSizeGreaterThan" in parts:
        greater = _size(parts["ObjectSizeGreaterThan"])
    if "ObjectSizeLessThan" in parts:
        less = _size(parts["ObjectSizeLessThan"])
    if greater is not None and less is not None and not greater < less:
        raise s3errors.InvalidArgument("ObjectSizeGreaterThan must be less than "
                                       "ObjectSizeLessThan")
    if len({k for k, _ in tags}) != len(tags):
        raise s3errors.InvalidArgument("Duplicate Tag Keys are not allowed.")
    # several prefixes must all hold: the longest says it all, unless they disagree
    prefixes.sort(key=len)
    if any(not prefixes[-1].startswith(p) for p in prefixes):
        prefix = "\0"           # no key can start with NUL: selects nothing
    else:
        prefix = prefixes[-1] if prefixes else ""
    return Filter(prefix=prefix, tags=tuple(tags), size_greater=greater, size_less=less)


def _tag(element: ET.Element) -> tuple[str, str]:
    parts = _only(element, {"Key", "Value"}, "Tag")
    if "Key" not in parts:
        raise s3errors.MalformedXML("a Tag needs a Key")
    key, value = parts["Key"].text or "", parts["Value"].text or "" if "Value" in parts else ""
    if not 1 <= len(key) <= 128 or len(value) > 256:
        raise s3errors.InvalidArgument("The TagKey you have provided is invalid" if
                                       not 1 <= len(key) <= 128 else
                                       "The TagValue you have provided is invalid")
    return key, value


def _size(element: ET.Element) -> int:
    text = _text(element)
    if not text.isdigit():
        raise s3errors.InvalidArgument(f"{element.tag} must be a non-negative integer")
    return int(text)


def _days(element: ET.Element | None, what: str) -> int:
    text = _text(element) if element is not None else ""
    if not text.lstrip("-").isdigit():
        raise s3errors.MalformedXML(f"{what} must be an integer")
    if int(text) <= 0:
        raise s3errors.InvalidArgument(f"'{what}' in the lifecycle action must be a "
                                       "positive integer")
    return int(text)


def _date(element: ET.Element) -> float:
    """An ISO 8601 date at midnight UTC, as Unix seconds."""
    text = _text(element)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise s3errors.InvalidArgument("Invalid date: an ISO 8601 date is expected") \
            from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    if (when.hour, when.minute, when.second, when.microsecond) != (0, 0, 0, 0):
        raise s3errors.InvalidArgument("'Date' must be at midnight GMT")
    return when.timestamp()


def _expiration(element: ET.Element, selects: Filter) -> dict[str, object]:
    parts = _only(element, {"Days", "Date", "ExpiredObjectDeleteMarker"}, "Expiration")
    if len(parts) != 1:
        raise s3errors.MalformedXML("an Expiration has one of Days, Date or "
                                    "ExpiredObjectDeleteMarker")
    if "Days" in parts:
        return {"expiration_days": _days(parts["Days"], "Days")}
    if "Date" in parts:
        return {"expiration_date": _date(parts["Date"])}
    marker = _text(parts["ExpiredObjectDeleteMarker"]).lower()
    if marker not in ("true", "false"):
        raise s3errors.MalformedXML("ExpiredObjectDeleteMarker is true or false")
    if selects.tags or selects.size_greater is not None or selects.size_less is not None:
        raise s3errors.InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with "
                                      "Tags or object size filters.")
    return {"expired_object_delete_marker": marker == "true"}


def _noncurrent(element: ET.Element) -> dict[str, object]:
    parts = _only(element, {"NoncurrentDays", "NewerNoncurrentVersions"},
                  "NoncurrentVersionExpiration")
    out: dict[str, object] = {"noncurrent_days": _days(parts.get("NoncurrentDays"),
                                                       "NoncurrentDays")}
    if "NewerNoncurrentVersions" in parts:
        newer = _text(parts["NewerNoncurrentVersions"])
        if not newer.isdigit() or not 1 <= int(newer) <= 100:
            raise s3errors.InvalidArgument("NewerNoncurrentVersions must be between 1 "
                                           "and 100")
        out["newer_noncurrent_versions"] = int(newer)
    return out


def _transition(element: ET.Element) -> None:
    """Checked as S3 checks it, so a bad one gets the same 400 as there."""
    parts = _only(element, {"Days", "Date", "StorageClass", "NoncurrentDays",
                            "NewerNoncurrentVersions"}, element.tag)
    if "Date" in parts:
        _date(parts["Date"])
    for name in ("Days", "NoncurrentDays"):
        if name in parts and not _text(parts[name]).isdigit():
            raise s3errors.InvalidArgument(f"'{name}' in a Transition action must be a "
                                           "non-negative integer")
    if "StorageClass" not in parts:
        raise s3errors.MalformedXML(f"a {element.tag} needs a StorageClass")


def configuration_xml(config: Configuration) -> bytes:
    """The stored rules as GetBucketLifecycleConfiguration answers them."""
    out = []
    for r in config.rules:
        body = el("ID", r.id)
        body += r.filter_xml if r.filter_xml else el("Prefix", r.filter.prefix)
        body += el("Status", "Enabled" if r.enabled else "Disabled")
        if r.expiration_days is not None:
            body += f"<Expiration>{el('Days', r.expiration_days)}</Expiration>"
        elif r.expiration_date is not None:
            date = datetime.fromtimestamp(r.expiration_date, UTC)
            body += f"<Expiration>{el('Date', date.strftime('%Y-%m-%dT%H:%M:%S.000Z'))}" \
                    "</Expiration>"
        elif r.expired_object_delete_marker or _had_marker_rule(r):
            body += "<Expiration>" + el("ExpiredObjectDeleteMarker",
                                        str(r.expired_object_delete_marker).lower()) \
                    + "</Expiration>"
        if r.noncurrent_days is not None:
            inner = el("NoncurrentDays", r.noncurrent_days)
            if r.newer_noncurrent_versions is not None:
                inner += el("NewerNoncurrentVersions", r.newer_noncurrent_versions)
            body += f"<NoncurrentVersionExpiration>{inner}</NoncurrentVersionExpiration>"
        if r.abort_days is not None:
            body += ("<AbortIncompleteMultipartUpload>"
                     + el("DaysAfterInitiation", r.abort_days)
                     + "</AbortIncompleteMultipartUpload>")
        out.append(f"<Rule>{body}</Rule>")
    return xml_doc("LifecycleConfiguration", "".join(out))


def _had_marker_rule(rule: Rule) -> bool:
    """A rule whose only action is ExpiredObjectDeleteMarker false still shows it."""
    return rule.noncurrent_days is None and rule.abort_days is None
