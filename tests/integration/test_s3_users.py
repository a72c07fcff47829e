"""Who may do what through S3: a user with `admin = false` is refused everything until
the ACL work says what ACLs grant it, even in its own account."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.client import Config
from botocore.exceptions import ClientError

from tests.integration.serving import serving

USERS = """
[[users]]
account = "team"
user = "boss"
key = "boss-key"
admin = true

[[users]]
account = "team"
user = "intern"
key = "intern-key"
admin = false
"""


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("users"), USERS) as endpoint:
        yield endpoint


def client(url: str, key: str, secret: str) -> Any:
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=key,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def refused(call: Callable[[], Any], code: str = "AccessDenied") -> None:
    with pytest.raises(ClientError) as info:
        call()
    r = info.value.response
    assert (r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]) == (403, code)


def test_non_admin_user_is_refused_everything(url: str) -> None:
    boss = client(url, "team:boss", "boss-key")
    intern = client(url, "team:intern", "intern-key")
    boss.create_bucket(Bucket="work")
    boss.put_object(Bucket="work", Key="plan", Body=b"the plan")
    # a HEAD's error has no body: botocore names it by its status
    refused(lambda: intern.head_object(Bucket="work", Key="plan"), "403")
    refused(lambda: intern.head_bucket(Bucket="work"), "403")

    for call in (intern.list_buckets,
                 lambda: intern.create_bucket(Bucket="intern-own"),
                 lambda: intern.delete_bucket(Bucket="work"),
                 lambda: intern.list_objects_v2(Bucket="work"),
                 lambda: intern.get_object(Bucket="work", Key="plan"),
                 lambda: intern.put_object(Bucket="work", Key="plan", Body=b"overwritten"),
                 lambda: intern.put_object(Bucket="work", Key="new", Body=b"x"),
                 lambda: intern.delete_object(Bucket="work", Key="plan"),
                 lambda: intern.delete_objects(Bucket="work",
                                               Delete={"Objects": [{"Key": "plan"}]}),
                 lambda: intern.copy_object(Bucket="work", Key="copy",
                                            CopySource={"Bucket": "work", "Key": "plan"}),
                 lambda: intern.create_multipart_upload(Bucket="work", Key="mp"),
                 lambda: intern.get_bucket_acl(Bucket="work"),
                 lambda: intern.get_bucket_location(Bucket="work")):
        refused(call)
    presigned = intern.generate_presigned_url("get_object",
                                              Params={"Bucket": "work", "Key": "plan"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(presigned, timeout=10)
    assert info.value.code == 403 and b"<Code>AccessDenied</Code>" in info.value.read()
    # nothing the intern tried happened
    assert boss.get_object(Bucket="work", Key="plan")["Body"].read() == b"the plan"
    names = [o["Key"] for o in boss.list_objects_v2(Bucket="work").get("Contents", [])]
    assert names == ["plan"]
    assert [b["Name"] for b in boss.list_buckets()["Buckets"]] == ["work"]
    assert not boss.list_multipart_uploads(Bucket="work").get("Uploads")


def test_wrong_secret_of_a_non_admin_is_still_a_signature_error(url: str) -> None:
    """Refusing a non-admin comes after checking who signed: a bad signature says so."""
    with pytest.raises(ClientError) as info:
        client(url, "team:intern", "not-the-key").list_buckets()
    assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_admin_keeps_every_right(url: str) -> None:
    boss = client(url, "team:boss", "boss-key")
    boss.create_bucket(Bucket="boss-own")
    boss.put_object(Bucket="boss-own", Key="k", Body=b"v")
    boss.delete_objects(Bucket="boss-own", Delete={"Objects": [{"Key": "k"}]})
    boss.delete_bucket(Bucket="boss-own")
