"""S3's IAM actions (the Service Authorization Reference's list) and the resource each
applies to: a bucket (`arn:aws:s3:::bucket`), an object (`arn:aws:s3:::bucket/key`) or
neither (account-level, access points, jobs, Storage Lens: never in a bucket)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from objectstore.proxy.policy import errors
from objectstore.proxy.policy.wildcards import glob_regex, has_wildcard

BUCKET, OBJECT, OTHER = "bucket", "object", "other"

_OBJECT_ACTIONS = """
AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectTagging
DeleteObjectVersion DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectAttributes
GetObjectLegalHold GetObjectRetention GetObjectTagging GetObjectTorrent GetObjectVersion
GetObjectVersionAcl GetObjectVersionAttributes GetObjectVersionForReplication
GetObjectVersionTagging GetObjectVersionTorrent InitiateReplication
ListMultipartUploadParts ObjectOwnerOverrideToBucketOwner PutObject PutObjectAcl
PutObjectLegalHold PutObjectRetention PutObjectTagging PutObjectVersionAcl
PutObjectVersionTagging ReplicateDelete ReplicateObject ReplicateTags RestoreObject
"""
_BUCKET_ACTIONS = """
CreateBucket DeleteBucket DeleteBucketPolicy DeleteBucketWebsite
GetAccelerateConfiguration GetAnalyticsConfiguration
GetBucketAcl GetBucketCORS GetBucketLocation GetBucketLogging GetBucketNotification
GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy
GetBucketPolicyStatus GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging
GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration
GetIntelligentTieringConfiguration GetInventoryConfiguration GetLifecycleConfiguration
GetMetricsConfiguration GetReplicationConfiguration GetBucketMetadataTableConfiguration
CreateBucketMetadataTableConfiguration DeleteBucketMetadataTableConfiguration
ListBucket ListBucketMultipartUploads ListBucketVersions PutAccelerateConfiguration
PutAnalyticsConfiguration PutBucketAcl PutBucketCORS PutBucketLogging
PutBucketNotification PutBucketObjectLockConfiguration PutBucketOwnershipControls
PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment PutBucketTagging
PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration
PutIntelligentTieringConfiguration PutInventoryConfiguration PutLifecycleConfiguration
PutMetricsConfiguration PutReplicationConfiguration PauseReplication
"""
_OTHER_ACTIONS = """
AssociateAccessGrantsIdentityCenter CreateAccessGrant CreateAccessGrantsInstance
CreateAccessGrantsLocation CreateAccessPoint CreateAccessPointForObjectLambda CreateJob
CreateMultiRegionAccessPoint CreateStorageLensGroup DeleteAccessGrant
DeleteAccessGrantsInstance DeleteAccessGrantsInstanceResourcePolicy
DeleteAccessGrantsLocation DeleteAccessPoint DeleteAccessPointForObjectLambda
DeleteAccessPointPolicy DeleteAccessPointPolicyForObjectLambda DeleteJobTagging
DeleteMultiRegionAccessPoint DeleteStorageLensConfiguration
DeleteStorageLensConfigurationTagging DeleteStorageLensGroup DescribeJob
DescribeMultiRegionAccessPointOperation DissociateAccessGrantsIdentityCenter
GetAccessGrant GetAccessGrantsInstance GetAccessGrantsInstanceForPrefix
GetAccessGrantsInstanceResourcePolicy GetAccessGrantsLocation GetAccessPoint
GetAccessPointConfigurationForObjectLambda GetAccessPointForObjectLambda
GetAccessPointPolicy GetAccessPointPolicyForObjectLambda GetAccessPointPolicyStatus
GetAccessPointPolicyStatusForObjectLambda GetAccountPublicAccessBlock GetDataAccess
GetJobTagging GetMultiRegionAccessPoint GetMultiRegionAccessPointPolicy
GetMultiRegionAccessPointPolicyStatus GetMultiRegionAccessPointRoutes
GetStorageLensConfiguration GetStorageLensConfigurationTagging GetStorageLensDashboard
GetStorageLensGroup ListAccessGrants ListAccessGrantsInstances ListAccessGrantsLocations
ListAccessPoints ListAccessPointsForObjectLambda ListAllMyBuckets ListCallerAccessGrants
ListJobs ListMultiRegionAccessPoints ListStorageLensConfigurations ListStorageLensGroups
ListTagsForResource PutAccessGrantsInstanceResourcePolicy
PutAccessPointConfigurationForObjectLambda PutAccessPointPolicy
PutAccessPointPolicyForObjectLambda PutAccessPointPublicAccessBlock
PutAccountPublicAccessBlock PutJobTagging PutMultiRegionAccessPointPolicy
PutStorageLensConfiguration PutStorageLensConfigurationTagging
SubmitMultiRegionAccessPointRoutes TagResource UntagResource UpdateAccessGrantsLocation
UpdateJobPriority UpdateJobStatus UpdateStorageLensGroup
"""


def _names(block: str, kind: str) -> dict[str, tuple[str, str]]:
    return {f"s3:{n}".lower(): (f"s3:{n}", kind) for n in block.split()}


# lower-cased action -> (its canonical spelling, the resource it applies to)
CATALOGUE: dict[str, tuple[str, str]] = {
    **_names(_OTHER_ACTIONS, OTHER), **_names(_BUCKET_ACTIONS, BUCKET),
    **_names(_OBJECT_ACTIONS, OBJECT)}
ALL_ACTIONS: tuple[str, ...] = tuple(sorted(name for name, _ in CATALOGUE.values()))


def kind_of(action: str) -> str | None:
    """BUCKET, OBJECT or OTHER for a known action (any case); None if unknown."""
    found = CATALOGUE.get(action.lower())
    return found[1] if found else None


@dataclass(frozen=True)
class ActionSet:
    """A statement's Action (or NotAction) list: exact names in a set, wildcard ones in
    one regular expression, all lower-cased (action names are case-insensitive)."""

    patterns: tuple[str, ...]
    exact: frozenset[str]
    wild: re.Pattern[str] | None

    def matches(self, action_lower: str) -> bool:
        if action_lower in self.exact:
            return True
        return self.wild is not None and self.wild.fullmatch(action_lower) is not None

    def kinds(self) -> set[str]:
        """The resource kinds the listed actions apply to."""
        return {kind for name, (_, kind) in CATALOGUE.items() if self.matches(name)}


def parse_actions(values: list[str]) -> ActionSet:
    """Validate and compile; an unknown action, one of another service, or a wildcard
    matching no S3 action is refused."""
    exact, wild = set(), []
    for value in values:
        lower = value.lower()
        if lower == "*":
            wild.append(".*")
            continue
        if not lower.startswith("s3:"):
            raise errors.MalformedPolicy(errors.INVALID_ACTION)
        if has_wildcard(lower):
            regex = re.compile(glob_regex(lower), re.DOTALL)
            if not any(regex.fullmatch(name) for name in CATALOGUE):
                raise errors.MalformedPolicy(errors.INVALID_ACTION)
            wild.append(glob_regex(lower))
        elif lower in CATALOGUE:
            exact.add(lower)
        else:
            raise errors.MalformedPolicy(errors.INVALID_ACTION)
    compiled = re.compile("|".join(f"(?:{w})" for w in wild), re.DOTALL) if wild else None
    return ActionSet(tuple(values), frozenset(exact), compiled)
