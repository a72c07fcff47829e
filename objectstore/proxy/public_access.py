"""A bucket's PublicAccessBlock: four switches that keep a bucket from being public,
kept in one system-metadata header of its container (so the container cache carries
them to every request: no lookup of its own).

- BlockPublicAcls: a request setting a public ACL (bucket or object) is refused;
- IgnorePublicAcls: public grants already set count for nothing;
- BlockPublicPolicy: a public bucket policy is refused;
- RestrictPublicBuckets: a public policy lets in only the bucket owner's account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SYSMETA = "x-container-sysmeta-s3-public-access-block"
FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
          "RestrictPublicBuckets")


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    def values(self) -> tuple[bool, bool, bool, bool]:
        return (self.block_public_acls, self.ignore_public_acls, self.block_public_policy,
                self.restrict_public_buckets)

    def encode(self) -> str:
        """'1001': one digit a switch, in FIELDS' order."""
        return "".join("1" if v else "0" for v in self.values())


NONE = PublicAccessBlock()


def of_sysmeta(sysmeta: Mapping[str, str]) -> PublicAccessBlock | None:
    """The bucket's configuration (None when it has none: GetPublicAccessBlock's
    NoSuchPublicAccessBlockConfiguration)."""
    text = sysmeta.get(SYSMETA, "")
    if len(text) != len(FIELDS) or set(text) - {"0", "1"}:
        return None
    return PublicAccessBlock(*(c == "1" for c in text))
