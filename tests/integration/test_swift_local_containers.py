"""Swift-only containers (objectstore/proxy/swift_only.py): a Swift container whose name
another account holds is that account's own container for Swift, and no S3 bucket --
through python-swiftclient and boto3, both accounts and both APIs."""

from __future__ import annotations

import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.test_swift_edge import OTHER, s3, s3_code, swift, unique


def s3_status(info: pytest.ExceptionInfo[ClientError]) -> int:
    return int(info.value.response["ResponseMetadata"]["HTTPStatusCode"])


def bucket_names(client: object) -> list[str]:
    return [b["Name"] for b in client.list_buckets()["Buckets"]]   # type: ignore[attr-defined]


def test_a_taken_name_makes_a_swift_only_container(server: str) -> None:
    name = unique("local")
    mine, my_s3 = swift(server), s3(server)
    theirs, their_s3 = swift(server, OTHER), s3(server, OTHER)
    my_s3.create_bucket(Bucket=name)
    my_s3.put_object(Bucket=name, Key="k", Body=b"owner's")
    theirs.put_container(name, headers={"X-Container-Meta-Color": "blue"})   # 201
    theirs.put_object(name, "k", b"theirs")
    # Swift: two containers of one name, each account sees its own
    assert theirs.get_object(name, "k")[1] == b"theirs"
    assert mine.get_object(name, "k")[1] == b"owner's"
    assert theirs.head_container(name)["x-container-meta-color"] == "blue"
    assert "x-container-meta-color" not in mine.head_container(name)
    assert [o["name"] for o in theirs.get_container(name)[1]] == ["k"]
    assert name in [c["name"] for c in theirs.get_account()[1]]
    theirs.post_container(name, {"X-Container-Meta-Color": "green"})
    theirs.put_container(name)                                               # 202
    assert theirs.head_container(name)["x-container-meta-color"] == "green"
    # S3: the name still means the owner's bucket; the other account is refused
    assert my_s3.get_object(Bucket=name, Key="k")["Body"].read() == b"owner's"
    for call in (lambda: their_s3.head_bucket(Bucket=name),
                 lambda: their_s3.get_object(Bucket=name, Key="k"),
                 lambda: their_s3.put_object(Bucket=name, Key="x", Body=b"no"),
                 lambda: their_s3.list_objects_v2(Bucket=name)):
        with pytest.raises(ClientError) as info:
            call()
        assert s3_status(info) == 403
    with pytest.raises(ClientError) as info:
        their_s3.create_bucket(Bucket=name)
    assert s3_code(info) == "BucketAlreadyExists"
    assert name not in bucket_names(their_s3)
    assert name in bucket_names(my_s3)
    assert [o["name"] for o in mine.get_container(name)[1]] == ["k"]   # nothing leaked
    # delete and re-create: still Swift-only while the owner holds the name
    theirs.delete_object(name, "k")
    theirs.delete_container(name)
    with pytest.raises(swiftclient.ClientException) as exc:
        theirs.head_container(name)
    assert exc.value.http_status == 404
    theirs.put_container(name)
    assert name not in bucket_names(their_s3)
    with pytest.raises(ClientError) as info:
        their_s3.head_bucket(Bucket=name)
    assert s3_status(info) == 403
    theirs.delete_container(name)
    my_s3.delete_object(Bucket=name, Key="k")
    my_s3.delete_bucket(Bucket=name)


def test_the_name_freed_by_its_owner_can_become_a_bucket(server: str) -> None:
    name = unique("freed")
    mine, my_s3 = swift(server), s3(server)
    theirs, their_s3 = swift(server, OTHER), s3(server, OTHER)
    mine.put_container(name)
    theirs.put_container(name)
    theirs.put_object(name, "kept", b"still here")
    mine.delete_container(name)                     # the owner gives the name up
    # the Swift-only container stays what it was until its account claims the name
    with pytest.raises(ClientError) as info:
        their_s3.head_bucket(Bucket=name)
    assert s3_status(info) == 404
    assert name not in bucket_names(their_s3)
    theirs.put_container(name)                      # 202, and now the name is theirs
    their_s3.head_bucket(Bucket=name)
    assert name in bucket_names(their_s3)
    body = their_s3.get_object(Bucket=name, Key="kept")["Body"].read()
    assert body == b"still here"
    with pytest.raises(ClientError) as info:        # the first account is refused now
        my_s3.create_bucket(Bucket=name)
    assert s3_code(info) == "BucketAlreadyExists"
    mine.put_container(name)                        # ... but may have a Swift-only one
    assert name not in bucket_names(my_s3)
    mine.delete_container(name)
    theirs.delete_object(name, "kept")
    theirs.delete_container(name)
    my_s3.create_bucket(Bucket=name)                # freed again by its owner's delete
    my_s3.delete_bucket(Bucket=name)


def test_s3_create_bucket_adopts_a_swift_only_container_once_the_name_is_free(
        server: str) -> None:
    name = unique("adopt")
    mine, theirs, their_s3 = swift(server), swift(server, OTHER), s3(server, OTHER)
    mine.put_container(name)
    theirs.put_container(name)
    mine.delete_container(name)
    their_s3.create_bucket(Bucket=name)
    their_s3.put_object(Bucket=name, Key="via-s3", Body=b"s3")
    assert theirs.get_object(name, "via-s3")[1] == b"s3"
    assert name in bucket_names(their_s3)
    their_s3.delete_object(Bucket=name, Key="via-s3")
    their_s3.delete_bucket(Bucket=name)
