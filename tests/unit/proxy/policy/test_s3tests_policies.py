"""Every policy document of ceph/s3-tests' test_s3.py, parsed as S3 would, with the
requests those tests make evaluated and what AWS decides asserted. `main` is the
bucket's owner (account test), `alt` another account (test2), `tenant` the account
s3-tests calls s3tenant1. Wiring (who owns what, ACLs, the root's exemption for the
policy calls, PublicAccessBlock) is the caller's; this is the policy's part."""

from __future__ import annotations

import json
import re

import pytest

from objectstore.proxy.policy import (
    Decision,
    MalformedPolicy,
    Policy,
    RequestContext,
    Requester,
    evaluate,
    is_public,
    parse_policy,
)
from objectstore.proxy.policy import errors as msg
from objectstore.s3compat.policy_requests import (
    Caller,
    PolicyRequest,
    missing_object_request,
    policy_requests,
)

ALLOW, DENY, NONE = Decision.ALLOW, Decision.DENY, Decision.NONE
MAIN, ALT, TENANT, ANON = (Requester("test"), Requester("test2"), Requester("s3tenant1"),
                           Requester(None))
B, B2 = "bucket", "bucket2"


def make_json_policy(action: str, resource: str, principal: object = None,
                     effect: str = "Allow", conditions: object = None) -> str:
    """s3-tests' helper of the same name (policy.py)."""
    s: dict[str, object] = {"Action": action, "Principal": principal or {"AWS": "*"},
                            "Effect": effect, "Resource": resource}
    if conditions is not None:
        s["Condition"] = conditions
    return json.dumps({"Version": "2012-10-17", "Statement": [s]})


def statements(*items: dict[str, object]) -> str:
    """s3-tests' Policy().add_statement(Statement(...)) documents."""
    out = []
    for item in items:
        s = {"Action": item["action"], "Principal": {"AWS": "*"},
             "Effect": item.get("effect", "Allow"), "Resource": item["resource"]}
        if "condition" in item:
            s["Condition"] = item["condition"]
        out.append(s)
    return json.dumps({"Version": "2012-10-17", "Statement": out})


def list_policy(bucket: str, effect: str = "Allow", condition: object = None) -> str:
    s: dict[str, object] = {"Effect": effect, "Principal": {"AWS": "*"},
                            "Action": "s3:ListBucket",
                            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}
    if condition is not None:
        s["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [s]})


def decide(policy: Policy, method: str, key: str | None, who: Requester = ALT,
           headers: dict[str, str] | None = None, params: dict[str, str] | None = None,
           bucket: str = B, **extra: object) -> Decision:
    """The policy's decision on the request's first action (what it is)."""
    request = requests(method, key, who, headers, params, bucket, **extra)[0]
    return evaluate(policy, request.context(who))


def requests(method: str, key: str | None, who: Requester = ALT,
             headers: dict[str, str] | None = None, params: dict[str, str] | None = None,
             bucket: str = B, **extra: object) -> list[PolicyRequest]:
    caller = Caller(who, source_ip="127.0.0.1", signature_version=None if who.anonymous
                    else "AWS4-HMAC-SHA256", auth_type=None if who.anonymous
                    else "REST-HEADER", bucket_owner="test")
    return policy_requests(method, bucket, key, params or {}, headers or {}, caller,
                           **extra)  # type: ignore[arg-type]


def test_bucket_policy_and_v2_and_tenants() -> None:
    """test_bucket_policy, test_bucketv2_policy, test_bucket_policy_different_tenant,
    test_bucket_policy_tenanted_bucket, test_set_get_del_bucket_policy: a listing by
    anyone is allowed."""
    text = list_policy(B)
    p = parse_policy(text, B)
    assert p.text == text                      # GetBucketPolicy answers it as put
    for who in (ALT, TENANT, ANON):
        assert decide(p, "GET", None, who) is ALLOW
        assert decide(p, "GET", None, who, params={"list-type": "2"}) is ALLOW
    assert decide(p, "GET", "asdf") is NONE     # listing only, not reading
    assert is_public(p)                         # test_get_publicpolicy_acl_bucket_policy_status


def test_bucket_policy_deny_self_denied_policy() -> None:
    """Deny to everyone of the policy calls: the owner's root is exempt by S3's rule
    (the caller's), everyone else denied."""
    p = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*",
        "Action": ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
        "Resource": [f"arn:aws:s3:::{B}", f"arn:aws:s3:::{B}/*"]}]}), B)
    for method in ("GET", "PUT", "DELETE"):
        assert decide(p, method, None, Requester("test", "iamuser"),
                      params={"policy": ""}) is DENY
        assert decide(p, method, None, MAIN, params={"policy": ""}) is DENY
    assert decide(p, "GET", None, MAIN) is NONE


