"""The errors a bucket policy raises: one type for a document S3 refuses, carrying the
message S3 gives, and one for a document we understand but cannot honour (never a
policy stored that is silently weaker than written)."""

from __future__ import annotations

from objectstore import errors

# S3's own messages (MalformedPolicy), kept in one place so tests can name them
NOT_JSON_OBJECT = "Policies must be valid JSON and the first byte must be '{'"
INVALID_JSON = "This policy contains invalid Json"
SYNTAX = "Invalid policy syntax."
TOO_LARGE = "Normalized policy document exceeds the maximum allowed size of 20480 bytes"
EMPTY_STATEMENT = "Could not parse the policy: Statement is empty!"
INVALID_VERSION = "The policy must contain a valid version string"
DUPLICATE_SID = "Statement IDs (SID) in a single policy must be unique."
INVALID_PRINCIPAL = "Invalid principal in policy"
INVALID_ACTION = "Policy has invalid action"
INVALID_RESOURCE = "Policy has invalid resource"
ACTION_RESOURCE_MISMATCH = "Action does not apply to any resource(s) in statement"
INVALID_CONDITION_KEY = "Policy has an invalid condition key"
INVALID_IP = "Invalid IP address in Conditions"
NOT_PRINCIPAL_ALLOW = "NotPrincipal is allowed only with Effect Deny"


def missing(field: str) -> str:
    return f"Missing required field {field}"


def unknown_field(field: str) -> str:
    return f"Unknown field {field}"


def invalid_effect(effect: object) -> str:
    return f"Invalid effect: {effect}"


def invalid_operator(name: str) -> str:
    return f"Invalid Condition type : {name}"


def invalid_value(operator: str, value: str) -> str:
    return f"Invalid value {value!r} for condition operator {operator}"


class MalformedPolicy(errors.BadRequest):
    """A document S3 refuses (400 MalformedPolicy); the message is S3's."""


class PolicyNotSupported(errors.BadRequest):
    """A valid document naming what this store cannot evaluate truthfully (a condition
    key it never knows): refused as S3 NotImplemented rather than stored and ignored."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not implemented yet")
        self.feature = feature
