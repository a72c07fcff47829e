"""Properties of bucket policy evaluation: adding a Deny never weakens a DENY, NotAction
is Action of everything else, and wildcards match what a reference regex does."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from objectstore.proxy.policy import Decision, RequestContext, Requester, evaluate, parse_policy
from objectstore.proxy.policy.actions import ALL_ACTIONS
from objectstore.proxy.policy.wildcards import can_match_with_prefix, matches

BUCKET = "bucket"
ACCOUNTS = ["test", "test2", "test3"]
KEYS = ["a", "a/b", "b/c", "public/x", "secret"]

principals = st.one_of(st.just("*"), st.builds(lambda a: {"AWS": a},
                                               st.sampled_from(ACCOUNTS)))
actions = st.sampled_from(["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "*",
                           "s3:DeleteObject", "s3:*Object"])
resources = st.sampled_from([f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}/a*",
                             f"arn:aws:s3:::{BUCKET}/public/*", "arn:aws:s3:::*",
                             f"arn:aws:s3:::{BUCKET}/?/*"])
conditions = st.sampled_from([
    None, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringLike": {"aws:Referer": "http://a/*"}},
    {"StringNotEquals": {"s3:x-amz-acl": "private"}}])


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, object]:
    s: dict[str, object] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
                            "Principal": draw(principals), "Action": draw(actions),
                            "Resource": draw(resources)}
    condition = draw(conditions)
    if condition:
        s["Condition"] = condition
    return s


@st.composite
def contexts(draw: st.DrawFn) -> RequestContext:
    keys = {}
    if draw(st.booleans()):
        keys["aws:SourceIp"] = (draw(st.sampled_from(["10.1.2.3", "192.0.2.1"])),)
    if draw(st.booleans()):
        keys["aws:Referer"] = (draw(st.sampled_from(["http://a/x", "http://b/"])),)
    if draw(st.booleans()):
        keys["s3:x-amz-acl"] = (draw(st.sampled_from(["private", "public-read"])),)
    who = draw(st.sampled_from([Requester(a) for a in ACCOUNTS] + [Requester(None)]))
    action = draw(st.sampled_from(["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                   "s3:GetObjectAcl"]))
    key = draw(st.sampled_from(KEYS))
    return RequestContext(who, action, f"arn:aws:s3:::{BUCKET}/{key}", keys)


def parse(items: list[dict[str, object]]) -> object:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": items}), BUCKET)


@settings(max_examples=300, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), statements(effect="Deny"), contexts())
def test_a_deny_added_never_undoes_a_deny(items: list[dict[str, object]],
                                          deny: dict[str, object],
                                          ctx: RequestContext) -> None:
    before = evaluate(parse(items), ctx)   # type: ignore[arg-type]
    after = evaluate(parse([*items, deny]), ctx)   # type: ignore[arg-type]
    if before is Decision.DENY:
        assert after is Decision.DENY
    assert after is before or after is Decision.DENY


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_ACTIONS), st.sampled_from(ALL_ACTIONS), contexts())
def test_not_action_is_action_of_every_other(excluded: str, asked: str,
                                             ctx: RequestContext) -> None:
    base = {"Effect": "Allow", "Principal": "*", "Resource": "arn:aws:s3:::*"}
    negated = parse_policy(json.dumps({"Statement": [{**base, "NotAction": excluded}]}),
                           BUCKET)
    others = [a for a in ALL_ACTIONS if a != excluded]
    listed = parse_policy(json.dumps({"Statement": [{**base, "Action": others}]}), BUCKET,
                          check_action_resources=False)
    request = RequestContext(ctx.requester, asked, ctx.resource, ctx.keys)
    assert evaluate(negated, request) is evaluate(listed, request)
    assert (evaluate(negated, request) is Decision.ALLOW) == (asked != excluded)


ALPHABET = "ab/*?.:"


def reference(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards spelled out the plain way: `*` any run, `?` any one character."""
    out = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{out}$", re.DOTALL)


@settings(max_examples=500, deadline=None)
@given(st.text(ALPHABET, max_size=8), st.text("ab/.:", max_size=10))
def test_a_wildcard_matches_what_the_reference_regex_matches(pattern: str, text: str) -> None:
    assert matches(pattern, text) == bool(reference(pattern).match(text))


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=8), st.text("ab/.:", max_size=6),
       st.text("ab/.:", max_size=4))
def test_a_pattern_matching_a_string_can_match_its_prefix(pattern: str, prefix: str,
                                                          rest: str) -> None:
    if matches(pattern, prefix + rest):
        assert can_match_with_prefix(pattern, prefix)
    if not can_match_with_prefix(pattern, prefix):
        assert not matches(pattern, prefix + rest)
