"""S3 POST Object (browser form uploads) against a real `objectstore serve`: forms made
by boto3's generate_presigned_post (SigV4, its defaults) and by hand (SigV2), sent with
`requests` as a browser would; the policy's conditions and limits, who may, and what is
stored."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import boto3
import pytest
import requests
import swiftclient
from botocore.client import Config
from botocore.exceptions import ClientError

from tests.integration.signed import send
from tests.integration.test_s3_unbuilt_features import answer

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)


def v2_form(bucket: str, conditions: list[Any], secret: str = "testing",
            access_key: str = "test:tester", expires: dt.datetime = LATER,
            **fields: str) -> dict[str, Any]:
    policy = base64.b64encode(json.dumps({
        "expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [{"bucket": bucket}, *conditions]}).encode())
    signature = base64.b64encode(hmac.new(secret.encode(), policy, hashlib.sha1).digest())
    return {"AWSAccessKeyId": access_key, "policy": policy.decode(),
            "signature": signature.decode(), **fields}


def post(server: str, bucket: str, fields: dict[str, Any], data: bytes = b"bar",
         filename: str = "upload.txt") -> requests.Response:
    """As a browser sends a form: the fields, then the file last."""
    files = [(k, (None, v)) for k, v in fields.items()] + [("file", (filename, data))]
    return requests.post(f"{server}/{bucket}", files=files, timeout=30,
                         allow_redirects=False)


def code(r: requests.Response) -> str:
    text = r.text
    return text[text.find("<Code>") + 6:text.find("</Code>")] if "<Code>" in text else ""


@pytest.mark.parametrize("signature", ["default", "s3v4"])
def test_a_presigned_post_from_boto3(server: str, s3: Any, bucket: str, signature: str
                                     ) -> None:
    signer = s3 if signature == "default" else boto3.client(
        "s3", endpoint_url=server, aws_access_key_id="test:tester",
        aws_secret_access_key="testing", region_name="us-east-1",
        config=Config(signature_version="s3v4"))
    form = signer.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-color": "blue",
                "success_action_status": "201"},
        Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "text/plain"},
                    {"x-amz-meta-color": "blue"}, {"success_action_status": "201"},
                    ["content-length-range", 1, 1024 * 1024]])
    # boto3's default for a form is SigV2 (AWSAccessKeyId, signature); s3v4: SigV4
    assert ("x-amz-signature" in form["fields"]) == (signature == "s3v4")
    if signer is not s3:
        signer.close()
    files = {k: (None, v) for k, v in form["fields"].items()}
    r = requests.post(form["url"], files={**files, "file": ("cat.txt", b"meow")}, timeout=30)
    assert r.status_code == 201, r.text
    document = ET.fromstring(r.content)       # as S3 sends it: no namespace
    assert document.tag == "PostResponse" and document.findtext("Key") == "uploads/cat.txt"
    assert document.findtext("Bucket") == bucket
    got = s3.get_object(Bucket=bucket, Key="uploads/cat.txt")
    assert got["Body"].read() == b"meow" and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"color": "blue"}
    assert r.headers["etag"] == got["ETag"] == f'"{hashlib.md5(b"meow").hexdigest()}"'
    # the same form, but the file too large for its policy: nothing stored
    r = requests.post(form["url"], files={**files, "file": ("big.txt", b"x" * (1024 * 1024
                                                                              + 1))},
                      timeout=30)
    assert (r.status_code, code(r)) == (400, "EntityTooLarge")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="uploads/big.txt")


def test_a_sigv2_form_its_fields_and_answers(server: str, s3: Any, bucket: str) -> None:
    conditions = [["starts-with", "$key", ""], ["starts-with", "$Content-Type", "text/"],
                  ["starts-with", "$tagging", ""], ["eq", "$x-amz-meta-n", "1"],
                  ["starts-with", "$success_action_redirect", "http://"],
                  ["starts-with", "$Cache-Control", ""]]
    tags = ("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>")
    fields = v2_form(bucket, conditions, key="f/${filename}", **{
        "Content-Type": "text/x-mine", "tagging": tags, "x-amz-meta-n": "1",
        "Cache-Control": "no-cache", "x-ignore-me": "whatever",
        "success_action_redirect": "http://example.com/done?from=form"})
    body = os.urandom(3 * 1024 * 1024 + 5)          # several chunks of the request
    r = post(server, bucket, fields, body, filename="data.bin")
    assert r.status_code == 303
    assert r.headers["location"].startswith("http://example.com/done?from=form&bucket=")
    assert "key=f%2Fdata.bin" in r.headers["location"]
    got = s3.get_object(Bucket=bucket, Key="f/data.bin")
    assert got["Body"].read() == body and got["ContentType"] == "text/x-mine"
    assert got["CacheControl"] == "no-cache" and got["Metadata"] == {"n": "1"}
    assert s3.get_object_tagging(Bucket=bucket, Key="f/data.bin")["TagSet"] == [
        {"Key": "a", "Value": "1"}]
    # the default answer is 204; a checksum field is checked against the file
    sha = base64.b64encode(hashlib.sha256(b"bar").digest()).decode()
    plain = v2_form(bucket, [["starts-with", "$key", ""]], key="plain",
                    **{"x-amz-checksum-sha256": sha})
    assert post(server, bucket, plain).status_code == 204
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"bar"
    wrong = v2_form(bucket, [["starts-with", "$key", ""]], key="wrong",
                    **{"x-amz-checksum-sha256": base64.b64encode(b"x" * 32).decode()})
    assert (post(server, bucket, wrong).status_code, code(post(server, bucket, wrong))) \
        == (400, "BadDigest")


def test_the_policy_is_enforced(server: str, s3: Any, bucket: str) -> None:
    key_cond = [["starts-with", "$key", "ok/"]]
    cases: list[tuple[dict[str, Any], bytes, tuple[int, str]]] = [
        (v2_form(bucket, key_cond, key="bad/x"), b"x", (403, "AccessDenied")),
        (v2_form(bucket, key_cond, key="ok/x", extra="field"), b"x", (403, "AccessDenied")),
        (v2_form(bucket, key_cond, key="ok/x",
                 expires=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)), b"x",
         (403, "AccessDenied")),
        (v2_form(bucket, [*key_cond, ["content-length-range", 2, 3]], key="ok/x"), b"x",
         (400, "EntityTooSmall")),
        (v2_form(bucket, [*key_cond, ["content-length-range", 0, 3]], key="ok/x"), b"xxxx",
         (400, "EntityTooLarge")),
        (v2_form(bucket, [*key_cond, ["content-length-range", -1, 3]], key="ok/x"), b"x",
         (400, "InvalidPolicyDocument")),
        (v2_form(bucket, [*key_cond, ["nonsense", "$key", "x"]], key="ok/x"), b"x",
         (400, "InvalidPolicyDocument")),
        (v2_form(bucket, key_cond), b"x", (400, "InvalidArgument")),          # no key
        (v2_form(bucket, key_cond, key="ok/x", secret="wrong"), b"x",
         (403, "SignatureDoesNotMatch")),
        (v2_form(bucket, key_cond, key="ok/x", access_key="nobody"), b"x",
         (403, "InvalidAccessKeyId")),
        (v2_form(bucket, key_cond, key="ok/x", acl="public-read"), b"x",    # not named
         (403, "AccessDenied")),
        (v2_form(bucket, [*key_cond, {"acl": "private"}], key="ok/x", acl="public-read"),
         b"x", (403, "AccessDenied")),
        (v2_form(bucket, [*key_cond, {"x-amz-storage-class": "COLD"}], key="ok/x",
                 **{"x-amz-storage-class": "COLD"}), b"x", (400, "InvalidStorageClass")),
    ]
    for fields, data, expected in cases:
        r = post(server, bucket, fields, data)
        assert (r.status_code, code(r)) == expected, (fields, r.text)
    no_signature = v2_form(bucket, key_cond, key="ok/x")
    del no_signature["signature"]
    assert post(server, bucket, no_signature).status_code == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    glacier = v2_form(bucket, [*key_cond, {"x-amz-storage-class": "GLACIER"}], key="ok/g",
                      **{"x-amz-storage-class": "GLACIER"})
    assert post(server, bucket, glacier).status_code == 204     # a class is a PUT's
    assert s3.head_object(Bucket=bucket, Key="ok/g")["StorageClass"] == "GLACIER"


def test_who_may_post(server: str, s3: Any, bucket: str) -> None:
    anonymous = post(server, bucket, {"key": "anon"})
    assert (anonymous.status_code, code(anonymous)) == (403, "AccessDenied")
    cond = [["starts-with", "$key", ""]]
    reader = v2_form(bucket, cond, "readkey", "test:reader", key="r")     # not an admin
    assert (post(server, bucket, reader).status_code, code(post(server, bucket, reader))) \
        == (403, "AccessDenied")
    other = v2_form(bucket, cond, "secret2", "other:someone", key="o")    # another account
    assert post(server, bucket, other).status_code == 403
    missing = f"none-{os.urandom(4).hex()}"
    r = post(server, missing, v2_form(missing, cond, key="k"))
    assert (r.status_code, code(r)) == (404, "NoSuchBucket")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_a_browser_on_another_origin_posts_a_presigned_form(server: str, s3: Any,
                                                             bucket: str) -> None:
    """Debian's chromium loads a page from http://localhost:PORT (a public Swift
    container) that submits a real HTML form, with the fields of boto3's presigned
    POST and a file, to http://127.0.0.1:PORT/<bucket>: another origin."""
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is needed (scripts/test.sh installs Debian's chromium)")
    form = s3.generate_presigned_post(bucket, "${filename}",
                                      Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"}])
    assert form["url"].startswith("http://127.0.0.1:")
    inputs = "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
                     for k, v in form["fields"].items())
    page = (f"<html><body><form id='f' method='post' enctype='multipart/form-data' "
            f"action='{form['url']}'>{inputs}<input type='file' name='file' id='file'>"
            "</form><script>const dt = new DataTransfer();"
            "dt.items.add(new File(['hello from chromium'], 'browser.txt'));"
            "document.getElementById('file').files = dt.files;"
            "document.getElementById('f').submit();</script></body></html>")
    swift = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                   key="testing", retries=0)
    site = f"page-{os.urandom(4).hex()}"
    swift.put_container(site, {"X-Container-Read": ".r:*"})
    swift.put_object(site, "upload.html", page.encode(), content_type="text/html")
    elsewhere = server.replace("127.0.0.1", "localhost")
    try:
        dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                              "--virtual-time-budget=10000", "--dump-dom",
                              f"{elsewhere}/v1/AUTH_test/{site}/upload.html"],
                             capture_output=True, text=True, timeout=120).stdout
        got = s3.get_object(Bucket=bucket, Key="browser.txt")
        assert got["Body"].read() == b"hello from chromium", dom
        assert "browser.txt" in dom           # the PostResponse the browser was shown
    finally:
        swift.delete_object(site, "upload.html")
        swift.delete_container(site)
        swift.close()


