"""Properly signed S3 requests (SigV4, botocore's own signer over a raw request) with
fuzzed methods, sub-resources, headers, bodies, bucket and key names: past
authentication, every answer is a 2xx-4xx, never a 5xx; an error is S3's XML
`<Error><Code>`, an XML answer parses; the server stays up. (The unsigned and
badly signed requests are in test_no_server_errors.py.)"""

from __future__ import annotations

import hashlib
import http.client
import os
import xml.etree.ElementTree as ET
from base64 import b64encode
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import boto3
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CREDENTIALS = Credentials("test:tester", "testing")
BUCKET = "signed-fuzz"

METHODS = st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"])
BUCKETS = st.sampled_from([BUCKET, BUCKET, BUCKET, "no-such-bucket-here", "ab", "Upper",
                           "x" * 64, "a..b", "192.168.1.1", "bad_name", "-dash"])
# (control characters and NUL included: see the tests of the findings at the end)
KEY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
KEYS = st.one_of(
    st.sampled_from(["", "existing", "dir/existing", "a/", "..", "%FF", "a%2Fb",
                     "k" * 1025, "%C3%A9t%C3%A9", "sp%20ace", "q%3Fmark", "%00", "%1F",
                     "a%0Db"]),
    KEY_TEXT.map(lambda k: quote(k, safe="/~")))
SUBRESOURCES = st.sampled_from([
    "", "", "", "acl", "uploads", "delete", "versioning", "versions", "tagging",
    "lifecycle", "policy", "cors", "location", "website", "encryption", "replication",
    "notification", "logging", "object-lock", "retention", "legal-hold", "torrent",
    "restore", "select&select-type=2", "attributes", "publicAccessBlock",
    "ownershipControls", "list-type=2", "list-type=2&max-keys=0", "list-type=2&max-keys=-1",
    "list-type=2&continuation-token=zz", "list-type=3", "max-keys=abc",
    "prefix=a&delimiter=%2F", "delimiter=", "marker=%C3%A9", "marker=%FF",
    "prefix=%1F", "list-type=2&start-after=%00", "encoding-type=url",
    "encoding-type=bogus", "uploadId=nope&partNumber=1", "uploadId=nope",
    "partNumber=0", "partNumber=10001&uploadId=x", "uploads&max-uploads=-5",
    "part-number-marker=abc&uploadId=x", "versionId=null", "versionId=%00",
    "response-content-type=text%2Fplain", "x-id=GetObject"])
HEADER_VALUES: dict[str, list[str]] = {
    # (no control characters: the HTTP parser refuses those before the app, in plain text)
    "Content-Type": ["text/plain", "application/xml", "", "text/plain; charset=utf-8"],
    "Content-MD5": ["", "garbage", b64encode(hashlib.md5(b"x").digest()).decode(),
                    "1B2M2Y8AsgTpgAmY7PhCfg=="],
    "x-amz-copy-source": [f"/{BUCKET}/existing", f"{BUCKET}/nothing", "/", "nobucket",
                          f"/{BUCKET}/existing?versionId=1", "%FF/%FE"],
    "x-amz-copy-source-range": ["bytes=0-0", "bytes=5-1", "bytes=x"],
    "x-amz-metadata-directive": ["COPY", "REPLACE", "BOGUS"],
    "Range": ["bytes=0-0", "bytes=5-1", "bytes=-0", "bytes=0-", "bytes=1-2,4-5", "lines=1"],
    "If-Match": ["*", '"abc"', ""],
    "If-None-Match": ["*", '"abc"'],
    "If-Modified-Since": ["yesterday", "Tue, 01 Dec 2099 00:00:00 GMT"],
    "x-amz-meta-fuzz": ["v", "x" * 3000],
    "x-amz-acl": ["private", "public-read", "bogus"],
    "x-amz-storage-class": ["STANDARD", "GLACIER", "bogus"],
    "x-amz-tagging": ["a=b", "%%%"],
    "x-amz-server-side-encryption": ["AES256", "aws:kms", "bogus"],
    "x-amz-checksum-crc32": ["AAAAAA==", "garbage"],
    "x-amz-sdk-checksum-algorithm": ["CRC32", "BOGUS"],
    "x-amz-object-lock-mode": ["GOVERNANCE"],
    "x-amz-bucket-object-lock-enabled": ["true"],
    "x-amz-decoded-content-length": ["5", "-1", "abc"],
    "x-amz-expected-bucket-owner": ["123456789012"],
    "Content-Encoding": ["aws-chunked", "gzip"],
}
HEADERS = st.dictionaries(st.sampled_from(sorted(HEADER_VALUES)), st.none(), max_size=4) \
    .flatmap(lambda chosen: st.fixed_dictionaries(
        {k: st.sampled_from(HEADER_VALUES[k]) for k in chosen}))
