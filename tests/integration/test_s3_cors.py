"""S3 CORS through boto3, raw HTTP and Debian's chromium against the session's `serve`:
the rules as S3 keeps and refuses them, preflights and the headers of actual answers
(errors too), and a browser page on another origin whose fetch() PUT works only once
the bucket's rules let its origin in."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import boto3
import pytest
import requests
import swiftclient
from botocore.exceptions import ClientError

RULES = {"CORSRules": [
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*suffix"], "ExposeHeaders": ["etag"],
     "MaxAgeSeconds": 30, "ID": "suffix"},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["start*end"]},
    {"AllowedMethods": ["PUT", "DELETE"], "AllowedOrigins": ["*.put"],
     "AllowedHeaders": ["x-amz-meta-*", "content-type"]}]}


def status_and_cors(response: requests.Response) -> tuple[int, str | None, str | None]:
    h = response.headers
    return (response.status_code, h.get("access-control-allow-origin"),
            h.get("access-control-allow-methods"))


def code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


@pytest.fixture
def public(s3: Any) -> Any:
    name = f"cors-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name, ACL="public-read")
    yield name
    for o in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=o["Key"])
    s3.delete_bucket(Bucket=name)


def test_rules_are_kept_shown_and_deleted(s3: Any, public: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.get_bucket_cors(Bucket=public)
    assert code(info) == "NoSuchCORSConfiguration"
    s3.put_bucket_cors(Bucket=public, CORSConfiguration=RULES)
    assert s3.get_bucket_cors(Bucket=public)["CORSRules"] == RULES["CORSRules"]
    s3.delete_bucket_cors(Bucket=public)
    with pytest.raises(ClientError) as info:
        s3.get_bucket_cors(Bucket=public)
    assert code(info) == "NoSuchCORSConfiguration"


@pytest.mark.parametrize("rule, expected", [
    ({"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}, "InvalidRequest"),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*.a.*"]}, "InvalidRequest"),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": []}, "MalformedXML")])
def test_rules_s3_refuses_are_refused(s3: Any, public: str, rule: dict[str, Any],
                                      expected: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.put_bucket_cors(Bucket=public, CORSConfiguration={"CORSRules": [rule]})
    assert code(info) == expected
    with pytest.raises(ClientError) as info:
        s3.get_bucket_cors(Bucket=public)
    assert code(info) == "NoSuchCORSConfiguration"


def test_only_the_owner_sets_rules(server: str, public: str) -> None:
    other = boto3.client("s3", endpoint_url=server, aws_access_key_id="other:someone",
                         aws_secret_access_key="secret2", region_name="us-east-1")
    with pytest.raises(ClientError) as info:
        other.put_bucket_cors(Bucket=public, CORSConfiguration=RULES)
    assert code(info) == "AccessDenied"


def test_preflights_and_answers_carry_the_first_fitting_rule(server: str, s3: Any,
                                                             public: str) -> None:
    url, obj = f"{server}/{public}", f"{server}/{public}/missing"
    assert requests.options(url, headers={"Origin": "a.suffix",
                                          "Access-Control-Request-Method": "GET"},
                            timeout=10).status_code == 403           # no rules yet
    s3.put_bucket_cors(Bucket=public, CORSConfiguration=RULES)
    get, options, put = requests.get, requests.options, requests.put
    for call, target, headers, expected in [
            (get, url, {}, (200, None, None)),
            (get, url, {"Origin": "a.suffix"}, (200, "a.suffix", "GET")),
            (get, url, {"Origin": "a.suffix.other"}, (200, None, None)),
            (get, url, {"Origin": "start-x-end"}, (200, "start-x-end", "GET")),
            (get, obj, {"Origin": "a.suffix"}, (404, "a.suffix", "GET")),     # errors too
            (put, obj, {"Origin": "b.put"}, (403, "b.put", "PUT, DELETE")),
            (put, obj, {"Origin": "a.suffix"}, (403, None, None)),
            (options, url, {}, (400, None, None)),
            (options, url, {"Origin": "a.suffix"}, (400, None, None)),
            (options, obj, {"Origin": "a.suffix", "Access-Control-Request-Method": "GET"},
             (200, "a.suffix", "GET")),
            (options, url, {"Origin": "a.bar", "Access-Control-Request-Method": "GET"},
             (403, None, None)),
            (options, obj, {"Origin": "b.put", "Access-Control-Request-Method": "PUT",
                            "Access-Control-Request-Headers": "x-amz-meta-a, Content-Type"},
             (200, "b.put", "PUT, DELETE")),
            (options, obj, {"Origin": "b.put", "Access-Control-Request-Method": "PUT",
                            "Access-Control-Request-Headers": "x-other"},
             (403, None, None))]:
        r = call(target, headers=headers, timeout=10)
        assert status_and_cors(r) == expected, (call.__name__, target, headers)
    r = requests.options(obj, headers={"Origin": "a.suffix",
                                       "Access-Control-Request-Method": "GET"}, timeout=10)
    assert r.headers["access-control-max-age"] == "30"
    assert requests.options(f"{server}/nope-{os.urandom(4).hex()}", headers={
        "Origin": "a.suffix", "Access-Control-Request-Method": "GET"},
        timeout=10).status_code == 404


def test_a_deleted_buckets_rules_go_with_it(s3: Any) -> None:
    name = f"cors-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_cors(Bucket=name, CORSConfiguration=RULES)
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as info:
        s3.get_bucket_cors(Bucket=name)
    assert code(info) == "NoSuchCORSConfiguration"
    s3.delete_bucket(Bucket=name)


def test_a_browser_on_another_origin_puts_only_where_the_rules_allow(
        server: str, s3: Any, public: str) -> None:
    """chromium loads a page from http://localhost:PORT whose fetch() PUTs a presigned
    URL of http://127.0.0.1:PORT (another origin: a preflight first)."""
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is needed (scripts/test.sh installs Debian's chromium)")
    elsewhere = server.replace("127.0.0.1", "localhost")
    swift = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                   key="testing", retries=0)
    site = f"page-{os.urandom(4).hex()}"
    swift.put_container(site, {"X-Container-Read": ".r:*"})

    def browse(key: str) -> str:
        url = s3.generate_presigned_url("put_object", Params={
            "Bucket": public, "Key": key, "ContentType": "text/plain"})
        page = ("<html><body><script>"
                f"fetch({url!r}, {{method: 'PUT', body: 'from chromium', headers: "
                "{'Content-Type': 'text/plain'}})"
                ".then(r => { document.body.innerText = 'status ' + r.status; })"
                ".catch(e => { document.body.innerText = 'blocked'; });"
                "</script></body></html>")
        swift.put_object(site, "put.html", page.encode(), content_type="text/html")
        return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                               "--virtual-time-budget=10000", "--dump-dom",
                               f"{elsewhere}/v1/AUTH_test/{site}/put.html"],
                              capture_output=True, text=True, timeout=120).stdout
    try:
        dom = browse("refused.txt")
        assert "blocked" in dom, dom
        with pytest.raises(ClientError):
            s3.head_object(Bucket=public, Key="refused.txt")
        s3.put_bucket_cors(Bucket=public, CORSConfiguration={"CORSRules": [{
            "AllowedMethods": ["PUT"], "AllowedOrigins": [elsewhere],
            "AllowedHeaders": ["content-type"]}]})
        dom = browse("allowed.txt")
        assert "status 200" in dom, dom
        assert s3.get_object(Bucket=public, Key="allowed.txt")["Body"].read() == \
            b"from chromium"
    finally:
        swift.delete_object(site, "put.html")
        swift.delete_container(site)
        swift.close()
