"""The condition keys a bucket policy may name: those this store fills in for every
request it evaluates (policy_requests.py in s3compat), those AWS defines that this store
cannot know (a policy naming one is refused as not implemented: evaluating it as absent
would quietly weaken a Deny), and everything else, which S3 refuses as invalid. Names
are case-insensitive; `<prefix>/<tag>` keys are matched by their prefix."""

from __future__ import annotations

from objectstore.proxy.policy import errors


def _lowered(text: str) -> frozenset[str]:
    return frozenset(text.lower().split())


SUPPORTED = _lowered("""
aws:CurrentTime aws:EpochTime aws:SecureTransport aws:SourceIp aws:Referer
aws:UserAgent aws:username aws:userid aws:PrincipalType aws:PrincipalAccount
aws:PrincipalArn aws:SourceAccount aws:SourceArn aws:SourceVpc aws:SourceVpce
aws:SourceOwner aws:PrincipalOrgID aws:PrincipalOrgPaths aws:PrincipalIsAWSService
aws:PrincipalServiceName aws:MultiFactorAuthPresent aws:MultiFactorAuthAge
aws:TokenIssueTime aws:ViaAWSService aws:FederatedProvider aws:SourceIdentity
aws:RequestedRegion aws:CalledVia aws:CalledViaFirst aws:CalledViaLast aws:VpcSourceIp
s3:prefix s3:delimiter s3:max-keys s3:x-amz-acl s3:x-amz-grant-read
s3:x-amz-grant-write s3:x-amz-grant-read-acp s3:x-amz-grant-write-acp
s3:x-amz-grant-full-control s3:x-amz-server-side-encryption
s3:x-amz-server-side-encryption-aws-kms-key-id
s3:x-amz-server-side-encryption-customer-algorithm s3:x-amz-copy-source
s3:x-amz-metadata-directive s3:x-amz-storage-class s3:x-amz-content-sha256 s3:VersionId
s3:signatureversion s3:authType s3:RequestObjectTagKeys s3:ResourceAccount
s3:object-lock-mode s3:object-lock-retain-until-date s3:object-lock-legal-hold
s3:object-lock-remaining-retention-days s3:if-match s3:if-none-match
s3:x-amz-write-offset-bytes
""")
SUPPORTED_PREFIXES = ("s3:existingobjecttag/", "s3:requestobjecttag/")
# AWS defines these, but this store cannot tell their values
UNSUPPORTED = _lowered("""
aws:ResourceOrgID aws:ResourceOrgPaths aws:SourceOrgID aws:SourceOrgPaths aws:TagKeys
aws:Ec2InstanceSourceVpc aws:Ec2InstanceSourcePrivateIPv4 aws:SourceVpcArn
aws:VpceAccount aws:VpceOrgID aws:VpceOrgPaths aws:PrincipalServiceNamesList
s3:TlsVersion s3:signatureAge s3:DataAccessPointArn s3:DataAccessPointAccount
s3:AccessPointNetworkOrigin s3:ExistingJobPriority s3:ExistingJobOperation
s3:JobSuspendedCause s3:RequestJobPriority s3:RequestJobOperation
s3:x-amz-object-ownership s3:InventoryAccessibleOptionalFields
s3:AccessGrantsInstanceArn s3:ObjectCreationOperation s3:locationconstraint
""")
UNSUPPORTED_PREFIXES = ("aws:principaltag/", "aws:requesttag/", "aws:resourcetag/")


def check_key(name: str) -> str:
    """The key's lower-cased name; MalformedPolicy if S3 does not know it,
    PolicyNotSupported if this store cannot tell its value."""
    lower = name.lower()
    if lower in SUPPORTED or lower.startswith(SUPPORTED_PREFIXES):
        if lower.endswith("/"):
            raise errors.MalformedPolicy(errors.INVALID_CONDITION_KEY)
        return lower
    if lower in UNSUPPORTED or lower.startswith(UNSUPPORTED_PREFIXES):
        raise errors.PolicyNotSupported(f"the condition key {name}")
    raise errors.MalformedPolicy(errors.INVALID_CONDITION_KEY)
