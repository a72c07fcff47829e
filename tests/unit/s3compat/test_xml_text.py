"""Every S3 XML document we write is well-formed, whatever the key holds."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from objectstore.s3compat.responses import el, error_xml, xml_safe


@pytest.mark.parametrize(("key", "read_back"), [
    ("plain <&>", "plain <&>"), ("tab\there\nlf", "tab\there\nlf"), ("cr\rkey", "cr\rkey"),
    ("a\x01b", "a\ufffdb"), ("\x1f", "\ufffd"), ("\x00", "\ufffd"), ("\ufffe", "\ufffd"),
    ("x\udcffy", "x\ufffdy"), ("\U0001f600", "\U0001f600")])
def test_text_is_well_formed_and_kept_where_xml_can_carry_it(key: str, read_back: str
                                                             ) -> None:
    assert ET.fromstring(f"<Key>{el('Key', key)[5:-6]}</Key>".encode()).text == read_back
    doc = ET.fromstring(error_xml("NoSuchKey", f"no {key}", f"/b/{key}", "ID"))
    assert doc.findtext("Resource") == f"/b/{read_back}"
    assert xml_safe(key) == (key == read_back)
