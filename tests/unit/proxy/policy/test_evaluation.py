"""How one policy decides: explicit Deny over any Allow, no opinion when nothing
applies; principals, actions, resources and their Not* forms; variables in Resource."""

from __future__ import annotations

import time

from objectstore.proxy.policy import Decision, Requester, evaluate
from tests.unit.proxy.policy.helpers import ALT, ANON, OWNER, ctx, policy, statement

ALLOW, DENY, NONE = Decision.ALLOW, Decision.DENY, Decision.NONE


def test_allow_deny_and_no_opinion() -> None:
    allow = policy(statement())
    assert evaluate(allow, ctx()) is ALLOW
    assert evaluate(allow, ctx("s3:PutObject")) is NONE
    both = policy(statement(), statement(Effect="Deny"))
    assert evaluate(both, ctx()) is DENY
    assert evaluate(policy(statement(Effect="Deny"), statement()), ctx()) is DENY


def test_a_deny_binds_the_owner_too() -> None:
    assert evaluate(policy(statement(Effect="Deny")), ctx(who=OWNER)) is DENY


def test_everyone_includes_anonymous_requests() -> None:
    for principal in ("*", {"AWS": "*"}):
        assert evaluate(policy(statement(Principal=principal)), ctx(who=ANON)) is ALLOW


def test_principals() -> None:
    by_account = policy(statement(Principal={"AWS": "test2"}))
    assert evaluate(by_account, ctx(who=ALT)) is ALLOW
    assert evaluate(by_account, ctx(who=Requester("test2", "bob"))) is ALLOW
    assert evaluate(by_account, ctx(who=OWNER)) is NONE
    assert evaluate(by_account, ctx(who=ANON)) is NONE
    root = policy(statement(Principal={"AWS": "arn:aws:iam::test2:root"}))
    assert evaluate(root, ctx(who=ALT)) is ALLOW
    user = policy(statement(Principal={"AWS": "arn:aws:iam::test2:user/team/bob"}))
    assert evaluate(user, ctx(who=Requester("test2", "bob"))) is ALLOW
    assert evaluate(user, ctx(who=Requester("test2", "carol"))) is NONE
    assert evaluate(user, ctx(who=ALT)) is NONE
    assert evaluate(user, ctx(who=Requester("test", "bob"))) is NONE
    canonical = policy(statement(Principal={"CanonicalUser": "abc"}))
    assert evaluate(canonical, ctx(who=Requester("test2", canonical_id="abc"))) is ALLOW
    assert evaluate(canonical, ctx(who=ALT)) is NONE
    service = policy(statement(Principal={"Service": "logging.s3.amazonaws.com"}))
    assert evaluate(service, ctx(who=Requester(None, service="logging.s3.amazonaws.com"))) \
        is ALLOW
    assert evaluate(service, ctx(who=ANON)) is NONE
    role = policy(statement(Principal={"AWS": "arn:aws:iam::test2:role/r"}))
    assert evaluate(role, ctx(who=ALT)) is NONE


def test_not_principal() -> None:
    deny_others = policy(statement(),
                         statement(Effect="Deny", Principal=None,
                                   NotPrincipal={"AWS": "test2"}))
    assert evaluate(deny_others, ctx(who=ALT)) is ALLOW
    assert evaluate(deny_others, ctx(who=OWNER)) is DENY
    assert evaluate(deny_others, ctx(who=ANON)) is DENY


def test_actions_are_case_insensitive_and_wildcards() -> None:
    get = policy(statement(Action="S3:GETOBJECT"))
    assert evaluate(get, ctx("s3:GetObject")) is ALLOW
    assert evaluate(get, ctx("s3:getobject")) is ALLOW
    wild = policy(statement(Action="s3:Get*"))
    assert evaluate(wild, ctx("s3:GetObjectTagging")) is ALLOW
    assert evaluate(wild, ctx("s3:PutObject")) is NONE
    one = policy(statement(Action="s3:?etObject"))
    assert evaluate(one, ctx("s3:GetObject")) is ALLOW
    assert evaluate(policy(statement(Action="*")), ctx("s3:DeleteObject")) is ALLOW


def test_not_action() -> None:
    p = policy(statement(Action=None, NotAction="s3:DeleteObject"))
    assert evaluate(p, ctx("s3:GetObject")) is ALLOW
    assert evaluate(p, ctx("s3:DeleteObject")) is NONE


def test_resources() -> None:
    p = policy(statement(Action="s3:*", Resource="arn:aws:s3:::bucket/public/*"))
    assert evaluate(p, ctx(key="public/a/b")) is ALLOW
    assert evaluate(p, ctx(key="private/a")) is NONE
    assert evaluate(p, ctx(key="Public/a")) is NONE           # keys are case-sensitive
    assert evaluate(p, ctx("s3:ListBucket", key=None)) is NONE
    p = policy(statement(Action="s3:ListBucket", Resource="arn:aws:s3:::bucket"))
    assert evaluate(p, ctx("s3:ListBucket", key=None)) is ALLOW
    p = policy(statement(Resource="arn:aws:s3:::bucket/a?c"))
    assert evaluate(p, ctx(key="abc")) is ALLOW and evaluate(p, ctx(key="abbc")) is NONE


def test_not_resource() -> None:
    p = policy(statement(Action="s3:*", Effect="Deny", Resource=None,
                         NotResource="arn:aws:s3:::bucket/public/*"))
    assert evaluate(p, ctx(key="secret")) is DENY
    assert evaluate(p, ctx(key="public/x")) is NONE


def test_variables_in_resources() -> None:
    p = policy(statement(Resource="arn:aws:s3:::bucket/home/${aws:username}/*"))
    alice = {"aws:username": ["alice"]}
    assert evaluate(p, ctx(key="home/alice/f", keys=alice)) is ALLOW
    assert evaluate(p, ctx(key="home/bob/f", keys=alice)) is NONE
    assert evaluate(p, ctx(key="home/alice/f")) is NONE     # no value: matches nothing
    old = policy(statement(Resource="arn:aws:s3:::bucket/home/${aws:username}/*"),
                 version="2008-10-17")
    assert evaluate(old, ctx(key="home/alice/f", keys=alice)) is NONE
    assert evaluate(old, ctx(key="home/${aws:username}/f", keys=alice)) is ALLOW


def test_conditions_narrow_a_statement() -> None:
    p = policy(statement(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert evaluate(p, ctx(keys={"aws:SourceIp": ["10.1.1.1"]})) is ALLOW
    assert evaluate(p, ctx(keys={"aws:SourceIp": ["192.0.2.1"]})) is NONE
    assert evaluate(p, ctx()) is NONE


def test_twenty_statements_cost_microseconds() -> None:
    statements = [statement(Sid=f"s{i}", Action=["s3:PutObject", "s3:Get*"],
                            Principal={"AWS": [f"acct{i}", f"arn:aws:iam::acct{i}:user/u"]},
                            Resource=[f"arn:aws:s3:::bucket/p{i}/*"],
                            Condition={"StringLike": {"s3:x-amz-acl": "private*"},
                                       "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
                  for i in range(19)]
    statements.append(statement(Sid="deny", Effect="Deny", Action="s3:DeleteObject"))
    p = policy(*statements)
    request = ctx(key="p18/x", who=Requester("acct18"),
                  keys={"s3:x-amz-acl": ["private"], "aws:SourceIp": ["10.0.0.1"]})
    assert evaluate(p, request) is ALLOW
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        evaluate(p, request)
    each = (time.perf_counter() - start) / rounds
    assert each < 200e-6, f"{each * 1e6:.1f} µs per evaluation"
