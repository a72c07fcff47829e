"""Storage policies through a real `serve` (three nodes, three replicas: policies
`default` and `reduced`, two replicas): a container's policy is chosen when it is made
and never changes, its objects are stored on exactly as many nodes as the policy keeps,
in the policy's own directory, and both APIs read and write them as any other."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.dom import minidom

import boto3
import pytest
import requests
import swiftclient
from botocore.config import Config

from tests.integration.conftest import USERS, serving
from tests.integration.test_swift_edge import ADMIN, login, swift, unique


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("policies") / "data"
    with serving(data, USERS) as served:
        yield served.url, data


def data_files(data: Path, kind: str, suffix: str = ".data") -> set[Path]:
    """Every stored file of one kind (objects, objects-1) on every node."""
    return {p for p in data.glob(f"node*/d*/{kind}/*/*/*/*{suffix}")}


def fail(call: object, *args: object, **kwargs: object) -> swiftclient.ClientException:
    with pytest.raises(swiftclient.ClientException) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    return info.value


def test_info_lists_both_policies(store: tuple[str, Path]) -> None:
    url, _ = store
    policies = requests.get(f"{url}/info", timeout=10).json()["swift"]["policies"]
    assert [(p["name"], p["replicas"], p.get("default", False)) for p in policies] == \
        [("default", 3, True), ("reduced", 2, False)]


def test_a_container_keeps_the_policy_it_was_made_in(store: tuple[str, Path]) -> None:
    url, _ = store
    conn, name = swift(url), unique("pol")
    conn.put_container(name, headers={"X-Storage-Policy": "Reduced"})   # any case
    assert conn.head_container(name)["x-storage-policy"] == "reduced"
    conn.put_container(name)                           # 202, still reduced
    conn.put_container(name, headers={"X-Storage-Policy": "reduced"})
    assert conn.head_container(name)["x-storage-policy"] == "reduced"
    refused = fail(conn.put_container, name, headers={"X-Storage-Policy": "default"})
    assert refused.http_status == 409
    conn.post_container(name, {"X-Storage-Policy": "reduced", "X-Container-Meta-A": "1"})
    refused = fail(conn.post_container, name, {"X-Storage-Policy": "default"})
    assert refused.http_status == 409
    head = conn.head_container(name)
    assert head["x-storage-policy"] == "reduced" and head["x-container-meta-a"] == "1"
    unknown = fail(conn.put_container, unique("gold"), headers={"X-Storage-Policy": "gold"})
    assert unknown.http_status == 400
    assert "'default', 'reduced'" in unknown.http_response_content.decode()

    # the account listing names each container's policy, in JSON and in XML
    plain = unique("plain")
    conn.put_container(plain)
    _, rows = conn.get_account(prefix="pol")
    assert {r["name"]: r["storage_policy"] for r in rows}[name] == "reduced"
    token = login(url, ADMIN)
    xml = requests.get(f"{url}/v1/AUTH_test?format=xml&prefix={plain}",
                       headers={"X-Auth-Token": token}, timeout=10).content
    [element] = minidom.parseString(xml).getElementsByTagName("storage_policy")
    assert element.firstChild.nodeValue == "default"

    # deleted and made again without a policy: the default
    conn.delete_container(name)
    conn.put_container(name)
    assert conn.head_container(name)["x-storage-policy"] == "default"
    for c in (name, plain):
        conn.delete_container(c)


def test_objects_are_stored_on_as_many_nodes_as_the_policy_keeps(
        store: tuple[str, Path]) -> None:
    url, data = store
    conn, name = swift(url), unique("two")
    conn.put_container(name, headers={"X-Storage-Policy": "reduced"})
    before = data_files(data, "objects-1"), data_files(data, "objects")
    small, large = b"small object", bytes(range(256)) * 4096          # 1 MiB: streamed
    conn.put_object(name, "small", small)
    conn.put_object(name, "large", large)
    after = data_files(data, "objects-1"), data_files(data, "objects")
    assert len(after[0] - before[0]) == 4, "two replicas of each object"
    assert after[1] == before[1], "nothing of it in the default policy's directory"
    assert conn.get_object(name, "small")[1] == small
    assert conn.get_object(name, "large")[1] == large
    assert conn.get_object(name, "large", headers={"Range": "bytes=10-19"})[1] == large[10:20]
    conn.post_object(name, "small", {"X-Object-Meta-Color": "blue"})
    assert conn.head_object(name, "small")["x-object-meta-color"] == "blue"
    # the listing is whole on every container replica (the third hears from the proxy)
    listing = {o["name"]: o["bytes"] for o in conn.get_container(name)[1]}
    assert listing == {"small": len(small), "large": len(large)}
    assert int(conn.head_container(name)["x-container-object-count"]) == 2

    tombstones = data_files(data, "objects-1", ".ts")
    conn.delete_object(name, "small")
    assert len(data_files(data, "objects-1", ".ts") - tombstones) == 2
    assert fail(conn.get_object, name, "small").http_status == 404
    assert [o["name"] for o in conn.get_container(name)[1]] == ["large"]
    conn.delete_object(name, "large")
    conn.delete_container(name)


def test_copies_cross_policies_both_ways(store: tuple[str, Path]) -> None:
    url, data = store
    conn = swift(url)
    reduced, plain = unique("red"), unique("def")
    conn.put_container(reduced, headers={"X-Storage-Policy": "reduced"})
    conn.put_container(plain)
    conn.put_object(reduced, "r", b"from reduced")
    conn.put_object(plain, "p", b"from default")
    before = data_files(data, "objects")
    conn.put_object(plain, "copy-of-r", b"", headers={"X-Copy-From": f"{reduced}/r"})
    conn.copy_object(plain, "p", f"/{reduced}/copy-of-p")
    assert len(data_files(data, "objects") - before) == 3, "a default copy: 3 replicas"
    assert conn.get_object(plain, "copy-of-r")[1] == b"from reduced"
    assert conn.get_object(reduced, "copy-of-p")[1] == b"from default"
    for c, objects in ((reduced, ("r", "copy-of-p")), (plain, ("p", "copy-of-r"))):
        for o in objects:
            conn.delete_object(c, o)
        conn.delete_container(c)


def test_s3_reads_and_writes_a_reduced_container_and_its_versions(
        store: tuple[str, Path]) -> None:
    url, data = store
    conn, name = swift(url), unique("s3red")
    conn.put_container(name, headers={"X-Storage-Policy": "reduced"})
    s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}))
    before = data_files(data, "objects-1")
    s3.put_object(Bucket=name, Key="k", Body=b"one")
    assert len(data_files(data, "objects-1") - before) == 2
    assert conn.get_object(name, "k")[1] == b"one"
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"one"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]] == ["k"]

    # versions are kept in the same policy as the container's objects
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=name, Key="v", Body=b"first")["VersionId"]
    s3.put_object(Bucket=name, Key="v", Body=b"second")
    versions_before = data_files(data, "objects")
    old = s3.get_object(Bucket=name, Key="v", VersionId=first)
    assert old["Body"].read() == b"first"
    assert data_files(data, "objects") == versions_before
    # a multipart upload's parts too
    upload = s3.create_multipart_upload(Bucket=name, Key="mp")["UploadId"]
    part = s3.upload_part(Bucket=name, Key="mp", UploadId=upload, PartNumber=1,
                          Body=b"p" * (5 << 20))
    s3.complete_multipart_upload(Bucket=name, Key="mp", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert data_files(data, "objects") == versions_before, "no part in the default policy"
    assert s3.get_object(Bucket=name, Key="mp")["Body"].read() == b"p" * (5 << 20)
    listed = json.loads(requests.get(
        f"{url}/v1/AUTH_test?format=json&prefix={name}",
        headers={"X-Auth-Token": login(url, ADMIN)}, timeout=10).content)
    assert {r["name"]: r["storage_policy"] for r in listed}[name] == "reduced"


def test_the_swift_cli_makes_a_container_in_a_policy(store: tuple[str, Path],
                                                     tmp_path: Path) -> None:
    url, data = store
    swift_cli = shutil.which("swift", path=str(Path(sys.executable).parent))
    assert swift_cli, "python-swiftclient installs the swift command"
    env = {**os.environ, "ST_AUTH": f"{url}/auth/v1.0", "ST_USER": ADMIN[0],
           "ST_KEY": ADMIN[1]}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([swift_cli, *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done

    name = unique("cli")
    run("post", "-H", "X-Storage-Policy: reduced", name)
    assert "X-Storage-Policy: reduced" in run("stat", name).stdout
    (tmp_path / "f.bin").write_bytes(b"f" * 1000)
    before = data_files(data, "objects-1")
    run("upload", name, "f.bin")
    assert len(data_files(data, "objects-1") - before) == 2
    run("delete", name)
