"""Keystone users through both APIs, against a real Keystone (tests/keystone.py): Swift
requests with Keystone tokens (python-swiftclient and the `swift` CLI with v3
authentication, as an OpenStack user runs them), S3 requests signed with Keystone EC2
credentials (boto3), keystoneauth's ACL semantics, and what a broken Keystone answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import pytest
import requests
import swiftclient
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration.conftest import serving
from tests.keystone import SERVICE, Keystone, keystone, keystone_table
from tests.servers import free_port

# swiftclient drives python-keystoneclient in ways keystoneclient has deprecated (its
# `tenant_*` arguments, a client without a session): their warnings are not ours
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Cloud(NamedTuple):
    """Keystone and an objectstore that trusts it."""

    ks: Keystone
    url: str                    # objectstore
    ids: dict[str, str]         # user and project name -> id


TEMPAUTH_USER = '[[users]]\naccount = "local"\nuser = "admin"\nkey = "localkey"\n'


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    where = tmp_path_factory.mktemp("keystone")
    with keystone(where / "keystone") as ks:
        port = free_port()
        ks.object_store(f"http://127.0.0.1:{port}/v1/AUTH_$(project_id)s")
        ids = {}
        ks.role("swiftoperator")
        ids["swift"] = ks.user(*SERVICE, role="admin")
        ids["alice"] = ks.user("alice", "alice-pw", "red", "swiftoperator")
        ids["clerk"] = ks.user("clerk", "clerk-pw", "red", "member")
        ids["bob"] = ks.user("bob", "bob-pw", "blue", "admin")
        ids["root"] = ks.user("root", "root-pw", "ops", "ResellerAdmin")
        ids["eve"] = ks.user("eve", "eve-pw", "green", "admin", domain="elsewhere")
        for project in ("red", "blue", "ops"):
            ids[project] = ks.project(project)
        ids["green"] = ks.project("green", "elsewhere")
        ks.ec2(ids["alice"], ids["red"], "alice-ec2", "alice-ec2-secret")
        ks.ec2(ids["clerk"], ids["red"], "clerk-ec2", "clerk-ec2-secret")
        config = TEMPAUTH_USER + keystone_table(ks.url)
        with serving(where / "data", config, port=port) as served:
            yield Cloud(ks, served.url, ids)


def swift(cloud: Cloud, user: str, password: str, project: str,
          domain: str = "Default") -> swiftclient.Connection:
    """python-swiftclient with Keystone v3 password authentication, as `swift` runs."""
    return swiftclient.Connection(
        authurl=cloud.ks.url, user=user, key=password, auth_version="3",
        os_options={"project_name": project, "user_domain_name": domain,
                    "project_domain_name": domain})


def s3(cloud: Cloud, access: str, secret: str) -> Any:
    return boto3.client("s3", endpoint_url=cloud.url, aws_access_key_id=access,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def name() -> str:
    return f"k-{os.urandom(4).hex()}"


def test_a_projects_operator_owns_its_account(cloud: Cloud) -> None:
    alice = swift(cloud, "alice", "alice-pw", "red")
    url, _ = alice.get_auth()
    assert url.endswith(f"/v1/AUTH_{cloud.ids['red']}")     # from Keystone's catalog
    container = name()
    alice.put_container(container)
    alice.put_object(container, "hello.txt", b"from keystone")
    assert alice.get_object(container, "hello.txt")[1] == b"from keystone"
    listed = [c["name"] for c in alice.get_account()[1]]
    assert container in listed
    alice.post_container(container, {"X-Container-Read": ".r:*"})   # an owner's right
    assert requests.get(f"{url}/{container}/hello.txt", timeout=10).content == \
        b"from keystone"


def test_the_swift_cli_with_keystone_v3(cloud: Cloud, tmp_path: Path) -> None:
    env = {**os.environ, "OS_AUTH_URL": cloud.ks.url, "OS_USERNAME": "bob",
           "OS_PASSWORD": "bob-pw", "OS_PROJECT_NAME": "blue",
           "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
           "OS_IDENTITY_API_VERSION": "3"}
    swift_cli = [str(Path(sys.executable).parent / "swift"), "--auth-version", "3"]
    (tmp_path / "report.txt").write_text("quarterly\n")
    container = name()
    subprocess.run([*swift_cli, "upload", "--object-name", "report.txt", container,
                    str(tmp_path / "report.txt")], env=env, check=True, capture_output=True)
    listed = subprocess.run([*swift_cli, "list", container], env=env, check=True,
                            capture_output=True, text=True).stdout
    assert listed.split() == ["report.txt"]
    stat = subprocess.run([*swift_cli, "stat"], env=env, check=True, capture_output=True,
                          text=True).stdout
    assert f"AUTH_{cloud.ids['blue']}" in stat


def test_a_member_without_an_operator_role_gets_only_what_acls_grant(cloud: Cloud) -> None:
    alice, clerk = swift(cloud, "alice", "alice-pw", "red"), swift(cloud, "clerk", "clerk-pw",
                                                                   "red")
    container = name()
    alice.put_container(container)
    alice.put_object(container, "a", b"secret")
    for attempt in (lambda: clerk.get_object(container, "a"),
                    lambda: clerk.put_container(name()),
                    lambda: clerk.get_account()):
        with pytest.raises(swiftclient.ClientException) as refused:
            attempt()
        assert refused.value.http_status == 403
    # keystoneauth's `project:user`, by id ...
    alice.post_container(container, {
        "X-Container-Read": f"{cloud.ids['red']}:{cloud.ids['clerk']}"})
    assert clerk.get_object(container, "a")[1] == b"secret"
    with pytest.raises(swiftclient.ClientException) as refused:
        clerk.put_object(container, "b", b"no")
    assert refused.value.http_status == 403
    # ... by name (both in the default domain), and by role in the user's own project
    alice.post_container(container, {"X-Container-Read": "", "X-Container-Write": "red:clerk"})
    clerk.put_object(container, "b", b"yes")
    with pytest.raises(swiftclient.ClientException):
        clerk.get_object(container, "a")
    alice.post_container(container, {"X-Container-Read": "member"})
    assert clerk.get_object(container, "b")[1] == b"yes"


def test_acls_across_projects_and_domains(cloud: Cloud) -> None:
    alice, bob = swift(cloud, "alice", "alice-pw", "red"), swift(cloud, "bob", "bob-pw", "blue")
    eve = swift(cloud, "eve", "eve-pw", "green", domain="elsewhere")
    red_url, _ = alice.get_auth()
    container = name()
    alice.put_container(container)
    alice.put_object(container, "shared", b"for blue")

    def read(conn: swiftclient.Connection) -> int:
        _, token = conn.get_auth()
        return requests.get(f"{red_url}/{container}/shared", timeout=10,
                            headers={"X-Auth-Token": token}).status_code

    assert read(bob) == 403 and read(eve) == 403
    alice.post_container(container, {"X-Container-Read": "blue:bob"})
    assert read(bob) == 200
    # a role in an ACL counts in the user's own project only (bob is admin of blue)
    alice.post_container(container, {"X-Container-Read": "admin"})
    assert read(bob) == 403
    # names are never matched outside the default domain; ids and `*` are
    alice.post_container(container, {"X-Container-Read": "green:eve"})
    assert read(eve) == 403
    alice.post_container(container, {"X-Container-Read": f"*:{cloud.ids['eve']}"})
    assert read(eve) == 200 and read(bob) == 403
    alice.post_container(container, {"X-Container-Read": "*:*"})
    assert read(bob) == 200


def test_an_account_of_another_domain_matches_no_names(cloud: Cloud) -> None:
    eve = swift(cloud, "eve", "eve-pw", "green", domain="elsewhere")
    alice = swift(cloud, "alice", "alice-pw", "red")
    container = name()
    eve.put_container(container)     # records the project's domain on its account
    alice.put_container(name())
    eve.put_object(container, "o", b"green data")
    domain_id = cloud.ks.domain("elsewhere")
    assert eve.head_account()["x-account-project-domain-id"] == domain_id
    assert alice.head_account()["x-account-project-domain-id"] == "default"
    green_url, _ = eve.get_auth()

    def read() -> int:
        _, token = alice.get_auth()
        return requests.get(f"{green_url}/{container}/o", timeout=10,
                            headers={"X-Auth-Token": token}).status_code

    eve.post_container(container, {"X-Container-Read": "red:alice"})
    assert read() == 403        # a name means nothing in another domain's account
    eve.post_container(container, {"X-Container-Read": f"{cloud.ids['red']}:*"})
    assert read() == 200


def test_the_reseller_admin_role_owns_every_account(cloud: Cloud) -> None:
    root = swift(cloud, "root", "root-pw", "ops")
    _, token = root.get_auth()
    red = f"{cloud.url}/v1/AUTH_{cloud.ids['red']}"
    container = name()
    assert requests.put(f"{red}/{container}", headers={"X-Auth-Token": token},
                        timeout=10).status_code == 201
    alice = swift(cloud, "alice", "alice-pw", "red")
    assert container in [c["name"] for c in alice.get_account()[1]]
    bob = swift(cloud, "bob", "bob-pw", "blue")
    _, bob_token = bob.get_auth()
    assert requests.get(red, headers={"X-Auth-Token": bob_token},
                        timeout=10).status_code == 403


def test_bad_tokens_and_tempauth_side_by_side(cloud: Cloud) -> None:
    red = f"{cloud.url}/v1/AUTH_{cloud.ids['red']}"
    for token in ("gAAAAnot-a-token", "x" * 300, ""):
        r = requests.get(red, headers={"X-Auth-Token": token}, timeout=10)
        assert r.status_code == 401, token
    # an unscoped token names no project, so no account
    unscoped = requests.post(f"{cloud.ks.url}/auth/tokens", timeout=10, json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"id": "default"}, "password": "alice-pw"}}}}})
    assert unscoped.status_code == 201
    r = requests.get(red, headers={"X-Auth-Token": unscoped.headers["X-Subject-Token"]},
                     timeout=10)
    assert r.status_code == 401
    # the config's own users still log in with TempAuth
    local = swiftclient.Connection(authurl=f"{cloud.url}/auth/v1.0", user="local:admin",
                                   key="localkey")
    local.put_container("mine")
    assert local.get_auth()[0].endswith("/v1/AUTH_local")


def test_s3_with_keystone_ec2_credentials(cloud: Cloud) -> None:
    alice = s3(cloud, "alice-ec2", "alice-ec2-secret")
    bucket = name()
    alice.create_bucket(Bucket=bucket)
    alice.put_object(Bucket=bucket, Key="k", Body=b"via ec2")
    assert alice.get_object(Bucket=bucket, Key="k")["Body"].read() == b"via ec2"
    assert alice.get_bucket_acl(Bucket=bucket)["Owner"]["ID"] == cloud.ids["red"]
    # the same account through Swift, with a token of the same project
    conn = swift(cloud, "alice", "alice-pw", "red")
    assert conn.get_object(bucket, "k")[1] == b"via ec2"
    # a member's key is no owner's
    clerk = s3(cloud, "clerk-ec2", "clerk-ec2-secret")
    with pytest.raises(ClientError) as refused:
        clerk.get_object(Bucket=bucket, Key="k")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    for access, secret, code in (("alice-ec2", "wrong", "SignatureDoesNotMatch"),
                                 ("nobody-ec2", "x", "InvalidAccessKeyId")):
        with pytest.raises(ClientError) as refused:
            s3(cloud, access, secret).list_buckets()
        assert refused.value.response["Error"]["Code"] == code


def test_a_revoked_token_is_refused_once_the_cache_lets_go(
        cloud: Cloud, tmp_path: Path) -> None:
    config = keystone_table(cloud.ks.url, cache_seconds=1)
    with serving(tmp_path / "data", TEMPAUTH_USER + config) as served:
        token = cloud.ks.token("alice", "alice-pw", "red")
        account = f"{served.url}/v1/AUTH_{cloud.ids['red']}"
        assert requests.get(account, headers={"X-Auth-Token": token},
                            timeout=10).status_code in (200, 204)
        cloud.ks.call("DELETE", "/auth/tokens", headers={"X-Subject-Token": token})
        deadline = time.monotonic() + 15
        status = 0
        while time.monotonic() < deadline:
            status = requests.get(account, headers={"X-Auth-Token": token},
                                  timeout=10).status_code
            if status == 401:
                break
            time.sleep(0.3)
        assert status == 401


def test_keystone_unreachable_is_503_not_anonymous(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v3"
    with serving(tmp_path / "data", TEMPAUTH_USER + keystone_table(dead)) as served:
        r = requests.get(f"{served.url}/v1/AUTH_someproject",
                         headers={"X-Auth-Token": "gAAAAsome-token"}, timeout=30)
        assert r.status_code == 503
        with pytest.raises(ClientError) as refused:
            boto3.client("s3", endpoint_url=served.url, aws_access_key_id="some-ec2",
                         aws_secret_access_key="x", region_name="us-east-1",
                         config=Config(retries={"max_attempts": 1})).list_buckets()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        # the config's own users do not need Keystone
        r = requests.get(f"{served.url}/auth/v1.0", timeout=10,
                         headers={"X-Auth-User": "local:admin", "X-Auth-Key": "localkey"})
        assert r.status_code == 200