def test_bucket_policy_acl() -> None:
    """test_bucket_policy_acl, test_bucketv2_policy_acl: a Deny beats the ACL's grant."""
    p = parse_policy(list_policy(B, "Deny"), B)
    assert decide(p, "GET", None) is DENY
    assert decide(p, "GET", None, params={"list-type": "2"}) is DENY


def test_bucket_policy_multipart() -> None:
    """s3:PutObject on the bucket's ARN: S3 refuses the statement (the test expects it
    accepted: the check can be left out, and then it grants nothing); on the object's
    ARN it grants CreateMultipartUpload."""
    on_bucket = make_json_policy("s3:PutObject", f"arn:aws:s3:::{B}")
    with pytest.raises(MalformedPolicy, match=re.escape(msg.ACTION_RESOURCE_MISMATCH)):
        parse_policy(on_bucket, B)
    lenient = parse_policy(on_bucket, B, check_action_resources=False)
    assert decide(lenient, "POST", "mpobj", params={"uploads": ""}) is NONE
    p = parse_policy(make_json_policy("s3:PutObject", f"arn:aws:s3:::{B}/mpobj"), B)
    assert decide(p, "POST", "mpobj", params={"uploads": ""}) is ALLOW
    assert decide(p, "POST", "other", params={"uploads": ""}) is NONE


def test_bucket_policy_another_bucket() -> None:
    """test_bucket_policy_another_bucket and v2: `arn:aws:s3:::*` fits any bucket."""
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:ListBucket",
        "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]}]})
    for bucket in (B, B2):
        p = parse_policy(doc, bucket)
        assert decide(p, "GET", None, bucket=bucket) is ALLOW


def test_bucket_policy_set_condition_operator_end_with_if_exists() -> None:
    p = parse_policy("""{
      "Version":"2012-10-17",
      "Statement": [{
        "Sid": "Allow Public Access to All Objects",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Condition": {"StringLikeIfExists": {"aws:Referer": "http://www.example.com/*"}},
        "Resource": "arn:aws:s3:::BUCKET/*"
      }]
    }""".replace("BUCKET", B), B)
    for referer, expected in (("http://www.example.com/", ALLOW),
                              ("http://www.example.com/index.html", ALLOW),
                              ("http://example.com", NONE)):
        assert decide(p, "GET", "foo", MAIN, {"Referer": referer}) is expected
    assert decide(p, "GET", "foo", MAIN) is ALLOW          # no Referer: IfExists holds


@pytest.mark.parametrize(("action", "method"), [
    ("s3:GetObjectTagging", "GET"), ("s3:PutObjectTagging", "PUT"),
    ("s3:DeleteObjectTagging", "DELETE")])
def test_tags_acl_public(action: str, method: str) -> None:
    """test_get_tags_acl_public, test_put_tags_acl_public, test_delete_tags_obj_public."""
    p = parse_policy(make_json_policy(action, f"arn:aws:s3:::{B}/key"), B)
    assert decide(p, method, "key", params={"tagging": ""}) is ALLOW
    assert decide(p, method, "key") is NONE
    assert decide(p, method, "other", params={"tagging": ""}) is NONE


