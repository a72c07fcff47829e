"""Resource and NotResource: `arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/key`
patterns, with wildcards and (Version 2012-10-17) policy variables. Every resource must
lie in the bucket the policy is put on (`arn:aws:s3:::*` does); anything else is
"Policy has invalid resource", as S3 says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from objectstore.proxy.policy import errors
from objectstore.proxy.policy.actions import BUCKET, OBJECT
from objectstore.proxy.policy.variables import Keys, Template, Variable, parse_template
from objectstore.proxy.policy.wildcards import can_match_with_prefix, glob_regex, matches

PREFIX = "arn:aws:s3:::"


@dataclass(frozen=True)
class ResourceSet:
    templates: tuple[Template, ...]
    static: re.Pattern[str] | None          # the variable-free ones, as one pattern
    dynamic: tuple[Template, ...]           # those rendered per request

    def matches(self, arn: str, keys: Keys) -> bool:
        if self.static is not None and self.static.fullmatch(arn):
            return True
        for template in self.dynamic:
            pattern = template.pattern(keys)
            if pattern is not None and pattern.fullmatch(arn):
                return True
        return False

    def variables(self) -> set[str]:
        return {p.key for t in self.templates for p in t.parts if isinstance(p, Variable)}

    def kinds(self) -> set[str]:
        """Which kinds of resource (BUCKET, OBJECT) the patterns can name."""
        found = set()
        for template in self.templates:
            path = template.as_glob()[len(PREFIX):]
            if "/" not in path:
                found.add(BUCKET)
            if "/" in path or "*" in path:
                found.add(OBJECT)
        return found


def parse_resources(values: list[str], bucket: str | None, variables: bool) -> ResourceSet:
    """`bucket`: the bucket the policy is for (None: do not check)."""
    templates = []
    for value in values:
        template = parse_template(value, variables)
        glob = template.as_glob()
        if not glob.startswith(PREFIX) or len(glob) == len(PREFIX):
            raise errors.MalformedPolicy(errors.INVALID_RESOURCE)
        if bucket is not None and not _in_bucket(glob[len(PREFIX):], bucket):
            raise errors.MalformedPolicy(errors.INVALID_RESOURCE)
        templates.append(template)
    static = [glob_regex(t.text) for t in templates if t.is_plain]
    dynamic = tuple(t for t in templates if not t.is_plain)
    compiled = re.compile("|".join(f"(?:{s})" for s in static), re.DOTALL) if static else None
    return ResourceSet(tuple(templates), compiled, dynamic)


def _in_bucket(path: str, bucket: str) -> bool:
    """The pattern names the bucket itself or something inside it."""
    return matches(path, bucket) or can_match_with_prefix(path, bucket + "/")


def bucket_arn(bucket: str) -> str:
    return PREFIX + bucket


def object_arn(bucket: str, key: str) -> str:
    return f"{PREFIX}{bucket}/{key}"
