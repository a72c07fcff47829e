"""The Swift edge's pure rules: which API a request is for, metadata limits, feature
refusals, and the name a container is registered under."""

from __future__ import annotations

from typing import Any

import pytest

from objectstore.api.metadata import user_metadata
from objectstore.api.swift_errors import FeatureNotImplemented
from objectstore.api.unsupported import (
    refuse_unknown_manifest_query,
    refuse_unsupported_headers,
)
from objectstore.endpoint import is_swift
from objectstore.errors import BadRequest
from objectstore.proxy.bucket_names import registered_name


def scope(path: str, query: str = "", **headers: str) -> dict[str, Any]:
    return {"type": "http", "path": path, "query_string": query.encode(),
            "headers": [(k.replace("_", "-").encode(), v.encode())
                        for k, v in headers.items()]}


V4 = "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, " \
     "Signature=00"


@pytest.mark.parametrize("request_scope, swift", [
    (scope("/info"), True),
    (scope("/healthcheck"), True),
    (scope("/auth/v1.0"), True),
    (scope("/v1/AUTH_test/c/o", x_auth_token="AUTH_tk1"), True),
    (scope("/v1"), True),
    (scope("//v1/AUTH_test"), True),              # a doubled slash: Swift says 404
    (scope("//v1/AUTH_test", authorization=V4), False),
    (scope("/info", authorization=V4), False),                 # bucket `info`
    (scope("/healthcheck/k", authorization="AWS k:sig"), False),
    (scope("/v1/AUTH_test", authorization=V4), False),          # bucket `v1`'s key
    (scope("/v1.0", "X-Amz-Signature=00&X-Amz-Credential=k"), False),
    (scope("/auth/v1.0", "AWSAccessKeyId=k&Signature=s&Expires=1"), False),
    (scope("/v1/AUTH_test", authorization="Bearer x"), True),   # no S3 signature
    (scope("/bucket/key"), False),
])
def test_routing_looks_at_the_whole_request(request_scope: dict[str, Any],
                                            swift: bool) -> None:
    assert is_swift(request_scope) is swift


def test_metadata_removal_and_limits() -> None:
    meta = user_metadata({"x-container-meta-a": "1", "x-remove-container-meta-b": "x",
                          "x-object-meta-c": "ignored"}, "container")
    assert meta == {"x-container-meta-a": "1", "x-container-meta-b": ""}
    with pytest.raises(BadRequest, match="max 90"):
        user_metadata({f"x-object-meta-{i}": "v" for i in range(91)}, "object")
    with pytest.raises(BadRequest, match="cannot be empty"):
        user_metadata({"x-object-meta-": "v"}, "object")


def test_feature_refusals() -> None:
    refuse_unsupported_headers("GET", "object", {"x-object-manifest": "c/p"}, "AUTH_a")
    refuse_unsupported_headers("POST", "container", {"x-container-read": ""}, "AUTH_a")
    # large objects: a DLO's manifest is set by PUT or POST; X-Static-Large-Object is ours
    refuse_unsupported_headers("PUT", "object", {"x-object-manifest": "c/p"}, "AUTH_a")
    refuse_unsupported_headers("POST", "object", {"x-object-manifest": "c/p"}, "AUTH_a")
    with pytest.raises(FeatureNotImplemented, match="X-Object-Manifest"):
        refuse_unsupported_headers("COPY", "object", {"x-object-manifest": "c/p"}, "AUTH_a")
    with pytest.raises(BadRequest, match="reserved"):
        refuse_unsupported_headers("PUT", "object", {"x-static-large-object": "1"}, "AUTH_a")
    with pytest.raises(BadRequest, match="put, get or delete"):
        refuse_unknown_manifest_query({"multipart-manifest": "yes"})


@pytest.mark.parametrize("name, key", [("photos", "photos"), ("photos+segments", "photos"),
                                       ("+segments", "+segments"), ("a+b", "a+b")])
def test_a_segments_container_is_registered_under_its_bucket(name: str, key: str) -> None:
    assert registered_name(name) == key