BODIES = st.sampled_from([
    b"", b"hello",
    b"<Delete><Object><Key>existing</Key></Object><Quiet>true</Quiet></Delete>",
    b"<Delete>" + b"<Object><Key>k</Key></Object>" * 1001 + b"</Delete>",
    b"<CreateBucketConfiguration><LocationConstraint>mars</LocationConstraint>"
    b"</CreateBucketConfiguration>",
    b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part>"
    b"</CompleteMultipartUpload>",
    b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    b"<broken", b"0;chunk-signature=00\r\n\r\n", os.urandom(64)])


def signed(server: str, method: str, path: str, headers: dict[str, str], body: bytes,
           presigned: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Sign as an SDK would (S3's SigV4 in the headers with the payload hash, or a
    presigned URL's query) and send it raw."""
    # a presigned URL covers no payload (botocore would move a body into the query)
    request = AWSRequest(method=method, url=server + path, data=b"" if presigned else body,
                         headers=headers)
    if presigned:
        S3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=300).add_auth(request)
        path = request.url.removeprefix(server)
    else:
        S3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)   # Host: as signed
        for k, v in request.headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def bucket(server: str) -> Iterator[str]:
    assert signed(server, "PUT", f"/{BUCKET}", {}, b"")[0] == 200
    for key in ("existing", "dir/existing"):
        assert signed(server, "PUT", f"/{BUCKET}/{key}", {}, b"some content")[0] == 200
    yield BUCKET


def well_formed(method: str, status: int, headers: dict[str, str], body: bytes,
                object_read: bool) -> str | None:
    """What is wrong with an answer's shape, or None."""
    if method == "HEAD" or not body:
        return None
    if status >= 300:
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            return f"error body is not XML ({exc}): {body[:200]!r}"
        if root.tag != "Error" or not root.findtext("Code"):
            return f"error body is not <Error><Code>: {body[:200]!r}"
        return None
    if "xml" in headers.get("content-type", "") and not object_read:
        try:
            ET.fromstring(body)
        except ET.ParseError as exc:
            return f"answer is not XML ({exc}): {body[:200]!r}"
    return None


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(METHODS, BUCKETS, KEYS, SUBRESOURCES, HEADERS, BODIES, st.booleans())
def test_signed_requests_never_get_a_server_error(
        server: str, bucket: str, method: str, bucket_name: str, key: str, query: str,
        headers: dict[str, str], body: bytes, presigned: bool) -> None:
    path = f"/{bucket_name}" + (f"/{key}" if key else "") + (f"?{query}" if query else "")
    status, out_headers, out = signed(server, method, path, headers, body, presigned)
    request: dict[str, Any] = {"method": method, "path": path, "headers": headers,
                               "body": body[:100], "presigned": presigned}
    # 501 NotImplemented is the deliberate answer to what is not built yet
    assert status < 500 or (status == 501 and (
        method == "HEAD" or b"<Code>NotImplemented</Code>" in out)), \
        (request, status, out[:500])
    assert status != 403 or b"SignatureDoesNotMatch" not in out, \
        ("a properly signed request is refused", request, out[:500])
    problem = well_formed(method, status, out_headers, out,
                          object_read=bool(key) and method == "GET")
    assert problem is None, (request, status, problem)
    assert signed(server, "GET", f"/{bucket}?list-type=2&max-keys=1", {}, b"")[0] == 200, \
        "the server stays up and answers"


def test_a_query_value_with_invalid_utf8_is_signed_over_its_bytes(server: str,
                                                                 bucket: str) -> None:
    """SigV4 signs the query's bytes: `marker=%FF` is signed as `%FF` (it was checked
    against a U+FFFD, SignatureDoesNotMatch); the signature is checked first, and then
    the value, not UTF-8, is InvalidURI."""
    status, _, out = signed(server, "GET", f"/{bucket}?marker=%FF", {}, b"")
    assert (status, b"<Code>InvalidURI</Code>" in out) == (400, True), out[:300]
    request = AWSRequest(method="GET", url=f"{server}/{bucket}?marker=%FF")
    S3SigV4Auth(Credentials("test:tester", "wrong"), "s3", "us-east-1").add_auth(request)
    status, out = _send(server, request, f"/{bucket}?marker=%FF")
    assert (status, b"<Code>SignatureDoesNotMatch</Code>" in out) == (403, True), out[:300]


