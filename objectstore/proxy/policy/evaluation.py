"""One policy's answer to one request, as AWS combines statements: any statement that
applies with Effect Deny makes it DENY (whatever else allows), else any that applies
with Allow makes it ALLOW, else the policy has no opinion (NONE) and the caller's other
grants (ACLs, ownership) decide."""

from __future__ import annotations

import enum

from objectstore.proxy.policy.context import RequestContext
from objectstore.proxy.policy.document import Policy


class Decision(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"
    NONE = "none"       # no statement applies: neither allowed nor denied here


def evaluate(policy: Policy, ctx: RequestContext) -> Decision:
    allowed = False
    for statement in policy.statements_for(ctx.action_lower):
        if statement.applies_to_action(ctx):
            if statement.deny:
                return Decision.DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.NONE