TAGS = {"publictag": {"security": "public", "foo": "bar"},
        "privatetag": {"security": "private"}, "invalidtag": {"security1": "public"}}
EXISTING = {"StringEquals": {"s3:ExistingObjectTag/security": "public"}}


def test_bucket_policy_get_obj_existing_tag() -> None:
    p = parse_policy(make_json_policy("s3:GetObject", f"arn:aws:s3:::{B}/*",
                                      conditions=EXISTING), B)
    assert "s3:existingobjecttag/security" in p.condition_keys
    expected = {"publictag": ALLOW, "privatetag": NONE, "invalidtag": NONE}
    for key, tags in TAGS.items():
        assert decide(p, "GET", key, existing_tags=tags) is expected[key]


def test_bucket_policy_get_obj_tagging_existing_tag() -> None:
    p = parse_policy(make_json_policy("s3:GetObjectTagging", f"arn:aws:s3:::{B}/*",
                                      conditions=EXISTING), B)
    tagging = {"tagging": ""}
    assert decide(p, "GET", "publictag", params=tagging,
                  existing_tags=TAGS["publictag"]) is ALLOW
    assert decide(p, "GET", "publictag", existing_tags=TAGS["publictag"]) is NONE
    for key in ("privatetag", "invalidtag"):
        assert decide(p, "GET", key, params=tagging, existing_tags=TAGS[key]) is NONE


def test_bucket_policy_get_obj_acl_existing_tag() -> None:
    p = parse_policy(make_json_policy("s3:GetObjectAcl", f"arn:aws:s3:::{B}/*",
                                      conditions=EXISTING), B)
    assert decide(p, "GET", "publictag", params={"acl": ""},
                  existing_tags=TAGS["publictag"]) is ALLOW
    assert decide(p, "GET", "publictag", existing_tags=TAGS["publictag"]) is NONE
    assert decide(p, "GET", "privatetag", params={"tagging": ""},
                  existing_tags=TAGS["privatetag"]) is NONE


def test_bucket_policy_put_obj_tagging_existing_tag() -> None:
    """A tag change is judged by the tags the object has before it."""
    p = parse_policy(make_json_policy("s3:PutObjectTagging", f"arn:aws:s3:::{B}/*",
                                      conditions=EXISTING), B)
    tagging = {"tagging": ""}
    public, private = {"security": "public", "foo": "bar"}, {"security": "private"}
    assert decide(p, "PUT", "publictag", params=tagging, existing_tags=public,
                  request_tags=public) is ALLOW
    assert decide(p, "PUT", "privatetag", params=tagging, existing_tags=private,
                  request_tags=public) is NONE
    assert decide(p, "PUT", "publictag", params=tagging, existing_tags=public,
                  request_tags=private) is ALLOW
    assert decide(p, "PUT", "publictag", params=tagging, existing_tags=private,
                  request_tags=public) is NONE


def test_bucket_policy_upload_part_copy() -> None:
    """The source of an UploadPartCopy is read with s3:GetObject."""
    p = parse_policy(make_json_policy("s3:GetObject", f"arn:aws:s3:::{B}/public/*"), B)
    for key, expected in (("public/foo", ALLOW), ("public/bar", ALLOW),
                          ("private/foo", NONE)):
        out = requests("PUT", "new_foo", params={"partNumber": "1", "uploadId": "u"},
                       headers={"x-amz-copy-source": f"{B}/{key}"}, bucket=B2)
        assert [r.action for r in out] == ["s3:PutObject", "s3:GetObject"]
        source = out[1]
        assert (source.role, source.bucket, source.key) == ("copy-source", B, key)
        assert evaluate(p, source.context(ALT)) is expected


