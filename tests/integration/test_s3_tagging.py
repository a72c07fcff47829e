"""S3 object and bucket tagging against a real `objectstore serve`, driven by boto3 at
its default settings (and python-swiftclient for the Swift side of the same objects):
every call, every limit refused, who may, and tags that outlive a Swift POST while a
tagging change leaves the object's content, ETag, Last-Modified and metadata alone."""

from __future__ import annotations

import os
import time
from typing import Any

import swiftclient

from tests.integration.s3_clients import client
from tests.integration.signed import send
from tests.integration.test_s3_unbuilt_features import answer as refusal


def tag_set(**tags: str) -> dict[str, Any]:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def tags_of(s3: Any, bucket: str, key: str) -> dict[str, str]:
    got = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in got}


def test_put_get_delete_object_tagging_and_the_count(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data", Metadata={"color": "blue"})
    before = s3.head_object(Bucket=bucket, Key="k")
    assert tags_of(s3, bucket, "k") == {}
    assert "x-amz-tagging-count" not in before["ResponseMetadata"]["HTTPHeaders"]
    time.sleep(1.1)             # a change of Last-Modified would show
    put = s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(b="2", a="1"))
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]
    assert got == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]   # sorted by key
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    obj = s3.get_object(Bucket=bucket, Key="k")
    assert obj["TagCount"] == 2 and obj["Body"].read() == b"data"
    # a tagging change is no write of the object
    for name in ("ETag", "LastModified", "Metadata", "ContentLength", "ContentType"):
        assert head[name] == before[name], name
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(c="3"))
    assert tags_of(s3, bucket, "k") == {"c": "3"}      # replaced whole, not merged
    deleted = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags_of(s3, bucket, "k") == {}
    head = s3.head_object(Bucket=bucket, Key="k")
    assert "x-amz-tagging-count" not in head["ResponseMetadata"]["HTTPHeaders"]
    assert head["Metadata"] == {"color": "blue"} and head["ETag"] == before["ETag"]
    # the null version is the object of an unversioned bucket
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId="null", Tagging=tag_set(v="n"))
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId="null")["TagSet"] == [
        {"Key": "v", "Value": "n"}]


def test_tags_on_put_copy_and_multipart(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="foo=bar&bar&sp%20ace=%C3%A9")
    assert tags_of(s3, bucket, "src") == {"bar": "", "foo": "bar", "sp ace": "é"}
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "src"})
    assert tags_of(s3, bucket, "copied") == tags_of(s3, bucket, "src")    # COPY: the default
    s3.copy_object(Bucket=bucket, Key="meta", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"m": "1"})
    assert tags_of(s3, bucket, "meta") == tags_of(s3, bucket, "src")      # tags still COPY
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="new=1")
    assert tags_of(s3, bucket, "replaced") == {"new": "1"}
    s3.copy_object(Bucket=bucket, Key="none", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE")
    assert tags_of(s3, bucket, "none") == {}
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="Hello=World&foo=bar")
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                          Body=b"p" * 100)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert tags_of(s3, bucket, "mp") == {"Hello": "World", "foo": "bar"}
    assert s3.head_object(Bucket=bucket, Key="mp")["ResponseMetadata"]["HTTPHeaders"][
        "x-amz-tagging-count"] == "2"
    s3.put_object_tagging(Bucket=bucket, Key="mp", Tagging=tag_set(one="1"))
    assert tags_of(s3, bucket, "mp") == {"one": "1"}
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"p" * 100


def test_each_limit_is_refused_and_changes_nothing(server: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="keep=1")
    ten = {str(i): "v" for i in range(10)}
    longest = {"k" * 127 + str(i): "v" * 256 for i in range(10)}
    for fine in (ten, longest, {"é" * 128: "ü" * 256}):
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(**fine))
        assert tags_of(s3, bucket, "k") == fine
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(keep="1"))
    too_many = {str(i): "v" for i in range(11)}
    for bad in (too_many, {"k" * 129: "v"}, {"k": "v" * 257}, {"aws:x": "v"}):
        assert refusal(lambda b=bad: s3.put_object_tagging(
            Bucket=bucket, Key="k", Tagging=tag_set(**b))) == (400, "InvalidTag")
    twice = {"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}
    assert refusal(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=twice)) \
        == (400, "InvalidTag")
    assert refusal(lambda: s3.put_object(Bucket=bucket, Key="new", Body=b"x",
                                         Tagging="&".join(f"{i}=v" for i in range(11)))) \
        == (400, "InvalidTag")
    assert refusal(lambda: s3.put_object(Bucket=bucket, Key="new", Body=b"x",
                                         Tagging="a=1&a=2")) == (400, "InvalidArgument")
    for body in (b"<Tagging><TagSet>", b"<Tagging><Tag/></Tagging>"):
        answer = send(server, "PUT", f"/{bucket}/k?tagging", {}, body)
        assert (answer.status, answer.code) == (400, "MalformedXML")
    assert tags_of(s3, bucket, "k") == {"keep": "1"}
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="new")


