"""A bucket's default encryption: Put/Get/DeleteBucketEncryption (`?encryption`).

The one rule S3 allows (SSE-S3, or SSE-KMS with a key id and Bucket Keys) is kept in the
bucket's container system metadata (proxy/default_encryption.py): every write into the
bucket without encryption headers of its own is encrypted so, through either API.
Without a configuration GetBucketEncryption is
ServerSideEncryptionConfigurationNotFoundError (as RGW and the S3 suites expect: no
bucket here is encrypted unless asked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.containers import Containers
from objectstore.proxy.default_encryption import SYSMETA, BucketDefault, bucket_default
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.uploads import check_small_body, request_stream
from objectstore.s3compat.xmlbody import parse, read_limited

ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


def parse_configuration(body: bytes) -> BucketDefault:
    root = parse(body)
    rules = root.findall("Rule")
    if root.tag != "ServerSideEncryptionConfiguration" or len(rules) != 1 \
            or any(c.tag != "Rule" for c in root):
        raise s3errors.MalformedXML("A ServerSideEncryptionConfiguration has one Rule")
    rule = rules[0]
    apply = rule.find("ApplyServerSideEncryptionByDefault")
    if apply is None:
        raise s3errors.MalformedXML("The Rule needs ApplyServerSideEncryptionByDefault")
    algorithm = (apply.findtext("SSEAlgorithm") or "").strip()
    key_id = (apply.findtext("KMSMasterKeyID") or "").strip()
    flag = (rule.findtext("BucketKeyEnabled") or "false").strip().lower()
    if algorithm not in ALGORITHMS:
        raise s3errors.MalformedXML("SSEAlgorithm must be AES256 or aws:kms")
    if algorithm == "aws:kms:dsse":
        raise s3errors.not_implemented("Dual-layer server-side encryption (aws:kms:dsse)")
    if key_id and algorithm != "aws:kms":
        raise s3errors.InvalidArgument("KMSMasterKeyID is only for aws:kms")
    if flag not in ("true", "false"):
        raise s3errors.MalformedXML("BucketKeyEnabled must be true or false")
    return BucketDefault(algorithm, key_id, flag == "true")


def configuration_xml(default: BucketDefault) -> bytes:
    apply = el("SSEAlgorithm", default.algorithm)
    if default.kms_key_id:
        apply += el("KMSMasterKeyID", default.kms_key_id)
    rule = (f"<ApplyServerSideEncryptionByDefault>{apply}"
            "</ApplyServerSideEncryptionByDefault>"
            + el("BucketKeyEnabled", str(default.bucket_key).lower()))
    return xml_doc("ServerSideEncryptionConfiguration", f"<Rule>{rule}</Rule>")


async def handle(request: Request, containers: Containers, account: str, bucket: str,
                 container_sysmeta: Mapping[str, str],
                 validate: Callable[[BucketDefault], None]) -> Response:
    """`?encryption` on a bucket (`container_sysmeta`: its container's, as the bucket
    check read them); `validate` refuses a default this store could not encrypt with
    (an unknown KMS key) when it is set, not at every write after."""
    method = request.method
    if method == "GET":
        default = bucket_default(container_sysmeta)
        if default is None:
            raise s3errors.ServerSideEncryptionConfigurationNotFoundError()
        return xml_response(configuration_xml(default))
    if method == "PUT":
        body = await read_limited(request_stream(request), 64 * 1024)
        await check_small_body(body, request)
        default = parse_configuration(body)
        validate(default)
        await containers.post_container(account, bucket, {SYSMETA: default.text()})
        return Response(status_code=200)
    if method == "DELETE":
        await containers.post_container(account, bucket, {SYSMETA: ""})
        return Response(status_code=204)
    raise s3errors.MethodNotAllowed()