def test_bucket_policy_put_obj_copy_source() -> None:
    src = parse_policy(make_json_policy("s3:GetObject", f"arn:aws:s3:::{B}/*"), B)
    dest = parse_policy(make_json_policy(
        "s3:PutObject", f"arn:aws:s3:::{B2}/*",
        conditions={"StringLike": {"s3:x-amz-copy-source": f"{B}/public/*"}}), B2)
    for key, expected in (("public/foo", ALLOW), ("public/bar", ALLOW),
                          ("private/foo", NONE)):
        put, source = requests("PUT", "new_foo", headers={"x-amz-copy-source": f"{B}/{key}"},
                               bucket=B2)
        assert evaluate(dest, put.context(ALT)) is expected
        assert evaluate(src, source.context(ALT)) is ALLOW
    put, _ = requests("PUT", "new", headers={"x-amz-copy-source": f"/{B}/public/a%20b"},
                      bucket=B2)
    assert put.keys["s3:x-amz-copy-source"] == (f"{B}/public/a b",)


def test_bucket_policy_put_obj_copy_source_meta() -> None:
    dest = parse_policy(make_json_policy(
        "s3:PutObject", f"arn:aws:s3:::{B2}/*",
        conditions={"StringEquals": {"s3:x-amz-metadata-directive": "COPY"}}), B2)
    copy = {"x-amz-copy-source": f"{B}/public/foo", "x-amz-metadata-directive": "COPY"}
    assert decide(dest, "PUT", "new_foo", headers=copy, bucket=B2) is ALLOW
    del copy["x-amz-metadata-directive"]
    assert decide(dest, "PUT", "new_foo2", headers=copy, bucket=B2) is NONE


def test_bucket_policy_put_obj_acl() -> None:
    resource = f"arn:aws:s3:::{B}/*"
    p = parse_policy(statements(
        {"action": "s3:PutObject", "resource": resource},
        {"action": "s3:PutObject", "resource": resource, "effect": "Deny",
         "condition": {"StringLike": {"s3:x-amz-acl": "public*"}}}), B)
    assert decide(p, "PUT", "private-key") is ALLOW
    assert decide(p, "PUT", "public-key", headers={"x-amz-acl": "public-read"}) is DENY


def test_bucket_policy_put_obj_grant() -> None:
    owner = "id=" + "main-canonical-id"
    p = parse_policy(make_json_policy(
        "s3:PutObject", f"arn:aws:s3:::{B}/*",
        conditions={"StringEquals": {"s3:x-amz-grant-full-control": owner}}), B)
    p2 = parse_policy(make_json_policy("s3:PutObject", f"arn:aws:s3:::{B2}/*"), B2)
    assert decide(p, "PUT", "key1", headers={"x-amz-grant-full-control": owner}) is ALLOW
    assert decide(p, "PUT", "key1") is NONE
    assert decide(p2, "PUT", "key2", bucket=B2) is ALLOW


NULL_SSE = {"Null": {"s3:x-amz-server-side-encryption": "true"}}


def test_bucket_policy_put_obj_s3_noenc() -> None:
    p = parse_policy(statements({"action": "s3:PutObject", "resource": f"arn:aws:s3:::{B}/*",
                                 "effect": "Deny", "condition": NULL_SSE}), B)
    assert decide(p, "PUT", "testobj", MAIN) is DENY
    assert decide(p, "PUT", "testobj", MAIN,
                  {"x-amz-server-side-encryption": "AES256"}) is NONE


def _deny_algo(algo: str, with_null: bool) -> Policy:
    resource = f"arn:aws:s3:::{B}/*"
    items = [{"action": "s3:PutObject", "resource": resource, "effect": "Deny",
              "condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": algo}}}]
    if with_null:
        items.append({"action": "s3:PutObject", "resource": resource, "effect": "Deny",
                      "condition": NULL_SSE})
    return parse_policy(statements(*items), B)


