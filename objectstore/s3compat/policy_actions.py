"""Which IAM action an S3 request is, from its method, whether it names an object, its
sub-resource (query parameters) and whether it names a version: a table per level,
looked up once. CopyObject and UploadPartCopy also read their source (s3:GetObject,
or s3:GetObjectVersion with a versionId there): policy_requests.py adds that."""

from __future__ import annotations

from collections.abc import Mapping

# (sub-resource, method) -> action, for requests naming a bucket only; "" is none
BUCKET_ACTIONS: dict[tuple[str, str], str] = {
    ("", "PUT"): "s3:CreateBucket", ("", "DELETE"): "s3:DeleteBucket",
    ("", "HEAD"): "s3:ListBucket", ("", "GET"): "s3:ListBucket",
    ("versions", "GET"): "s3:ListBucketVersions",
    ("uploads", "GET"): "s3:ListBucketMultipartUploads",
    ("location", "GET"): "s3:GetBucketLocation",
    ("acl", "GET"): "s3:GetBucketAcl", ("acl", "PUT"): "s3:PutBucketAcl",
    ("versioning", "GET"): "s3:GetBucketVersioning",
    ("versioning", "PUT"): "s3:PutBucketVersioning",
    ("tagging", "GET"): "s3:GetBucketTagging", ("tagging", "PUT"): "s3:PutBucketTagging",
    ("tagging", "DELETE"): "s3:PutBucketTagging",
    ("lifecycle", "GET"): "s3:GetLifecycleConfiguration",
    ("lifecycle", "PUT"): "s3:PutLifecycleConfiguration",
    ("lifecycle", "DELETE"): "s3:PutLifecycleConfiguration",
    ("object-lock", "GET"): "s3:GetBucketObjectLockConfiguration",
    ("object-lock", "PUT"): "s3:PutBucketObjectLockConfiguration",
    ("policy", "GET"): "s3:GetBucketPolicy", ("policy", "PUT"): "s3:PutBucketPolicy",
    ("policy", "DELETE"): "s3:DeleteBucketPolicy",
    ("policyStatus", "GET"): "s3:GetBucketPolicyStatus",
    ("publicAccessBlock", "GET"): "s3:GetBucketPublicAccessBlock",
    ("publicAccessBlock", "PUT"): "s3:PutBucketPublicAccessBlock",
    ("publicAccessBlock", "DELETE"): "s3:PutBucketPublicAccessBlock",
    ("ownershipControls", "GET"): "s3:GetBucketOwnershipControls",
    ("ownershipControls", "PUT"): "s3:PutBucketOwnershipControls",
    ("ownershipControls", "DELETE"): "s3:PutBucketOwnershipControls",
    ("cors", "GET"): "s3:GetBucketCORS", ("cors", "PUT"): "s3:PutBucketCORS",
    ("cors", "DELETE"): "s3:PutBucketCORS",
    ("encryption", "GET"): "s3:GetEncryptionConfiguration",
    ("encryption", "PUT"): "s3:PutEncryptionConfiguration",
    ("encryption", "DELETE"): "s3:PutEncryptionConfiguration",
    ("website", "GET"): "s3:GetBucketWebsite", ("website", "PUT"): "s3:PutBucketWebsite",
    ("website", "DELETE"): "s3:DeleteBucketWebsite",
    ("logging", "GET"): "s3:GetBucketLogging", ("logging", "PUT"): "s3:PutBucketLogging",
    ("notification", "GET"): "s3:GetBucketNotification",
    ("notification", "PUT"): "s3:PutBucketNotification",
    ("replication", "GET"): "s3:GetReplicationConfiguration",
    ("replication", "PUT"): "s3:PutReplicationConfiguration",
    ("replication", "DELETE"): "s3:PutReplicationConfiguration",
    ("accelerate", "GET"): "s3:GetAccelerateConfiguration",
    ("accelerate", "PUT"): "s3:PutAccelerateConfiguration",
    ("requestPayment", "GET"): "s3:GetBucketRequestPayment",
    ("requestPayment", "PUT"): "s3:PutBucketRequestPayment",
}
# the sub-resources of a bucket, in the order they are looked for
BUCKET_SUBRESOURCES = ("versions", "uploads", "location", "acl", "versioning", "tagging",
                       "lifecycle", "object-lock", "policyStatus", "policy",
                       "publicAccessBlock", "ownershipControls", "cors", "encryption",
                       "website", "logging", "notification", "replication", "accelerate",
                       "requestPayment")

# (sub-resource, method) -> (action, the action with a versionId), for object requests
OBJECT_ACTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("", "GET"): ("s3:GetObject", "s3:GetObjectVersion"),
    ("", "HEAD"): ("s3:GetObject", "s3:GetObjectVersion"),
    ("", "PUT"): ("s3:PutObject", "s3:PutObject"),
    ("", "DELETE"): ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("attributes", "GET"): ("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    ("acl", "GET"): ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("acl", "PUT"): ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("tagging", "GET"): ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("tagging", "PUT"): ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("tagging", "DELETE"): ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    ("retention", "GET"): ("s3:GetObjectRetention", "s3:GetObjectRetention"),
    ("retention", "PUT"): ("s3:PutObjectRetention", "s3:PutObjectRetention"),
    ("legal-hold", "GET"): ("s3:GetObjectLegalHold", "s3:GetObjectLegalHold"),
    ("legal-hold", "PUT"): ("s3:PutObjectLegalHold", "s3:PutObjectLegalHold"),
    ("uploads", "POST"): ("s3:PutObject", "s3:PutObject"),
    ("uploadId", "PUT"): ("s3:PutObject", "s3:PutObject"),         # UploadPart(Copy)
    ("uploadId", "POST"): ("s3:PutObject", "s3:PutObject"),        # Complete
    ("uploadId", "DELETE"): ("s3:AbortMultipartUpload", "s3:AbortMultipartUpload"),
    ("uploadId", "GET"): ("s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"),
    ("restore", "POST"): ("s3:RestoreObject", "s3:RestoreObject"),
    ("torrent", "GET"): ("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"),
}
OBJECT_SUBRESOURCES = ("uploads", "uploadId", "attributes", "acl", "tagging", "retention",
                       "legal-hold", "restore", "torrent")


def subresource(params: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if name in params:
            return name
    return ""


def bucket_action(method: str, params: Mapping[str, str]) -> str | None:
    """The action of a request naming a bucket and no key (None: none we know).
    POST ?delete is DeleteObjects: one s3:DeleteObject(Version) per key (see
    policy_requests.delete_object_request); a POST form is s3:PutObject of its key."""
    return BUCKET_ACTIONS.get((subresource(params, BUCKET_SUBRESOURCES), method))


def object_action(method: str, params: Mapping[str, str]) -> str | None:
    found = OBJECT_ACTIONS.get((subresource(params, OBJECT_SUBRESOURCES), method))
    if found is None:
        return None
    return found[1] if params.get("versionId") else found[0]


def source_action(version_id: str | None) -> str:
    """What a copy needs of its source."""
    return "s3:GetObjectVersion" if version_id else "s3:GetObject"