def test_who_may_tag(server: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(team="a"))
    reader = client(server, "test:reader", "readkey")       # of the account, not an admin
    other = client(server, "other:someone", "secret2")      # another account
    for who in (reader, other):
        for call in (lambda c=who: c.get_object_tagging(Bucket=bucket, Key="k"),
                     lambda c=who: c.put_object_tagging(Bucket=bucket, Key="k",
                                                        Tagging=tag_set(b="2")),
                     lambda c=who: c.delete_object_tagging(Bucket=bucket, Key="k"),
                     lambda c=who: c.get_bucket_tagging(Bucket=bucket),
                     lambda c=who: c.put_bucket_tagging(Bucket=bucket,
                                                        Tagging=tag_set(b="2")),
                     lambda c=who: c.delete_bucket_tagging(Bucket=bucket)):
            assert refusal(call) == (403, "AccessDenied")
    reader.close()
    other.close()
    assert tags_of(s3, bucket, "k") == {"a": "1"}
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]
    assert refusal(lambda: s3.get_object_tagging(Bucket=bucket, Key="missing")) \
        == (404, "NoSuchKey")
    assert refusal(lambda: s3.put_object_tagging(Bucket=bucket, Key="missing",
                                                 Tagging=tag_set(a="1"))) == (404, "NoSuchKey")
    assert refusal(lambda: s3.get_object_tagging(Bucket=f"none-{os.urandom(4).hex()}",
                                                 Key="k")) == (404, "NoSuchBucket")


def test_tags_and_metadata_survive_each_others_changes_through_both_apis(
        server: str, s3: Any, bucket: str) -> None:
    swift = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                   key="testing", retries=0)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1", Metadata={"m": "s3"})
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"]
    swift.post_object(bucket, "k", {"X-Object-Meta-Color": "red"})      # replaces user meta
    assert tags_of(s3, bucket, "k") == {"a": "1"}
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"color": "red"}
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(b="2"))
    swift.post_object(bucket, "k", {"X-Object-Meta-Color": "green"})
    assert tags_of(s3, bucket, "k") == {"b": "2"}          # the posted tags, not the PUT's
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    swift.post_object(bucket, "k", {"X-Object-Meta-Size": "big"})
    assert tags_of(s3, bucket, "k") == {}                  # deleted stays deleted
    head = swift.head_object(bucket, "k")
    assert head["x-object-meta-size"] == "big" and f'"{head["etag"]}"' == etag
    assert not any("tagging" in name or "sysmeta" in name for name in head)
    # a POST that changes the content type rewrites the object: its tags go along
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(c="3"))
    swift.post_object(bucket, "k", {"Content-Type": "text/x-new"})
    assert tags_of(s3, bucket, "k") == {"c": "3"}
    assert s3.get_object(Bucket=bucket, Key="k")["ContentType"] == "text/x-new"
    swift.close()


def test_bucket_tagging(server: str, s3: Any, bucket: str) -> None:
    assert refusal(lambda: s3.get_bucket_tagging(Bucket=bucket)) == (404, "NoSuchTagSet")
    put = s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(Hello="World", a=""))
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [
        {"Key": "Hello", "Value": "World"}, {"Key": "a", "Value": ""}]
    fifty = {f"t{i:02}": "v" * 256 for i in range(50)}
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(**fifty))
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    for bad in ({**fifty, "one-more": "v"}, {"k" * 129: "v"}, {"k": "v" * 257}):
        assert refusal(lambda b=bad: s3.put_bucket_tagging(
            Bucket=bucket, Tagging=tag_set(**b))) == (400, "InvalidTag")
    answer = send(server, "PUT", f"/{bucket}?tagging", {}, b"<Tagging>")
    assert (answer.status, answer.code) == (400, "MalformedXML")
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    deleted = s3.delete_bucket_tagging(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert refusal(lambda: s3.get_bucket_tagging(Bucket=bucket)) == (404, "NoSuchTagSet")
    assert refusal(lambda: s3.get_bucket_tagging(Bucket=f"none-{os.urandom(4).hex()}")) \
        == (404, "NoSuchBucket")


def test_each_version_has_its_own_tags(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"null", Tagging="v=null")   # the null one
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one", Tagging="v=1")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert tags_of(s3, bucket, "k") == {}                       # the current: second
    got = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=first,
                                Tagging=tag_set(v="first"))
    assert got["VersionId"] == first
    put = s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(v="current"))
    assert put["VersionId"] == second                            # named in the answer
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"] == [
        {"Key": "v", "Value": "first"}]
    current = s3.get_object_tagging(Bucket=bucket, Key="k")
    assert current["VersionId"] == second and current["TagSet"] == [
        {"Key": "v", "Value": "current"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId="null")["TagSet"] == [
        {"Key": "v", "Value": "null"}]
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=first)["ResponseMetadata"][
        "HTTPHeaders"]["x-amz-tagging-count"] == "1"
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=first)
    assert tags_of(s3, bucket, "k") == {"v": "current"}
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"] == []
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=first)["Body"].read() == b"one"
    # a copy of an old version takes that version's tags
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=first, Tagging=tag_set(o="1"))
    s3.copy_object(Bucket=bucket, Key="copy",
                   CopySource={"Bucket": bucket, "Key": "k", "VersionId": first})
    assert tags_of(s3, bucket, "copy") == {"o": "1"}
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    assert refusal(lambda: s3.get_object_tagging(Bucket=bucket, Key="k")) \
        == (404, "NoSuchKey")
    assert refusal(lambda: s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=marker)
                   )[0] == 405
    gone = first[:-1] + ("0" if first[-1] != "0" else "1")
    assert refusal(lambda: s3.put_object_tagging(
        Bucket=bucket, Key="k", VersionId=gone, Tagging=tag_set(a="1"))) \
        == (404, "NoSuchVersion")


def test_a_swift_post_to_a_versioned_object_keeps_its_versions_tags(
        server: str, s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="v=old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"2", Tagging="v=new")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(v="changed"))
    swift = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                   key="testing", retries=0)
    swift.post_object(bucket, "k", {"X-Object-Meta-Color": "red"})
    swift.close()
    assert tags_of(s3, bucket, "k") == {"v": "changed"}
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"color": "red"}
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=old)["TagSet"] == [
        {"Key": "v", "Value": "old"}]
