"""Which class each API operation is counted in (usage-api.md's five)."""

from __future__ import annotations

import pytest

from objectstore.usage.classes import CLASSES, operation_class


@pytest.mark.parametrize(("api", "operation", "expected"), [
    ("s3", "REST.GET.OBJECT", "read"), ("s3", "REST.HEAD.OBJECT", "read"),
    ("s3", "REST.PUT.OBJECT", "write"), ("s3", "REST.POST.OBJECT", "write"),
    ("s3", "REST.PUT.PART", "write"), ("s3", "REST.POST.UPLOADS", "write"),
    ("s3", "REST.POST.UPLOAD", "write"),
    ("s3", "REST.GET.BUCKET", "list"), ("s3", "REST.GET.SERVICE", "list"),
    ("s3", "REST.GET.BUCKETVERSIONS", "list"), ("s3", "REST.GET.UPLOADS", "list"),
    ("s3", "REST.GET.UPLOAD", "list"),
    ("s3", "REST.DELETE.OBJECT", "delete"), ("s3", "REST.POST.DELETE_MULTI_OBJECT", "delete"),
    ("s3", "REST.DELETE.UPLOAD", "delete"),
    ("s3", "REST.PUT.BUCKET", "other"), ("s3", "REST.GET.ACL", "other"),
    ("s3", "REST.PUT.BUCKETPOLICY", "other"), ("s3", "REST.GET.OBJECT_TAGGING", "other"),
    ("s3", "REST.HEAD.BUCKET", "other"), ("s3", "REST.DELETE.BUCKET", "other"),
    ("swift", "GET object", "read"), ("swift", "HEAD object", "read"),
    ("swift", "PUT object", "write"), ("swift", "POST object", "write"),
    ("swift", "COPY object", "write"),
    ("swift", "GET container", "list"), ("swift", "GET account", "list"),
    ("swift", "DELETE object", "delete"),
    ("swift", "bulk-delete", "delete"),
    ("swift", "extract-archive", "write"),
    ("swift", "PUT container", "other"), ("swift", "HEAD account", "other"),
    ("swift", "auth", "other"), ("swift", "DELETE container", "other"),
    ("admin", "GET usage", "other"), ("", "", "other"),
])
def test_operation_classes(api: str, operation: str, expected: str) -> None:
    assert operation_class(api, operation) == expected
    assert expected in CLASSES
