"""Parsing and validating a policy document: what S3 accepts, and for each thing it
refuses the MalformedPolicy message it gives."""

from __future__ import annotations

import json

import pytest

from objectstore.proxy.policy import MalformedPolicy, PolicyNotSupported, parse_policy
from objectstore.proxy.policy import errors as msg
from tests.unit.proxy.policy.helpers import BUCKET, document, policy, statement


def refused(text: str | bytes, bucket: str = BUCKET) -> str:
    with pytest.raises(MalformedPolicy) as info:
        parse_policy(text, bucket)
    return str(info.value)


def test_a_whole_policy_parses() -> None:
    parsed = parse_policy(json.dumps({
        "Version": "2012-10-17", "Id": "p1",
        "Statement": [{"Sid": "one", "Effect": "Allow", "Principal": {"AWS": ["test2"]},
                       "Action": ["s3:GetObject", "s3:List*"],
                       "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                       "Condition": {"StringLike": {"s3:prefix": "a/*"}}},
                      {"Sid": "two", "Effect": "Deny", "NotPrincipal": {"AWS": "test"},
                       "NotAction": "s3:GetObject", "NotResource": f"arn:aws:s3:::{BUCKET}/x"}]
    }), BUCKET)
    assert parsed.version == "2012-10-17" and parsed.id == "p1"
    assert [s.sid for s in parsed.statements] == ["one", "two"]
    first, second = parsed.statements
    assert not first.deny and second.deny and second.not_principal
    assert second.not_action and second.not_resource
    assert parsed.condition_keys == {"s3:prefix"}


def test_one_statement_may_stand_without_a_list() -> None:
    doc = json.dumps({"Version": "2012-10-17", "Statement": statement()})
    assert len(parse_policy(doc, BUCKET).statements) == 1


def test_both_versions_and_none() -> None:
    assert policy(statement(), version="2008-10-17").version == "2008-10-17"
    assert policy(statement(), version=None).version == "2008-10-17"


@pytest.mark.parametrize("text", ["", "   ", "invalid json", "[]", '"{}"', "null"])
def test_not_a_json_object(text: str) -> None:
    assert refused(text) == msg.NOT_JSON_OBJECT


@pytest.mark.parametrize("text", ["{", '{"Statement": [}', "{'a': 1}", '{"a": 1,}'])
def test_invalid_json(text: str) -> None:
    assert refused(text) == msg.INVALID_JSON


def test_not_utf8() -> None:
    assert refused(b'{"Statement": "\xff"}') == msg.INVALID_JSON


def test_a_name_twice_in_one_object() -> None:
    text = ('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": '
            + json.dumps([statement()]) + "}")
    assert refused(text) == msg.SYNTAX


def test_missing_statement() -> None:
    assert refused("{}") == "Missing required field Statement"
    assert refused('{"Version": "2012-10-17"}') == "Missing required field Statement"


def test_empty_statement() -> None:
    assert refused('{"Version": "2012-10-17", "Statement": []}') == msg.EMPTY_STATEMENT


def test_unknown_fields() -> None:
    assert refused('{"Statement": [], "Versions": "x"}') == "Unknown field Versions"
    assert refused(document(statement(Principals="*"))) == "Unknown field Principals"


@pytest.mark.parametrize("version", ["2012-10-18", "", "2012-10-17 ", 2012])
def test_invalid_version(version: object) -> None:
    text = json.dumps({"Version": version, "Statement": [statement()]})
    assert refused(text) == msg.INVALID_VERSION


def test_at_most_20_kib_once_normalized() -> None:
    many = [statement(Sid=f"s{i}", Action=["s3:GetObject"] * 30) for i in range(40)]
    assert refused(document(*many)) == msg.TOO_LARGE
    padded = "{" + " " * 30000 + '"Statement": ' + json.dumps([statement()]) + "}"
    assert len(parse_policy(padded, BUCKET).statements) == 1     # whitespace is free


def test_sids_are_unique() -> None:
    assert refused(document(statement(Sid="a"), statement(Sid="a"))) == msg.DUPLICATE_SID
    assert len(policy(statement(Sid="a"), statement(Sid="b"), statement()).statements) == 3


@pytest.mark.parametrize("field", ["Effect", "Principal", "Action", "Resource"])
def test_required_fields(field: str) -> None:
    body = statement()
    del body[field]
    assert refused(document(body)) == f"Missing required field {field}"


@pytest.mark.parametrize("effect", ["allow", "DENY", "Permit", "", 1])
def test_invalid_effect(effect: object) -> None:
    assert refused(document(statement(Effect=effect))) == f"Invalid effect: {effect}"


@pytest.mark.parametrize("pair", [("Principal", "NotPrincipal"), ("Action", "NotAction"),
                                  ("Resource", "NotResource")])
def test_an_element_and_its_negation_together(pair: tuple[str, str]) -> None:
    body = statement(Effect="Deny")
    body[pair[1]] = body[pair[0]]
    assert refused(document(body)) == msg.SYNTAX


def test_not_principal_needs_deny() -> None:
    body = statement(Principal=None, NotPrincipal={"AWS": "arn:aws:iam::s3tenant1:root"})
    assert refused(document(body)) == msg.NOT_PRINCIPAL_ALLOW
    assert policy({**body, "Effect": "Deny"}).statements[0].not_principal


@pytest.mark.parametrize("value", [None, 1, {}, [], [""], ["s3:GetObject", 2], ""])
def test_action_of_the_wrong_shape(value: object) -> None:
    body = statement()
    body["Action"] = value
    assert refused(document(body)) == msg.SYNTAX


@pytest.mark.parametrize("action", ["s3:GetObjects", "s3:Get", "iam:CreateUser", "GetObject",
                                    "s3:Nothing*", "s3:PutObjectLockConfiguration"])
def test_invalid_action(action: str) -> None:
    assert refused(document(statement(Action=action))) == msg.INVALID_ACTION


@pytest.mark.parametrize("action", ["*", "s3:*", "S3:getobject", "s3:Get*", "s3:GetObjec?",
                                    "s3:*Object"])
def test_valid_actions(action: str) -> None:
    assert policy(statement(Action=action)).statements


@pytest.mark.parametrize("resource", [
    "*", "arn:aws:s3:::", "arn:aws:s3:::other", "arn:aws:s3:::other/*",
    "arn:aws:s3:::bucketx/*", "arn:aws:iam::test:root", "bucket/*",
    "arn:aws:s3:::bucke", "arn:aws:s3:::b?cket2/*"])
def test_invalid_resource(resource: str) -> None:
    assert refused(document(statement(Action="s3:*", Resource=resource))) \
        == msg.INVALID_RESOURCE


@pytest.mark.parametrize("resource", [
    "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::*", "arn:aws:s3:::*/*",
    "arn:aws:s3:::buck*", "arn:aws:s3:::b?cket/k", "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::${aws:username}"])
def test_resources_in_the_bucket(resource: str) -> None:
    assert policy(statement(Action="s3:*", Resource=resource)).statements


def test_resource_of_the_wrong_shape() -> None:
    assert refused(document(statement(Resource=[]))) == msg.SYNTAX
    assert refused(document(statement(Resource={"a": 1}))) == msg.SYNTAX


def test_no_bucket_to_check_against() -> None:
    text = document(statement(Resource="arn:aws:s3:::anything/*"))
    assert parse_policy(text, None).statements


@pytest.mark.parametrize(("action", "resource"), [
    ("s3:PutObject", "arn:aws:s3:::bucket"), ("s3:ListBucket", "arn:aws:s3:::bucket/*"),
    (["s3:ListBucket", "s3:GetObject"], "arn:aws:s3:::bucket/*"),
    ("s3:ListAllMyBuckets", "arn:aws:s3:::bucket"), ("s3:GetObject*", "arn:aws:s3:::bucket")])
def test_an_action_that_applies_to_no_resource(action: object, resource: str) -> None:
    assert refused(document(statement(Action=action, Resource=resource))) \
        == msg.ACTION_RESOURCE_MISMATCH


def test_the_resource_check_can_be_left_out() -> None:
    text = document(statement(Action="s3:PutObject", Resource="arn:aws:s3:::bucket"))
    assert parse_policy(text, BUCKET, check_action_resources=False).statements


@pytest.mark.parametrize(("action", "resource"), [
    ("s3:*", "arn:aws:s3:::bucket"), ("*", "arn:aws:s3:::bucket/*"),
    ("s3:Get*", "arn:aws:s3:::bucket"), ("s3:ListBucket", "arn:aws:s3:::*"),
    ("s3:GetObject", "arn:aws:s3:::buck*"),
    (["s3:ListBucket", "s3:GetObject"], ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"])])
def test_actions_that_apply(action: object, resource: object) -> None:
    assert policy(statement(Action=action, Resource=resource)).statements


@pytest.mark.parametrize("principal", [
    "", "test", "**", {}, [], {"AWS": []}, {"AWS": ""}, {"AWS": 5}, {"Someone": "x"},
    {"AWS": "arn:aws:iam::*:root"}, {"AWS": "arn:aws:iam::test:group/g"},
    {"AWS": "arn:aws:s3:::bucket"}, {"AWS": "te st"}, {"AWS": "arn:aws:iam::test:user/*"},
    {"Service": "*"}, {"CanonicalUser": ""}, {"aws": "*"}])
def test_invalid_principal(principal: object) -> None:
    assert refused(document(statement(Principal=principal))) == msg.INVALID_PRINCIPAL


@pytest.mark.parametrize("principal", [
    "*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": "test2"}, {"AWS": "123456789012"},
    {"AWS": "arn:aws:iam::s3tenant1:root"}, {"AWS": "arn:aws:iam::test:user/alice"},
    {"AWS": "arn:aws:iam::test:user/path/to/alice"}, {"AWS": "arn:aws:iam::test:role/r"},
    {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    {"Service": "logging.s3.amazonaws.com"}, {"Federated": "cognito-identity.amazonaws.com"},
    {"AWS": ["test2", "arn:aws:iam::test3:root"], "CanonicalUser": "abc"}])
def test_valid_principals(principal: object) -> None:
    assert policy(statement(Principal=principal)).statements


def test_principals_that_do_not_exist_can_be_refused() -> None:
    known = {("AWS", "test"), ("AWS", "test2")}
    text = document(statement(Principal={"AWS": ["test2", "arn:aws:iam::test:root"]}))
    assert parse_policy(text, BUCKET, known_principal=lambda t, i: (t, i) in known)
    with pytest.raises(MalformedPolicy, match=msg.INVALID_PRINCIPAL):
        parse_policy(document(statement(Principal={"AWS": "nobody"})), BUCKET,
                     known_principal=lambda t, i: (t, i) in known)


@pytest.mark.parametrize("operator", ["StringEqual", "stringequals", "Foo:StringEquals",
                                      "ForAllValues:Null", "NullIfExists", "StringLikeifexists",
                                      "ForAnyValues:StringLike", "IpAddres"])
def test_invalid_operator(operator: str) -> None:
    body = statement(Condition={operator: {"s3:prefix": "a"}})
    assert refused(document(body)) == f"Invalid Condition type : {operator}"


@pytest.mark.parametrize("key", ["s3:VersionStatus", "aws:SourceIpAddress", "s3:prefixes",
                                 "ec2:Region", "prefix", "s3:ExistingObjectTag/", ""])
def test_invalid_condition_key(key: str) -> None:
    body = statement(Condition={"StringEquals": {key: "a"}})
    assert refused(document(body)) == msg.INVALID_CONDITION_KEY


@pytest.mark.parametrize("key", ["s3:TlsVersion", "aws:PrincipalTag/team", "s3:signatureAge",
                                 "aws:ResourceTag/x"])
def test_keys_this_store_cannot_know_are_not_implemented(key: str) -> None:
    body = statement(Condition={"StringEquals": {key: "a"}})
    with pytest.raises(PolicyNotSupported) as info:
        parse_policy(document(body), BUCKET)
    assert str(info.value) == f"the condition key {key} is not implemented yet"


@pytest.mark.parametrize("block", [[], "x", {"StringEquals": []}, {"StringEquals": {}},
                                   {"StringEquals": {"s3:prefix": []}},
                                   {"StringEquals": {"s3:prefix": {"a": 1}}},
                                   {"StringEquals": {"s3:prefix": [None]}}])
def test_condition_of_the_wrong_shape(block: object) -> None:
    assert refused(document(statement(Condition=block))) == msg.SYNTAX


@pytest.mark.parametrize(("operator", "value"), [
    ("NumericEquals", "ten"), ("NumericLessThan", "NaN"), ("DateEquals", "yesterday"),
    ("Bool", "yes"), ("Null", "maybe"), ("BinaryEquals", "!!"),
    ("ArnLike", "arn:aws:s3"), ("ArnEquals", "bucket")])
def test_condition_values_of_the_wrong_kind(operator: str, value: str) -> None:
    body = statement(Condition={operator: {"aws:SourceArn": value}})
    assert refused(document(body)) == msg.invalid_value(operator, value)


@pytest.mark.parametrize("value", ["10.0.0.300", "not-an-ip", "10.0.0.0/33", "::g"])
def test_invalid_ip_address(value: str) -> None:
    body = statement(Condition={"IpAddress": {"aws:SourceIp": value}})
    assert refused(document(body)) == msg.INVALID_IP


def test_condition_values_may_be_numbers_and_booleans() -> None:
    parsed = policy(statement(Condition={"NumericLessThan": {"s3:max-keys": 10},
                                         "Bool": {"aws:SecureTransport": True}}))
    assert [c.values for c in parsed.statements[0].conditions] == [("10",), ("true",)]


def test_sid_and_id_are_strings() -> None:
    assert refused(document(statement(Sid=1))) == msg.SYNTAX
    assert refused(json.dumps({"Id": [], "Statement": [statement()]})) == msg.SYNTAX


def test_a_statement_is_an_object() -> None:
    assert refused(json.dumps({"Statement": ["x"]})) == msg.SYNTAX