def test_a_form_asks_for_object_lock_as_a_put_does(server: str, s3: Any, bucket: str
                                                    ) -> None:
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lock = {"x-amz-object-lock-mode": "GOVERNANCE",
            "x-amz-object-lock-retain-until-date": until}
    conditions: list[Any] = [["starts-with", "$key", ""],
                             *({k: v} for k, v in lock.items())]
    r = post(server, bucket, v2_form(bucket, conditions, key="k", **lock))
    assert (r.status_code, code(r)) == (400, "InvalidRequest")      # no lock on the bucket
    locked = f"locked-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    r = post(server, locked, v2_form(locked, conditions, key="k", **lock))
    assert r.status_code == 204, r.text
    head = s3.head_object(Bucket=locked, Key="k", VersionId=r.headers["x-amz-version-id"])
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert answer(lambda: s3.delete_object(
        Bucket=locked, Key="k", VersionId=r.headers["x-amz-version-id"]))[1] == "AccessDenied"


def test_a_form_is_judged_as_a_put_object_by_the_buckets_acl(server: str, s3: Any) -> None:
    """An unsigned form writes where the bucket's ACL lets anyone write; the form's `acl`
    and `x-amz-grant-*` are the object's, as PutObject's headers would be; a user who is
    not an admin may post where a grant lets them."""
    open_bucket, shared = f"open-{os.urandom(4).hex()}", f"shared-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=open_bucket, ACL="public-read-write")
    tagset = ("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>"
              "</Tagging>")
    r = post(server, open_bucket, {"key": "anon.txt", "acl": "public-read",
                                   "Content-Type": "text/plain", "tagging": tagset})
    assert r.status_code == 204, r.text
    assert requests.get(f"{server}/{open_bucket}/anon.txt", timeout=10).content == b"bar"
    assert s3.get_object_tagging(Bucket=open_bucket, Key="anon.txt")["TagSet"] == [
        {"Key": "k", "Value": "v"}]
    grants = s3.get_object_acl(Bucket=open_bucket, Key="anon.txt")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI":
                        "http://acs.amazonaws.com/groups/global/AllUsers"},
            "Permission": "READ"} in grants
    private = post(server, open_bucket, {"key": "secret.txt"})      # no acl: private
    assert private.status_code == 204
    assert requests.get(f"{server}/{open_bucket}/secret.txt", timeout=10).status_code == 403
    bad = post(server, open_bucket, {"key": "x", "acl": "nonsense"})
    assert bad.status_code == 400 and "x" not in [
        o["Key"] for o in s3.list_objects_v2(Bucket=open_bucket).get("Contents", [])]

    s3.create_bucket(Bucket=shared)
    cond = [["starts-with", "$key", ""]]
    reader = v2_form(shared, cond, "readkey", "test:reader", key="by-reader")
    assert post(server, shared, reader).status_code == 403          # no grant yet
    s3.put_bucket_acl(Bucket=shared, GrantWrite="id=test", GrantFullControl="id=test")
    s3.put_bucket_policy(Bucket=shared, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::test:user/reader"},
            "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{shared}/*"}]}))
    assert post(server, shared, reader).status_code == 204
    assert s3.get_object(Bucket=shared, Key="by-reader")["Body"].read() == b"bar"
    assert post(server, shared, {"key": "anon"}).status_code == 403   # not to anyone
    for b in (open_bucket, shared):
        for o in s3.list_objects_v2(Bucket=b).get("Contents", []):
            s3.delete_object(Bucket=b, Key=o["Key"])
        s3.delete_bucket_policy(Bucket=b)
        s3.delete_bucket(Bucket=b)


