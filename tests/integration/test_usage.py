"""Usage metering on a real `serve` (sampling every second, flushing twice a second),
written to by boto3 and python-swiftclient: stored bytes and objects agree with what
HEAD account/container and the listings say, each transfer is counted in its class on
its bucket, the admin API's `usage` says so to whom it may and refuses everyone else,
the counts of a stopped server are kept, old samples go, and the CLI shows it."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
import swiftclient
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from tests.integration.admin_client import signed_by, swift_token, with_token
from tests.integration.conftest import USERS, serving
from tests.integration.signed import send

FAST = USERS + "\n[usage]\nsample_seconds = 1\nflush_seconds = 0.5\n"
ROOT = ("reseller:root", "rootkey")
T = TypeVar("T")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("usage") / "data", FAST) as served:
        yield served.url


def s3_of(server: str, access_key: str = "test:tester", secret: str = "testing") -> Any:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id=access_key,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def swift_of(server: str) -> swiftclient.Connection:
    return swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)


def report(server: str, query: str = "", who: tuple[str, str] = ROOT) -> Any:
    status, doc = signed_by(server, "GET", f"/_admin/v1/usage{query}", *who)
    assert status == 200, doc
    return doc


def poll(read: Callable[[], T], good: Callable[[T], bool], timeout: float = 20) -> T:
    """`read()` again until `good` says yes (samples and flushes come on a schedule)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if good(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def transfers(doc: Any, account: str, bucket: str) -> dict[str, dict[str, int]]:
    """The account's transfer rows on `bucket`, summed over hours, by class."""
    out: dict[str, dict[str, int]] = {}
    for row in doc["accounts"].get(account, {}).get("transfer", []):
        if row["bucket"] == bucket:
            got = out.setdefault(row["class"], {"requests": 0, "bytes_in": 0,
                                                "bytes_out": 0})
            for field in got:
                got[field] += row[field]
    return out


def test_stored_figures_agree_with_heads_and_listings(store: str) -> None:
    s3, swift = s3_of(store), swift_of(store)
    try:
        s3.create_bucket(Bucket="usage-photos")
        for i, size in enumerate((1000, 2345, 7)):
            s3.put_object(Bucket="usage-photos", Key=f"p{i}", Body=b"x" * size)
        swift.put_container("usage-docs")
        for i, size in enumerate((10, 20000)):
            swift.put_object("usage-docs", f"d{i}", b"y" * size)

        def figures() -> tuple[Any, dict[str, str], dict[str, str], dict[str, str]]:
            return (report(store, "?account=test")["accounts"]["test"]["stored"],
                    swift.head_account(), swift.head_container("usage-photos"),
                    swift.head_container("usage-docs"))

        def agree(got: tuple[Any, dict[str, str], dict[str, str], dict[str, str]]
                  ) -> bool:
            stored, account, photos, docs = got
            return stored is not None and stored["bytes"] == int(
                account["x-account-bytes-used"]) and stored["buckets"].get(
                "usage-photos") == {"bytes": 3352, "objects": 3} == {
                "bytes": int(photos["x-container-bytes-used"]),
                "objects": int(photos["x-container-object-count"])} and stored[
                "buckets"].get("usage-docs") == {"bytes": 20010, "objects": 2} == {
                "bytes": int(docs["x-container-bytes-used"]),
                "objects": int(docs["x-container-object-count"])}

        stored, account, photos, docs = poll(figures, agree)
        assert agree((stored, account, photos, docs)), stored
        assert stored["objects"] == int(account["x-account-object-count"])
        assert stored["bytes"] == sum(b["bytes"] for b in stored["buckets"].values())
        for name, head in (("usage-photos", photos), ("usage-docs", docs)):
            assert stored["buckets"][name] == {
                "bytes": int(head["x-container-bytes-used"]),
                "objects": int(head["x-container-object-count"])}
            listed = s3.list_objects_v2(Bucket=name)["Contents"]
            assert stored["buckets"][name] == {"bytes": sum(o["Size"] for o in listed),
                                               "objects": len(listed)}
        # and the series of the window ends with the latest sample
        series = poll(lambda: report(store, "?account=test&since=1h")["accounts"]["test"],
                      lambda a: len(a["stored_series"]) >= 2)
        assert series["stored_series"][-1]["time"] <= series["stored"]["time"]
        assert [s["time"] for s in series["stored_series"]] == sorted(
            s["time"] for s in series["stored_series"])
        assert len(series["stored_series"]) >= 2
    finally:
        s3.close()
        swift.close()


def test_each_transfer_is_counted_in_its_class_on_its_bucket(store: str) -> None:
    s3, swift = s3_of(store), swift_of(store)
    try:
        s3.create_bucket(Bucket="usage-moves")
        s3.put_object(Bucket="usage-moves", Key="k", Body=b"a" * 4321)
        assert s3.get_object(Bucket="usage-moves", Key="k")["Body"].read() == b"a" * 4321
        s3.list_objects_v2(Bucket="usage-moves")
        s3.delete_object(Bucket="usage-moves", Key="k")
        swift.put_container("usage-swift-moves")
        swift.put_object("usage-swift-moves", "o", b"b" * 999)
        _, body = swift.get_object("usage-swift-moves", "o")
        assert body == b"b" * 999
        swift.get_container("usage-swift-moves")

        def counted(doc: Any) -> bool:
            return transfers(doc, "test", "usage-moves").get("delete") is not None and \
                transfers(doc, "test", "usage-swift-moves").get("list") is not None

        doc = poll(lambda: report(store, "?account=test"), counted)
        s3_rows = transfers(doc, "test", "usage-moves")
        assert s3_rows["write"] == {"requests": 1, "bytes_in": 4321, "bytes_out": 0}
        assert s3_rows["read"] == {"requests": 1, "bytes_in": 0, "bytes_out": 4321}
        assert s3_rows["list"]["requests"] == 1 and s3_rows["list"]["bytes_out"] > 0
        assert s3_rows["delete"] == {"requests": 1, "bytes_in": 0, "bytes_out": 0}
        assert s3_rows["other"]["requests"] == 1             # CreateBucket
        swift_rows = transfers(doc, "test", "usage-swift-moves")
        assert swift_rows["write"] == {"requests": 1, "bytes_in": 999, "bytes_out": 0}
        assert swift_rows["read"] == {"requests": 1, "bytes_in": 0, "bytes_out": 999}
        assert swift_rows["list"]["requests"] == 1
        for row in doc["accounts"]["test"]["transfer"]:
            assert row["hour"].endswith(":00:00Z") and row["class"] in (
                "read", "write", "list", "delete", "other")
    finally:
        s3.close()
        swift.close()


def test_a_request_of_nobody_or_another_account_is_the_buckets_owners(store: str) -> None:
    s3, theirs = s3_of(store), s3_of(store, "other:someone", "secret2")
    try:
        s3.create_bucket(Bucket="usage-public")
        s3.put_object(Bucket="usage-public", Key="k", Body=b"p" * 321, ACL="public-read")
        with urllib.request.urlopen(f"{store}/usage-public/k", timeout=30) as resp:
            assert resp.read() == b"p" * 321          # anonymous
        assert theirs.get_object(Bucket="usage-public", Key="k")["Body"].read() == \
            b"p" * 321                                # another account's user
    finally:
        s3.close()
        theirs.close()
    doc = poll(lambda: report(store),
               lambda d: transfers(d, "test", "usage-public").get("read", {}).get(
                   "requests") == 2)
    assert transfers(doc, "test", "usage-public")["read"] == {
        "requests": 2, "bytes_in": 0, "bytes_out": 642}
    assert transfers(doc, "other", "usage-public") == {}


def test_who_may_see_whose_usage(store: str) -> None:
    assert with_token(store, "GET", "/_admin/v1/usage", None)[0] == 401
    assert with_token(store, "GET", "/_admin/v1/usage", "AUTH_tknotatoken")[0] == 401
    assert signed_by(store, "GET", "/_admin/v1/usage", "test:tester", "wrong")[0] == 401
    # wait for a sample that names both accounts
    every = poll(lambda: report(store), lambda d: {"test", "other"} <= d["accounts"].keys())
    assert {"test", "other", "reseller"} <= every["accounts"].keys()
    assert not any(name.startswith(".") for name in every["accounts"])
    token = swift_token(store, "test:tester", "testing")
    status, own = with_token(store, "GET", "/_admin/v1/usage", token)
    assert status == 200 and list(own["accounts"]) == ["test"]
    status, again = with_token(store, "GET", "/_admin/v1/usage?account=test", token)
    assert status == 200 and list(again["accounts"]) == ["test"]
    status, refused = with_token(store, "GET", "/_admin/v1/usage?account=other", token)
    assert status == 403 and refused["error"] == "Forbidden"
    # a user that is no admin of its account sees that account's figures too
    assert list(report(store, "", ("test:reader", "readkey"))["accounts"]) == ["test"]
    assert signed_by(store, "GET", "/_admin/v1/usage?account=other", "test:reader",
                     "readkey")[0] == 403
    status, theirs = signed_by(store, "GET", "/_admin/v1/usage", "other:someone", "secret2")
    assert status == 200 and list(theirs["accounts"]) == ["other"]
    assert list(report(store, "?account=other")["accounts"]) == ["other"]
    assert list(report(store, "?account=AUTH_other")["accounts"]) == ["other"]


@pytest.mark.parametrize("query", ["?since=yesterday", "?until=2026-13-01T00:00:00Z",
                                   "?since=1h&until=2h", "?sinse=1h", "?account=a/b",
                                   "?since=", "?since=7y"])
def test_bad_queries_are_400(store: str, query: str) -> None:
    status, doc = signed_by(store, "GET", f"/_admin/v1/usage{query}", *ROOT)
    if query == "?since=":
        assert status == 200       # empty: the default
        return
    assert status == 400, (query, doc)
    assert doc["error"] == "BadRequest" and doc["message"]


def test_only_get(store: str) -> None:
    assert signed_by(store, "POST", "/_admin/v1/usage", *ROOT, {})[0] == 405
    assert signed_by(store, "GET", "/_admin/v1/usage/x", *ROOT)[0] == 404


def test_a_window_in_iso_signed_by_botocore_with_the_colons_as_they_are(store: str) -> None:
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    target = f"/_admin/v1/usage?since={since}&until={until}&account=test"
    answer = send(store, "GET", target, credentials=Credentials(*ROOT))
    assert answer.status == 200, answer.body
    doc = json.loads(answer.body)
    assert (doc["since"], doc["until"]) == (since, until)
    escaped = target.replace(":", "%3A")
    assert send(store, "GET", escaped, credentials=Credentials(*ROOT)).status == 200
    # the signature still covers the query: another account or window is refused
    for other in (target.replace("account=test", "account=other"),
                  target.replace(since, "2020-01-01T00:00:00Z")):
        status, body = signed_for(store, target, other)
        assert status == 401 and b"SignatureDoesNotMatch" in body, other


def signed_for(server: str, signed: str, sent: str) -> tuple[int, bytes]:
    """Sign a GET of `signed` with botocore, send `sent` with that signature."""
    req = AWSRequest(method="GET", url=f"{server}{signed}")
    S3SigV4Auth(Credentials(*ROOT), "s3", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", int(server.rsplit(":", 1)[1]),
                                      timeout=30)
    try:
        conn.request("GET", sent, headers=dict(req.headers))
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_the_system_account_is_out_of_every_users_reach(store: str) -> None:
    poll(lambda: report(store), lambda d: bool(d["accounts"]))       # it exists by now
    root = swift_token(store, *ROOT)
    for path in ("/v1/.usage", "/v1/.usage/stored", "/v1/.usage/transfer"):
        status, _ = with_token_status(store, path, root)
        assert status in (401, 403), path
    s3 = s3_of(store, *ROOT)
    try:
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        assert not names & {"stored", "transfer"}
        for bucket in ("stored", "transfer"):
            with pytest.raises(s3.exceptions.ClientError) as info:
                s3.list_objects_v2(Bucket=bucket)
            assert info.value.response["Error"]["Code"] in ("NoSuchBucket", "AccessDenied")
    finally:
        s3.close()


def with_token_status(server: str, path: str, token: str) -> tuple[int, bytes]:
    req = urllib.request.Request(f"{server}{path}", headers={"X-Auth-Token": token})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def cli(store: str, *args: str, user: str = "test:tester", key: str = "testing"
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "objectstore", "usage", "--url", store,
                           "--user", user, "--key", key, *args],
                          capture_output=True, text=True, timeout=60)