def _send(server: str, request: AWSRequest, path: str) -> tuple[int, bytes]:
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(request.method, path, skip_accept_encoding=True)
        for k, v in request.headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("key", ["%1F", "a%01b", "%EF%BF%BE", "c%0Dr"])
def test_an_error_about_a_key_with_a_control_character_is_well_formed_xml(
        server: str, bucket: str, key: str) -> None:
    """XML 1.0 cannot carry a C0 control (nor U+FFFE), not even as `&#x1F;`: the
    <Resource> of the error gets U+FFFD in its place."""
    status, headers, out = signed(server, "GET", f"/{bucket}/{key}", {}, b"")
    assert status == 404
    assert well_formed("GET", status, headers, out, object_read=True) is None
    assert ET.fromstring(out).findtext("Code") == "NoSuchKey"


def test_a_listing_of_keys_with_control_characters_is_well_formed_and_exact(
        server: str) -> None:
    """Such keys are accepted (S3 accepts any UTF-8); a listing without
    encoding-type=url is answered url-encoded, saying so, and decodes to the keys."""
    name = "ctl-" + os.urandom(4).hex()
    keys = sorted(["plain", "a\x01b", "tab\there", "cr\rkey", "x\x1f/y", "\ufffe"])
    assert signed(server, "PUT", f"/{name}", {}, b"")[0] == 200
    for key in keys:
        assert signed(server, "PUT", f"/{name}/{quote(key, safe='')}", {}, b"v")[0] == 200
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    for query, element in (("", "s3:Contents/s3:Key"), ("?list-type=2", "s3:Contents/s3:Key"),
                           ("?versions", "s3:Version/s3:Key"),
                           ("?delimiter=%2F", "s3:CommonPrefixes/s3:Prefix")):
        status, _, out = signed(server, "GET", f"/{name}{query}", {}, b"")
        assert status == 200, out[:300]
        root = ET.fromstring(out)                    # well-formed
        assert root.findtext("s3:EncodingType", namespaces=ns) == "url"
        listed = sorted(unquote(e.text or "") for e in root.findall(element, ns))
        if "delimiter" in query:
            assert listed == ["x\x1f/"]
        else:
            assert listed == keys
    # a page of plain keys is answered as before, not encoded
    status, _, out = signed(server, "GET", f"/{name}?prefix=plain", {}, b"")
    assert b"<EncodingType>" not in out and b"<Key>plain</Key>" in out
    s3 = boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1")
    try:
        assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]) == keys
        assert sorted(o["Key"] for o in s3.list_objects(Bucket=name)["Contents"]) == keys
        assert s3.get_object(Bucket=name, Key="a\x01b")["Body"].read() == b"v"
    finally:
        s3.close()


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/signed-fuzz/%00"), ("HEAD", "/signed-fuzz/%00"), ("PUT", "/signed-fuzz/a%00b"),
    ("DELETE", "/signed-fuzz/%00"), ("POST", "/signed-fuzz/%00?uploads"),
    ("GET", "/%00"), ("PUT", "/%00"), ("GET", "/signed-fuzz%00/key")])
def test_a_name_with_nul_is_refused_as_bad_input(server: str, bucket: str, method: str,
                                                  path: str) -> None:
    """NUL is refused in every name a client gives (the store keeps it for names of its
    own: versions containers), before anything reaches a node."""
    status, _, out = signed(server, method, path, {}, b"x" if method == "PUT" else b"")
    assert status == 400, out[:300]
    if method != "HEAD":
        assert ET.fromstring(out).findtext("Code") == "InvalidArgument", out[:300]
    status, _, out = signed(server, "GET", f"/{bucket}?list-type=2&encoding-type=url",
                            {}, b"")
    keys = {unquote(e.text or "") for e in ET.fromstring(out).iter()
            if e.tag.endswith("}Key")}
    # nothing was made of the name, cut at the NUL or without it (the fuzzer's own keys
    # share the bucket, so only these are looked for)
    assert not keys & {"a", "b", "ab", "a\x00b", ""} and not any("\x00" in k for k in keys)


def test_a_copy_source_with_nul_is_refused(server: str, bucket: str) -> None:
    status, _, out = signed(server, "PUT", f"/{bucket}/copy-of-nul",
                            {"x-amz-copy-source": f"/{bucket}/%00"}, b"")
    assert status == 400, out[:300]
    assert ET.fromstring(out).findtext("Code") == "InvalidArgument"
