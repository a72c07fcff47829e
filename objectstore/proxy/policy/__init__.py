"""S3 bucket policies as a library: parse and validate a document once
(`parse_policy`), evaluate it against a request (`evaluate`), and tell whether it makes
a bucket public (`is_public`). docs/bucket-policies.md describes the language."""

from __future__ import annotations

from objectstore.proxy.policy.context import RequestContext
from objectstore.proxy.policy.document import Policy, Statement, parse_policy
from objectstore.proxy.policy.errors import MalformedPolicy, PolicyNotSupported
from objectstore.proxy.policy.evaluation import Decision, evaluate
from objectstore.proxy.policy.principals import Requester
from objectstore.proxy.policy.public import is_public
from objectstore.proxy.policy.resources import bucket_arn, object_arn

__all__ = ["Decision", "MalformedPolicy", "Policy", "PolicyNotSupported", "RequestContext",
           "Requester", "Statement", "bucket_arn", "evaluate", "is_public", "object_arn",
           "parse_policy"]