def test_the_cli_shows_a_table_and_the_json(store: str) -> None:
    s3 = s3_of(store)
    try:
        s3.create_bucket(Bucket="usage-cli")
        s3.put_object(Bucket="usage-cli", Key="k", Body=b"c" * 777)
    finally:
        s3.close()
    poll(lambda: report(store, "?account=test")["accounts"]["test"]["stored"],
         lambda s: s is not None and "usage-cli" in s["buckets"] and
         s["buckets"]["usage-cli"]["bytes"] == 777)
    shown = cli(store)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("usage from ")
    assert any(line.startswith("account test: ") for line in lines)
    assert any(line.split() == ["usage-cli", "777", "1"] for line in lines)
    assert any(line.split()[:1] == ["write"] for line in lines)
    as_json = cli(store, "--json", "--since", "2h")
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert list(doc["accounts"]) == ["test"]
    assert doc["accounts"]["test"]["stored"]["buckets"]["usage-cli"] == {"bytes": 777,
                                                                         "objects": 1}
    everyone = cli(store, "--json", user=ROOT[0], key=ROOT[1])
    assert {"test", "other"} <= json.loads(everyone.stdout)["accounts"].keys()
    refused = cli(store, "--account", "other")
    assert refused.returncode != 0 and "403" in refused.stderr
    bad = cli(store, "--since", "yesterday")
    assert bad.returncode != 0 and "400" in bad.stderr and "ISO 8601" in bad.stderr


def test_counts_of_a_stopped_server_are_kept_and_old_samples_go(tmp_path: Path) -> None:
    # no flush while it runs (an hour): only the one at shutdown can write them
    slow = USERS + "\n[usage]\nsample_seconds = 1\nflush_seconds = 3600\n" \
        "keep_days = 0.00004\n"             # 3.5 seconds of samples
    port_data = tmp_path / "data"
    with serving(port_data, slow) as served:
        s3 = s3_of(served.url)
        try:
            s3.create_bucket(Bucket="usage-kept")
            s3.put_object(Bucket="usage-kept", Key="k", Body=b"k" * 1234)
        finally:
            s3.close()
        time.sleep(1.5)
        assert transfers(report(served.url), "test", "usage-kept") == {}
        # samples older than keep_days are deleted as new ones come
        time.sleep(7)        # 9 samples were taken by now; the last 4 or so are kept
        series = report(served.url, "?since=1h")["accounts"]["test"]["stored_series"]
        assert 1 <= len(series) <= 5, [s["time"] for s in series]
    with serving(port_data, slow) as served:
        rows = transfers(report(served.url), "test", "usage-kept")
        assert rows["write"] == {"requests": 1, "bytes_in": 1234, "bytes_out": 0}
