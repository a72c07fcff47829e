"""Which IAM action each S3 request is, on which resource, with which condition keys."""

from __future__ import annotations

import pytest

from objectstore.proxy.policy import Requester
from objectstore.proxy.policy.actions import kind_of
from objectstore.s3compat.policy_actions import BUCKET_ACTIONS, OBJECT_ACTIONS
from objectstore.s3compat.policy_requests import (
    Caller,
    delete_object_request,
    policy_requests,
    principal_keys,
)

CALLER = Caller(Requester("test2", "bob"), source_ip="192.0.2.1", secure=True,
                signature_version="AWS4-HMAC-SHA256", auth_type="REST-HEADER",
                bucket_owner="test")
NOW = 1_700_000_000.0


def first(method: str, key: str | None, params: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> tuple[str, str]:
    out = policy_requests(method, "b", key, params or {}, headers or {}, CALLER, now=NOW)
    return out[0].action, out[0].resource


@pytest.mark.parametrize(("method", "params", "action"), [
    ("GET", {}, "s3:ListBucket"), ("HEAD", {}, "s3:ListBucket"),
    ("GET", {"list-type": "2"}, "s3:ListBucket"), ("PUT", {}, "s3:CreateBucket"),
    ("DELETE", {}, "s3:DeleteBucket"), ("GET", {"versions": ""}, "s3:ListBucketVersions"),
    ("GET", {"uploads": ""}, "s3:ListBucketMultipartUploads"),
    ("GET", {"location": ""}, "s3:GetBucketLocation"), ("GET", {"acl": ""}, "s3:GetBucketAcl"),
    ("PUT", {"acl": ""}, "s3:PutBucketAcl"),
    ("GET", {"versioning": ""}, "s3:GetBucketVersioning"),
    ("PUT", {"versioning": ""}, "s3:PutBucketVersioning"),
    ("GET", {"tagging": ""}, "s3:GetBucketTagging"),
    ("DELETE", {"tagging": ""}, "s3:PutBucketTagging"),
    ("GET", {"lifecycle": ""}, "s3:GetLifecycleConfiguration"),
    ("DELETE", {"lifecycle": ""}, "s3:PutLifecycleConfiguration"),
    ("GET", {"object-lock": ""}, "s3:GetBucketObjectLockConfiguration"),
    ("PUT", {"object-lock": ""}, "s3:PutBucketObjectLockConfiguration"),
    ("GET", {"policy": ""}, "s3:GetBucketPolicy"), ("PUT", {"policy": ""}, "s3:PutBucketPolicy"),
    ("DELETE", {"policy": ""}, "s3:DeleteBucketPolicy"),
    ("GET", {"policyStatus": ""}, "s3:GetBucketPolicyStatus"),
    ("GET", {"publicAccessBlock": ""}, "s3:GetBucketPublicAccessBlock"),
    ("DELETE", {"publicAccessBlock": ""}, "s3:PutBucketPublicAccessBlock"),
    ("PUT", {"ownershipControls": ""}, "s3:PutBucketOwnershipControls"),
    ("GET", {"cors": ""}, "s3:GetBucketCORS")])
def test_bucket_actions(method: str, params: dict[str, str], action: str) -> None:
    assert first(method, None, params) == (action, "arn:aws:s3:::b")


@pytest.mark.parametrize(("method", "params", "action"), [
    ("GET", {}, "s3:GetObject"), ("HEAD", {}, "s3:GetObject"),
    ("GET", {"versionId": "v"}, "s3:GetObjectVersion"), ("PUT", {}, "s3:PutObject"),
    ("DELETE", {}, "s3:DeleteObject"), ("DELETE", {"versionId": "v"}, "s3:DeleteObjectVersion"),
    ("GET", {"attributes": ""}, "s3:GetObjectAttributes"),
    ("GET", {"attributes": "", "versionId": "v"}, "s3:GetObjectVersionAttributes"),
    ("GET", {"acl": ""}, "s3:GetObjectAcl"), ("PUT", {"acl": ""}, "s3:PutObjectAcl"),
    ("PUT", {"acl": "", "versionId": "v"}, "s3:PutObjectVersionAcl"),
    ("GET", {"tagging": ""}, "s3:GetObjectTagging"),
    ("PUT", {"tagging": "", "versionId": "v"}, "s3:PutObjectVersionTagging"),
    ("DELETE", {"tagging": ""}, "s3:DeleteObjectTagging"),
    ("GET", {"retention": ""}, "s3:GetObjectRetention"),
    ("PUT", {"legal-hold": ""}, "s3:PutObjectLegalHold"),
    ("POST", {"uploads": ""}, "s3:PutObject"),
    ("PUT", {"partNumber": "1", "uploadId": "u"}, "s3:PutObject"),
    ("POST", {"uploadId": "u"}, "s3:PutObject"),
    ("DELETE", {"uploadId": "u"}, "s3:AbortMultipartUpload"),
    ("GET", {"uploadId": "u"}, "s3:ListMultipartUploadParts")])
def test_object_actions(method: str, params: dict[str, str], action: str) -> None:
    assert first(method, "a/k", params) == (action, "arn:aws:s3:::b/a/k")


def test_what_no_bucket_policy_governs() -> None:
    assert policy_requests("PATCH", "b", "k", {}, {}, CALLER) == []
    assert policy_requests("POST", "b", None, {"delete": ""}, {}, CALLER) == []


def test_common_keys() -> None:
    keys = policy_requests("GET", "b", "k", {}, {"Referer": "http://r/", "User-Agent": "ua",
                                                 "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"},
                           CALLER, now=NOW)[0].keys
    assert keys["aws:currenttime"] == ("2023-11-14T22:13:20Z",)
    assert keys["aws:epochtime"] == ("1700000000",)
    assert keys["aws:securetransport"] == ("true",)
    assert keys["aws:sourceip"] == ("192.0.2.1",)
    assert keys["aws:referer"] == ("http://r/",) and keys["aws:useragent"] == ("ua",)
    assert keys["s3:x-amz-content-sha256"] == ("UNSIGNED-PAYLOAD",)
    assert keys["s3:signatureversion"] == ("AWS4-HMAC-SHA256",)
    assert keys["s3:authtype"] == ("REST-HEADER",)
    assert keys["s3:resourceaccount"] == ("test",)
    assert keys["aws:username"] == ("bob",) and keys["aws:principaltype"] == ("User",)
    assert keys["aws:principalarn"] == ("arn:aws:iam::test2:user/bob",)
    assert "s3:prefix" not in keys and "s3:x-amz-acl" not in keys


def test_principal_keys() -> None:
    anonymous = principal_keys(Requester(None))
    assert anonymous["aws:principaltype"] == ("Anonymous",)
    assert anonymous["aws:userid"] == ("anonymous",) and "aws:username" not in anonymous
    account = principal_keys(Requester("test"))
    assert account["aws:principaltype"] == ("Account",) and "aws:username" not in account
    assert account["aws:principalaccount"] == ("test",)
    service = principal_keys(Requester(None, service="logging.s3.amazonaws.com"))
    assert service["aws:principaltype"] == ("AWSService",)


def test_list_keys_only_on_listings() -> None:
    params = {"prefix": "p/", "delimiter": "/", "max-keys": "10"}
    keys = policy_requests("GET", "b", None, params, {}, CALLER)[0].keys
    assert (keys["s3:prefix"], keys["s3:delimiter"], keys["s3:max-keys"]) == (
        ("p/",), ("/",), ("10",))
    versions = policy_requests("GET", "b", None, {**params, "versions": ""}, {}, CALLER)
    assert versions[0].keys["s3:prefix"] == ("p/",)
    uploads = policy_requests("GET", "b", None, {**params, "uploads": ""}, {}, CALLER)
    assert "s3:prefix" not in uploads[0].keys


def test_write_keys() -> None:
    headers = {"x-amz-acl": "public-read", "x-amz-grant-read": "id=a, id=b",
               "x-amz-server-side-encryption": "aws:kms",
               "x-amz-server-side-encryption-aws-kms-key-id": "k1",
               "x-amz-storage-class": "STANDARD", "x-amz-object-lock-mode": "GOVERNANCE",
               "x-amz-object-lock-retain-until-date": "2023-11-24T22:13:20Z",
               "If-None-Match": "*"}
    keys = policy_requests("PUT", "b", "k", {}, headers, CALLER, now=NOW)[0].keys
    assert keys["s3:x-amz-acl"] == ("public-read",)
    assert keys["s3:x-amz-grant-read"] == ("id=a", "id=b")
    assert keys["s3:x-amz-server-side-encryption"] == ("aws:kms",)
    assert keys["s3:x-amz-server-side-encryption-aws-kms-key-id"] == ("k1",)
    assert keys["s3:x-amz-storage-class"] == ("STANDARD",)
    assert keys["s3:object-lock-mode"] == ("GOVERNANCE",)
    assert keys["s3:object-lock-remaining-retention-days"] == ("10",)
    assert keys["s3:if-none-match"] == ("*",)
    reads = policy_requests("GET", "b", "k", {}, headers, CALLER)[0].keys
    assert "s3:x-amz-acl" not in reads


def test_version_and_tags() -> None:
    out = policy_requests("PUT", "b", "k", {}, {"x-amz-tagging": "a=1&b=&c=x%20y"}, CALLER)
    keys = out[0].keys
    assert keys["s3:requestobjecttag/a"] == ("1",) and keys["s3:requestobjecttag/b"] == ("",)
    assert keys["s3:requestobjecttag/c"] == ("x y",)
    assert keys["s3:requestobjecttagkeys"] == ("a", "b", "c")
    assert [r.role for r in out] == ["request", "tagging"]
    tagged = policy_requests("GET", "b", "k", {"versionId": "v1"}, {}, CALLER,
                             existing_tags={"Security": "public"})[0].keys
    assert tagged["s3:existingobjecttag/security"] == ("public",)
    assert tagged["s3:versionid"] == ("v1",)
    body = policy_requests("PUT", "b", "k", {"tagging": ""}, {}, CALLER,
                           request_tags={"t": "v"})[0].keys
    assert body["s3:requestobjecttag/t"] == ("v",)


def test_a_copy_reads_its_source() -> None:
    out = policy_requests("PUT", "dest", "k", {}, {"x-amz-copy-source": "/src/a%2Fb?versionId=v9",
                                                   "x-amz-metadata-directive": "REPLACE"},
                          CALLER)
    put, source = out
    assert (put.action, put.resource) == ("s3:PutObject", "arn:aws:s3:::dest/k")
    assert put.keys["s3:x-amz-copy-source"] == ("src/a/b",)
    assert put.keys["s3:x-amz-metadata-directive"] == ("REPLACE",)
    assert (source.action, source.resource) == ("s3:GetObjectVersion", "arn:aws:s3:::src/a/b")
    assert source.keys["s3:versionid"] == ("v9",) and "s3:x-amz-copy-source" not in source.keys


def test_bypass_and_deletes() -> None:
    out = policy_requests("DELETE", "b", "k", {"versionId": "v"},
                          {"x-amz-bypass-governance-retention": "true"}, CALLER)
    assert [r.action for r in out] == ["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"]
    one = delete_object_request("b", "k", None, CALLER)
    assert (one.action, one.resource) == ("s3:DeleteObject", "arn:aws:s3:::b/k")
    assert delete_object_request("b", "k", "v", CALLER).action == "s3:DeleteObjectVersion"


def test_every_action_is_one_s3_knows() -> None:
    for action in BUCKET_ACTIONS.values():
        assert kind_of(action) in ("bucket", "object"), action
    for pair in OBJECT_ACTIONS.values():
        for action in pair:
            assert kind_of(action) == "object", action
