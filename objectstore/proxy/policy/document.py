"""A bucket policy document, parsed and validated once into statements ready to
evaluate. What S3 refuses raises MalformedPolicy with S3's message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from objectstore.proxy.policy import errors
from objectstore.proxy.policy.actions import CATALOGUE, ActionSet, parse_actions
from objectstore.proxy.policy.conditions import Condition, parse_conditions
from objectstore.proxy.policy.context import RequestContext
from objectstore.proxy.policy.principals import Principals, parse_principals
from objectstore.proxy.policy.resources import ResourceSet, parse_resources

MAX_SIZE = 20 * 1024
VARIABLE_NAME = re.compile(r"\$\{\s*([^},\s]+)")
VERSIONS = ("2012-10-17", "2008-10-17")
TOP = {"Version", "Id", "Statement"}
FIELDS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
          "NotResource", "Condition"}


@dataclass(frozen=True)
class Statement:
    sid: str | None
    deny: bool
    principals: Principals
    not_principal: bool
    actions: ActionSet
    not_action: bool
    resources: ResourceSet
    not_resource: bool
    conditions: tuple[Condition, ...]

    def applies(self, ctx: RequestContext) -> bool:
        """Every element matches: the cheap ones first."""
        return self.covers(ctx.action_lower) and self.applies_to_action(ctx)

    def covers(self, action_lower: str) -> bool:
        return self.actions.matches(action_lower) != self.not_action

    def applies_to_action(self, ctx: RequestContext) -> bool:
        """Everything but the action (which the caller knows matches)."""
        if self.principals.matches(ctx.requester) == self.not_principal:
            return False
        if self.resources.matches(ctx.resource, ctx.keys) == self.not_resource:
            return False
        return all(c.holds(ctx.keys) for c in self.conditions)


@dataclass(frozen=True)
class Policy:
    version: str
    id: str | None
    statements: tuple[Statement, ...]
    text: str                       # the document as it was put (GetBucketPolicy)
    # each known action (lower-cased) -> the statements whose Action covers it, so an
    # evaluation looks only at those: built once, when the policy is parsed
    by_action: dict[str, tuple[Statement, ...]] = field(default_factory=dict,
                                                        repr=False, compare=False)

    def statements_for(self, action_lower: str) -> tuple[Statement, ...]:
        found = self.by_action.get(action_lower)
        if found is None:        # not an action S3 knows: every statement is looked at
            return tuple(s for s in self.statements if s.covers(action_lower))
        return found

    @property
    def condition_keys(self) -> frozenset[str]:
        """The (lower-cased) keys its conditions and variables read: a caller fills in
        costly ones (s3:ExistingObjectTag/<k> needs the object's tags) only if named."""
        names = {c.key for s in self.statements for c in s.conditions}
        for statement in self.statements:
            names.update(statement.resources.variables())
            for condition in statement.conditions:
                names.update(VARIABLE_NAME.findall(" ".join(condition.values).lower()))
        return frozenset(names)


def parse_policy(text: str | bytes, bucket: str | None = None, *,
                 known_principal: Callable[[str, str], bool] | None = None,
                 check_action_resources: bool = True, unique_sids: bool = True) -> Policy:
    """Parse and validate a policy for `bucket` (None: resources in any bucket).
    `known_principal(type, id)` may refuse principals that do not exist, as S3 does;
    `check_action_resources=False` accepts a statement whose actions apply to none of
    its resources (S3 refuses it; ceph/s3-tests expects it accepted); so does
    `unique_sids=False` for repeated Sids (ceph/s3-tests' logging policies repeat one)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise errors.MalformedPolicy(errors.INVALID_JSON) from None
    if not text.lstrip().startswith("{"):
        raise errors.MalformedPolicy(errors.NOT_JSON_OBJECT)
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):
        raise errors.MalformedPolicy(errors.INVALID_JSON) from None
    if len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_SIZE:
        raise errors.MalformedPolicy(errors.TOO_LARGE)
    for name in doc:
        if name not in TOP:
            raise errors.MalformedPolicy(errors.unknown_field(name))
    version = doc.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise errors.MalformedPolicy(errors.INVALID_VERSION)
    policy_id = doc.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise errors.MalformedPolicy(errors.SYNTAX)
    if "Statement" not in doc:
        raise errors.MalformedPolicy(errors.missing("Statement"))
    raw = doc["Statement"]
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise errors.MalformedPolicy(errors.EMPTY_STATEMENT)
    variables = version == "2012-10-17"
    statements = tuple(_statement(s, bucket, variables, known_principal,
                                  check_action_resources) for s in items)
    sids = [s.sid for s in statements if s.sid]
    if unique_sids and len(sids) != len(set(sids)):
        raise errors.MalformedPolicy(errors.DUPLICATE_SID)
    by_action = {action: tuple(s for s in statements if s.covers(action))
                 for action in CATALOGUE}
    return Policy(version, policy_id, statements, text, by_action)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """"Individual elements must not contain multiple instances of the same key"."""
    out: dict[str, object] = {}
    for name, value in pairs:
        if name in out:
            raise errors.MalformedPolicy(errors.SYNTAX)
        out[name] = value
    return out


def _statement(raw: object, bucket: str | None, variables: bool,
               known: Callable[[str, str], bool] | None, check: bool) -> Statement:
    if not isinstance(raw, dict):
        raise errors.MalformedPolicy(errors.SYNTAX)
    for name in raw:
        if name not in FIELDS:
            raise errors.MalformedPolicy(errors.unknown_field(name))
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise errors.MalformedPolicy(errors.SYNTAX)
    if "Effect" not in raw:
        raise errors.MalformedPolicy(errors.missing("Effect"))
    if raw["Effect"] not in ("Allow", "Deny"):
        raise errors.MalformedPolicy(errors.invalid_effect(raw["Effect"]))
    deny = raw["Effect"] == "Deny"
    principal_field, principal = _one_of(raw, "Principal")
    if principal_field == "NotPrincipal" and not deny:
        raise errors.MalformedPolicy(errors.NOT_PRINCIPAL_ALLOW)
    action_field, action = _one_of(raw, "Action")
    resource_field, resource = _one_of(raw, "Resource")
    actions = parse_actions(_strings(action))
    resources = parse_resources(_strings(resource), bucket, variables)
    if check and action_field == "Action" and resource_field == "Resource":
        _check_applies(actions, resources)
    conditions = parse_conditions(raw["Condition"], variables) if "Condition" in raw else ()
    return Statement(sid, deny, parse_principals(principal, known),
                     principal_field == "NotPrincipal", actions, action_field == "NotAction",
                     resources, resource_field == "NotResource", conditions)


def _one_of(raw: dict[str, object], name: str) -> tuple[str, object]:
    """Exactly one of `name` and Not`name`."""
    has, has_not = name in raw, "Not" + name in raw
    if has and has_not:
        raise errors.MalformedPolicy(errors.SYNTAX)
    if not has and not has_not:
        raise errors.MalformedPolicy(errors.missing(name))
    field = name if has else "Not" + name
    return field, raw[field]


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and i for i in items):
        raise errors.MalformedPolicy(errors.SYNTAX)
    return items  # type: ignore[return-value]


def _check_applies(actions: ActionSet, resources: ResourceSet) -> None:
    """Each action listed applies to one of the statement's resources, as S3 insists
    (`s3:PutObject` on `arn:aws:s3:::bucket` alone is refused)."""
    kinds = resources.kinds()
    for pattern in actions.patterns:
        if pattern == "*" or pattern.lower() == "s3:*":
            continue
        if not parse_actions([pattern]).kinds() & kinds:
            raise errors.MalformedPolicy(errors.ACTION_RESOURCE_MISMATCH)