def test_a_redirect_to_the_bucket_itself_lands_on_its_listing(server: str, s3: Any) -> None:
    """A browser follows success_action_redirect with GET; where that is the bucket, the
    bucket, key and etag in the query are none of S3's and are ignored (a listing, for
    whoever may list), as S3 answers; S3's own sub-resources are still asked for."""
    name = f"redirect-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name, ACL="public-read-write")
    target = f"{server}/{name}"
    fields = v2_form(name, [["starts-with", "$key", "foo"],
                            ["eq", "$success_action_redirect", target]],
                     key="foo.txt", success_action_redirect=target)
    files = [(k, (None, v)) for k, v in fields.items()] + [("file", ("f.txt", b"bar"))]
    r = requests.post(target, files=files, timeout=30)          # the 303 followed
    etag = s3.head_object(Bucket=name, Key="foo.txt")["ETag"]
    assert r.history[0].status_code == 303 and r.status_code == 200, r.text
    assert r.url == f"{target}?bucket={name}&key=foo.txt&etag={etag.replace(chr(34), '%22')}"
    assert [k.text for k in ET.fromstring(r.content).iter(
        "{http://s3.amazonaws.com/doc/2006-03-01/}Key")] == ["foo.txt"]
    assert requests.get(f"{target}?prefix=nope&whatever=1", timeout=10).content.count(
        b"<Key>") == 0                                   # S3's parameters still count
    for query, expected in [("analytics", (501, "NotImplemented")),
                            ("website", (501, "NotImplemented")),
                            ("policy", (404, "NoSuchBucketPolicy")),
                            ("whatever=1", (200, ""))]:
        owner = send(server, "GET", f"/{name}?{query}")
        assert (owner.status, owner.code) == expected, query
    anonymous = requests.get(f"{target}?analytics", timeout=10)     # not anyone's
    assert (anonymous.status_code, code(anonymous)) == (403, "AccessDenied")
    s3.put_bucket_acl(Bucket=name, ACL="private")
    refused = requests.get(r.url, timeout=10)            # a bucket nobody else may list
    assert refused.status_code == 403 and code(refused) == "AccessDenied"
    s3.delete_object(Bucket=name, Key="foo.txt")
    s3.delete_bucket(Bucket=name)