def test_bucket_policy_put_obj_s3_incorrect_algo_sse_s3() -> None:
    p = _deny_algo("AES256", with_null=False)
    assert decide(p, "PUT", "o", MAIN, {"x-amz-server-side-encryption": "AES192"}) is DENY
    assert decide(p, "PUT", "o", MAIN, {"x-amz-server-side-encryption": "AES256"}) is NONE


def test_bucket_policy_put_obj_s3_kms() -> None:
    p = _deny_algo("AES256", with_null=True)
    kms = {"x-amz-server-side-encryption": "aws:kms",
           "x-amz-server-side-encryption-aws-kms-key-id": "testkey-1"}
    assert decide(p, "PUT", "o", MAIN, kms) is DENY


def test_bucket_policy_put_obj_kms_noenc() -> None:
    p = _deny_algo("aws:kms", with_null=True)
    kms = {"x-amz-server-side-encryption": "aws:kms",
           "x-amz-server-side-encryption-aws-kms-key-id": "testkey-1"}
    assert decide(p, "PUT", "o", MAIN, kms) is NONE
    assert decide(p, "PUT", "unicorn", MAIN) is DENY


def test_bucket_policy_put_obj_kms_s3() -> None:
    p = _deny_algo("aws:kms", with_null=True)
    assert decide(p, "PUT", "o", MAIN, {"x-amz-server-side-encryption": "AES256"}) is DENY


def test_bucket_policy_put_obj_request_obj_tag() -> None:
    p = parse_policy(statements({
        "action": "s3:PutObject", "resource": f"arn:aws:s3:::{B}/*",
        "condition": {"StringEquals": {"s3:RequestObjectTag/security": "public"}}}), B)
    assert decide(p, "PUT", "testobj") is NONE
    assert decide(p, "PUT", "testobj", headers={"x-amz-tagging": "security=public"}) is ALLOW
    assert decide(p, "PUT", "testobj", headers={"x-amz-tagging": "security=private"}) is NONE
    out = requests("PUT", "testobj", headers={"x-amz-tagging": "security=public"})
    assert [r.action for r in out] == ["s3:PutObject", "s3:PutObjectTagging"]


def test_encryption_sse_c_enforced_with_bucket_policy() -> None:
    p = parse_policy(statements({
        "action": "s3:PutObject", "resource": f"arn:aws:s3:::{B}/*", "effect": "Deny",
        "condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm":
                               "true"}}}), B)
    assert decide(p, "PUT", "foo", MAIN) is DENY
    sse_c = {"x-amz-server-side-encryption-customer-algorithm": "AES256"}
    assert decide(p, "PUT", "foo", MAIN, sse_c) is NONE


def test_encryption_sse_c_deny_algo_with_bucket_policy() -> None:
    p = parse_policy(statements({
        "action": "s3:PutObject", "resource": f"arn:aws:s3:::{B}/*", "effect": "Deny",
        "condition": {"StringNotEquals": {
            "s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}}}), B)
    header = "x-amz-server-side-encryption-customer-algorithm"
    assert decide(p, "PUT", "foo", MAIN, {header: "AES192"}) is DENY
    assert decide(p, "PUT", "foo", MAIN, {header: "AES256"}) is NONE


def test_get_nonpublicpolicy_acl_bucket_policy_status() -> None:
    p = parse_policy(list_policy(B, condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/32"}}),
                     B)
    assert not is_public(p)
    assert decide(p, "GET", None) is NONE           # the request comes from 127.0.0.1


def test_get_nonpublicpolicy_principal_bucket_policy_status() -> None:
    p = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::s3tenant1:root"},
        "Action": "s3:ListBucket",
        "Resource": [f"arn:aws:s3:::{B}", f"arn:aws:s3:::{B}/*"]}]}), B)
    assert not is_public(p)
    assert decide(p, "GET", None, TENANT) is ALLOW
    assert decide(p, "GET", None, ALT) is NONE


def test_bucket_policy_allow_notprincipal() -> None:
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::s3tenant1:root"},
        "Action": "s3:ListBucket",
        "Resource": [f"arn:aws:s3:::{B}", f"arn:aws:s3:::{B}/*"]}]})
    with pytest.raises(MalformedPolicy):
        parse_policy(doc, B)


