"""One S3 server access log record: a line in AWS's format (26 space-separated fields,
`-` for none, the time in brackets, the request line, referrer and user agent in
quotes), and the name of the operation as AWS names it (REST.PUT.OBJECT, ...)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

# sub-resources whose name is the operation's (REST.GET.ACL, REST.PUT.LIFECYCLE, ...)
SUBRESOURCES = {"acl": "ACL", "tagging": "TAGGING", "versioning": "VERSIONING",
                "lifecycle": "LIFECYCLE", "policy": "BUCKETPOLICY", "logging": "LOGGING_STATUS",
                "location": "LOCATION", "uploads": "UPLOADS", "versions": "BUCKETVERSIONS",
                "object-lock": "OBJECT_LOCK_CONFIGURATION", "cors": "CORS",
                "publicAccessBlock": "PUBLIC_ACCESS_BLOCK",
                "ownershipControls": "OWNERSHIP_CONTROLS", "policyStatus": "POLICY_STATUS",
                "encryption": "ENCRYPTION", "website": "WEBSITE"}
OBJECT_SUBRESOURCES = {"tagging": "OBJECT_TAGGING", "acl": "ACL", "retention": "RETENTION",
                       "legal-hold": "LEGAL_HOLD", "attributes": "OBJECT_ATTRIBUTES"}


def operation(method: str, key: str | None, params: Mapping[str, str],
              copy: bool = False) -> str:
    """The operation of a request to a bucket (or one of its objects)."""
    if key:
        if "uploadId" in params:
            what = {"PUT": "PART", "POST": "UPLOAD", "DELETE": "UPLOAD",
                    "GET": "UPLOAD"}.get(method, "UPLOAD")
        elif "uploads" in params:
            what = "UPLOADS"
        else:
            what = next((OBJECT_SUBRESOURCES[p] for p in params if p in OBJECT_SUBRESOURCES),
                        "OBJECT")
        return f"REST.{method}.{what}"
    if method == "POST" and "delete" in params:
        return "REST.POST.DELETE_MULTI_OBJECT"
    what = next((SUBRESOURCES[p] for p in params if p in SUBRESOURCES), "BUCKET")
    return f"REST.{method}.{what}"


@dataclass(frozen=True)
class Record:
    bucket_owner: str
    bucket: str
    when: float                   # seconds since the epoch
    remote_ip: str
    requester: str                # canonical id, "" when anonymous
    request_id: str
    operation: str
    key: str                      # "" for none
    request_line: str             # "GET /bucket/key?x HTTP/1.1"
    status: int
    error_code: str
    bytes_sent: int | None
    object_size: int | None
    total_ms: int
    turnaround_ms: int
    referrer: str
    user_agent: str
    version_id: str
    signature_version: str        # SigV2, SigV4, "" (anonymous)
    auth_type: str                # AuthHeader, QueryString, ""
    host: str
    acl_required: bool = False

    def line(self) -> str:
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(self.when))
        fields = [_bare(self.bucket_owner), _bare(self.bucket), f"[{stamp}]",
                  _bare(self.remote_ip), _bare(self.requester), _bare(self.request_id),
                  self.operation, _bare(quote(self.key, safe="/")) if self.key else "-",
                  _quoted(self.request_line), str(self.status), _bare(self.error_code),
                  _number(self.bytes_sent), _number(self.object_size), str(self.total_ms),
                  str(self.turnaround_ms), _quoted(self.referrer), _quoted(self.user_agent),
                  _bare(self.version_id), _bare(self.request_id),
                  _bare(self.signature_version), "-", _bare(self.auth_type),
                  _bare(self.host), "-", "-", "Yes" if self.acl_required else "-"]
        return " ".join(fields)


def _bare(value: str) -> str:
    """A field without spaces or quotes ("-" when empty)."""
    text = "".join(c for c in value if c.isprintable() and c not in ' "[]\\')
    return text or "-"


def _quoted(value: str) -> str:
    text = "".join(c for c in value if c.isprintable() and c not in '"[]\\')
    return f'"{text or "-"}"'


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)
