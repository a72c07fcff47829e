"""The minio Python client against a real `objectstore serve`."""

from __future__ import annotations

import io
import os

from minio import Minio


def test_minio_client(server: str) -> None:
    client = Minio(server.removeprefix("http://"), access_key="test:tester",
                   secret_key="testing", secure=False, region="us-east-1")
    bucket = f"mn-{os.urandom(4).hex()}"
    client.make_bucket(bucket)
    assert client.bucket_exists(bucket)
    body = os.urandom(7 * 1024 * 1024)          # over minio's 5 MiB part size: multipart
    client.put_object(bucket, "dir/obj", io.BytesIO(body), len(body),
                      part_size=5 * 1024 * 1024, content_type="application/x-minio",
                      metadata={"x-amz-meta-color": "green"})
    stat = client.stat_object(bucket, "dir/obj")
    assert stat.size == len(body) and stat.content_type == "application/x-minio"
    response = client.get_object(bucket, "dir/obj")
    try:
        assert response.read() == body
    finally:
        response.close()
        response.release_conn()
    assert [o.object_name for o in client.list_objects(bucket, recursive=True)] == ["dir/obj"]
    client.remove_object(bucket, "dir/obj")
    client.remove_bucket(bucket)
    assert not client.bucket_exists(bucket)