def test_get_public_block_deny_bucket_policy() -> None:
    p = parse_policy(make_json_policy("s3:GetBucketPublicAccessBlock", f"arn:aws:s3:::{B}",
                                      effect="Deny"), B)
    assert decide(p, "GET", None, MAIN, params={"publicAccessBlock": ""}) is DENY


def test_block_public_policy() -> None:
    """test_block_public_policy, test_block_public_restrict_public_buckets: public;
    test_block_public_policy_with_principal: not."""
    public = parse_policy(make_json_policy("s3:GetObject", f"arn:aws:s3:::{B}/*"), B)
    assert is_public(public)
    assert decide(public, "GET", "foo", ANON) is ALLOW
    named = parse_policy(make_json_policy("s3:GetObject", f"arn:aws:s3:::{B}/*",
                                          principal={"AWS": "arn:aws:iam::s3tenant1:root"}),
                         B)
    assert not is_public(named)


def test_multipart_upload_on_a_bucket_with_policy() -> None:
    """Also public_bucket_policy(): `"Action": "*"` on the bucket and its objects."""
    p = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*",
        "Resource": [f"arn:aws:s3:::{B}", f"arn:aws:s3:::{B}/*"]}]}), B)
    for method, params in (("POST", {"uploads": ""}),
                           ("PUT", {"partNumber": "1", "uploadId": "u"}),
                           ("POST", {"uploadId": "u"})):
        assert decide(p, method, "foo", MAIN, params=params) is ALLOW
    assert is_public(p)


def test_head_object_404_with_policy_prefix() -> None:
    p = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{B}",
        "Condition": {"StringLike": {"s3:prefix": "public/*"}}}]}), B)
    caller = Caller(ALT, signature_version="AWS4-HMAC-SHA256", auth_type="REST-HEADER")
    for key, expected in (("public/object", ALLOW), ("private/object", NONE)):
        assert evaluate(p, missing_object_request(B, key, caller).context(ALT)) is expected
    assert decide(p, "HEAD", "public/object") is NONE      # reading needs s3:GetObject


def test_bucket_logging_policies() -> None:
    """_set_log_bucket_policy, _bucket_logging_permission_change: the logging service
    may write under the prefix for the source buckets it names (several statements:
    under distinct Sids here, which S3 insists on)."""
    def statement(sid: str, src: str, account: str) -> dict[str, object]:
        return {"Sid": sid, "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{B}/log/",
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{src}"},
                              "StringEquals": {"aws:SourceAccount": account}}}
    p = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        statement("one", "src", "test"), statement("two", "src2", "test2")]}), B)
    logger = Requester(None, service="logging.s3.amazonaws.com")
    ctx = requests("PUT", "log/", logger)[0].context(logger)
    for src, account, expected in (("src", "test", ALLOW), ("src2", "test2", ALLOW),
                                   ("kaboom", "test", NONE), ("src", "test2", NONE)):
        keys = {**ctx.keys, "aws:SourceArn": (f"arn:aws:s3:::{src}",),
                "aws:SourceAccount": (account,)}
        assert evaluate(p, RequestContext(logger, ctx.action, ctx.resource, keys)) \
            is expected
    assert not is_public(p)
    same_sid = json.dumps({"Version": "2012-10-17", "Statement": [
        statement("S3ServerAccessLogsPolicy", "src", "test"),
        statement("S3ServerAccessLogsPolicy", "src2", "test2")]})
    with pytest.raises(MalformedPolicy, match="unique"):
        parse_policy(same_sid, B)
